"""Panel members see anonymised papers and nothing else."""

from __future__ import annotations

import datetime as dt

from fastapi.routing import APIRoute
from sqlalchemy import select

from core.outbox.models import OutboxMessage
from core.routes import iter_routes
from cdop.domain import age_at_death
from cdop.views import Scrubber
from tests.cdop.helpers import API, links_in, make_case, notification, transition

FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0).isoformat()

IDENTIFIERS = [
    "Testchild", "Bravo", "Testchild Bravo",
    "9434765919", "943 476 5919", "943-476-5919",
    "2021-03-15", "15/03/2021", "15.03.2021", "15-03-2021", "15/3/2021", "15 March 2021", "15th March 2021",
    "March 15, 2021", "15 Mar 2021", "20210315", "15/03/21", "2021/03/15",
    "12 Testing Lane", "Testing Lane", "Exampleton", "EX1 2AB", "EX12AB",
    "Nora Notifier", "Nora", "Notifier", "nora.notifier@example.org", "07700 900123",
]

LEAKY_ANSWER = (
    "Testchild Bravo (DOB 15/03/2021, also written 15th March 2021, 2021-03-15, 15.03.21, "
    "March 15, 2021 and 20210315) NHS number 943 476 5919 / 9434765919 lived at 12 Testing Lane, "
    "Exampleton, EX1 2AB (postcode ex12ab). TESTCHILD's mother called Nora Notifier on 07700900123 "
    "and nora.notifier@example.org. bravo was known to the health visitor."
)


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [i for i in IDENTIFIERS if i.lower() in lowered]


def test_scrubber_removes_every_identifier_format() -> None:
    from cdop.models import ChildDeath

    c = ChildDeath(first_name="Testchild", last_name="Bravo", date_of_birth=dt.date(2021, 3, 15),
                   nhs_number="9434765919", address="12 Testing Lane, Exampleton, EX1 2AB",
                   notifier_name="Nora Notifier", notifier_email="nora.notifier@example.org",
                   notifier_phone="07700 900123")
    scrubbed = Scrubber([c])(LEAKY_ANSWER)
    assert _leaks(scrubbed) == [], scrubbed
    assert "[redacted]" in scrubbed and "health visitor" in scrubbed
    # unrelated dates and words survive
    assert Scrubber([c])("Seen on 2026-05-01 by the school nurse") == "Seen on 2026-05-01 by the school nurse"


def test_age_at_death_units() -> None:
    assert age_at_death(dt.date(2026, 1, 1), dt.date(2026, 1, 20))["text"] == "19 days"
    assert age_at_death(dt.date(2026, 1, 1), dt.date(2026, 1, 29)) == {"value": 0, "unit": "months", "text": "0 months"}
    assert age_at_death(dt.date(2025, 1, 1), dt.date(2026, 12, 31))["text"] == "23 months"
    assert age_at_death(dt.date(2024, 1, 1), dt.date(2026, 1, 1))["text"] == "2 years"
    assert age_at_death(dt.date(2026, 1, 1), dt.date(2026, 1, 2))["text"] == "1 day"


def test_panel_member_sees_only_anonymised_papers(client, db, coordinator, chair, panel_member, app) -> None:
    body = notification(notifier={"phone": "07700 900123"})
    case = client.post(f"{API}/child-deaths", json=body, headers=coordinator.headers).json()
    cid = case["id"]
    assert transition(client, cid, coordinator, "start_information_gathering").status_code == 200
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "police.cdop@example.org")).scalar_one()
    token = links_in(mail.body)[0]
    answers = {"answers": {"agency_involvement": LEAKY_ANSWER, "health": "Testchild had asthma."},
               "not_known": ["family_and_environment", "parenting_capacity", "service_provision", "other_information"]}
    assert client.post(f"{API}/public/reporting-forms/{token}", json=answers).status_code == 200
    gp = next(f for f in client.get(f"{API}/child-deaths/{cid}", headers=coordinator.headers).json()["reporting_forms"]
              if f["agency"] == "Testshire GP Practice")
    client.post(f"{API}/child-deaths/{cid}/reporting-forms/{gp['id']}/waive", json={"reason": "Not registered"},
                headers=coordinator.headers)
    tag = client.get(f"{API}/child-deaths/{cid}", headers=coordinator.headers).headers["etag"]
    summary = "Bravo, born 15 Mar 2021, of Exampleton died in hospital after a short illness."
    assert client.patch(f"{API}/child-deaths/{cid}", json={"case_summary": summary},
                        headers={**coordinator.headers, "If-Match": tag}).status_code == 200
    assert transition(client, cid, coordinator, "mark_ready_for_panel",
                      cdrm_not_required_reason="Not needed (synthetic).").status_code == 200
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE,
                                                   "member_ids": [panel_member.id]}, headers=coordinator.headers).json()
    assert transition(client, cid, coordinator, "schedule_for_panel", meeting_id=meeting["id"]).status_code == 200
    # a case on another panel's agenda is invisible to this member
    other = make_case(db, status="ready_for_panel", first_name="Testchild", last_name="Echo")
    db.commit()
    other_meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE},
                                headers=coordinator.headers).json()
    assert transition(client, other.id, coordinator, "schedule_for_panel", meeting_id=other_meeting["id"]).status_code == 200

    texts: list[str] = []
    papers = client.get(f"{API}/meetings/{meeting['id']}/papers", headers=panel_member.headers)
    assert papers.status_code == 200, papers.text
    texts.append(papers.text)
    pack = papers.json()
    assert pack["anonymised"] is True
    (item,) = pack["cases"]
    assert item["reference"] == case["reference"]
    assert item["age_at_death"]["text"] == "5 years" and item["sex"] == "female"
    assert "[redacted]" in item["case_summary"] and "short illness" in item["case_summary"]
    form, waived = item["reporting_forms"]
    assert form["agency"] == "Testshire Police" and "[redacted]" in form["answers"]["agency_involvement"]
    assert "asthma" in form["answers"]["health"]
    assert (waived["agency"], waived["status"], waived["answers"]) == ("Testshire GP Practice", "waived", {})

    m = client.get(f"{API}/meetings/{meeting['id']}", headers=panel_member.headers)
    assert m.status_code == 200
    assert m.json()["agenda"][0]["case"] is None
    texts.append(m.text)
    texts.append(client.get(f"{API}/meetings", headers=panel_member.headers).text)
    for url in (f"{API}/meetings/{other_meeting['id']}", f"{API}/meetings/{other_meeting['id']}/papers"):
        r = client.get(url, headers=panel_member.headers)
        assert r.status_code == 404
        texts.append(r.text)

    # every child death route, every method: 403 or 404, and nothing identifying
    tried = 0
    for path, route in iter_routes(app.routes):
        if not isinstance(route, APIRoute):
            continue
        if not path.startswith((f"{API}/child-deaths", f"{API}/reports/child-deaths", f"{API}/reporting-forms")):
            continue
        url = (path.replace("{case_id}", str(cid)).replace("{form_id}", str(gp["id"]))
               .replace("{action_id}", "987654"))
        assert "{" not in url, url
        for method in route.methods:
            r = client.request(method, url, headers={**panel_member.headers, "If-Match": "*"},
                               json={"action": "close"} if method != "GET" else None)
            assert r.status_code in (403, 404), (method, url, r.status_code)
            texts.append(r.text)
            tried += 1
    assert tried >= 15
    for text in texts:
        assert _leaks(text) == [], (_leaks(text), text[:500])
    # the other panel's case reference never reaches this member
    assert other.reference not in " ".join(texts)

    # the chair and the coordinator get the papers too (same anonymised pack)
    assert client.get(f"{API}/meetings/{meeting['id']}/papers", headers=chair.headers).json()["cases"][0]["reference"] == case["reference"]
