"""Bug 6: the panel papers are built from an allow-list of fields, and the free text they carry
(case summary, reporting form answers, the meeting's minutes) is scrubbed of partial addresses,
birth dates without a year, hyphenated surnames and first names alone. Adversarial text."""

from __future__ import annotations

import datetime as dt

from tests.cdop.helpers import API, notification, transition

FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0).isoformat()

CHILD = {"first_name": "Zephyrine", "last_name": "Quillfeather-Marchbank", "date_of_birth": "2019-03-15",
         "sex": "female", "address": "12 Acacia Avenue, Exampleton, EX1 2AB"}
OTHER_CHILD = {"first_name": "Barnabus", "last_name": "Oakenshaw", "date_of_birth": "2018-07-04",
               "sex": "male", "address": "3 Wisteria Close, Sampleford, SF2 9QQ"}

# ways a human writes these identifiers that the old scrubber let through
LEAKS = [
    "Zephyrine", "Quillfeather", "Marchbank", "Quillfeather Marchbank", "Quillfeather-Marchbank",
    "Acacia Avenue", "Acacia Ave", "Acacia Av.", "12 Acacia", "Exampleton", "EX1 2AB",
    "15 March", "15th March", "March 15th", "15th of March", "Mar 15", "15/03", "15.3", "15/3",
    "2019-03-15",
    "Barnabus", "Oakenshaw", "Wisteria Close", "Wisteria Cl", "4 July", "July 4th", "04/07",
    "9434765919", "943 476 5919", "943-476-5919", "Nora Notifier", "nora.notifier@example.org",
]
ADVERSARIAL = (
    "Zephyrine lived at 12 Acacia Ave with her mum (later moved along Acacia Avenue, near Acacia Av. "
    "and no 12 Acacia). The Quillfeather Marchbank family, QUILLFEATHER-MARCHBANK on the school roll, "
    "Ms Marchbank and Mr Quillfeather. Her birthday was 15 March (15th March, March 15th, the 15th of "
    "March, Mar 15, 15/03, 15.3 or 15/3); born 2019-03-15. NHS 943-476-5919 (943 476 5919). "
    "Told by Nora Notifier (nora.notifier@example.org)."
)
MINUTES = (
    "Present: chair, coordinator. Item 1: Zephyrine Quillfeather-Marchbank of 12 Acacia Ave, "
    "Exampleton EX1 2AB (DOB 15/03). Item 2: Barnabus Oakenshaw, 3 Wisteria Cl, Sampleford, "
    "born July 4th. Agreed: learning for the health visiting service."
)
# never allowed on a paper, whatever the text
FORBIDDEN_KEYS = {"first_name", "last_name", "name", "address", "nhs_number", "date_of_birth",
                  "notifier", "child", "email", "phone", "contact_email", "submitted_by"}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [s for s in LEAKS if s.lower() in lowered]


def _case_on_panel(client, db, coordinator, meeting_id: int, child: dict, answers: dict | None) -> dict:
    case = client.post(f"{API}/child-deaths", json=notification(child=child, agencies=[
        {"name": "Testshire Police", "contact_email": "police.cdop@example.org"},
        {"name": "Testshire GP Practice", "contact_email": "gp.practice@example.org"},
    ]), headers=coordinator.headers).json()
    cid = case["id"]
    assert transition(client, cid, coordinator, "start_information_gathering").status_code == 200
    forms = client.get(f"{API}/child-deaths/{cid}", headers=coordinator.headers).json()["reporting_forms"]
    police = next(f for f in forms if f["agency"] == "Testshire Police")
    gp = next(f for f in forms if f["agency"] == "Testshire GP Practice")
    if answers is not None:
        r = client.post(f"{API}/child-deaths/{cid}/reporting-forms/{police['id']}/submit", json=answers,
                        headers=coordinator.headers)
        assert r.status_code == 200, r.text
    else:
        client.post(f"{API}/child-deaths/{cid}/reporting-forms/{police['id']}/waive", json={"reason": "None held"},
                    headers=coordinator.headers)
    client.post(f"{API}/child-deaths/{cid}/reporting-forms/{gp['id']}/waive", json={"reason": "Not registered"},
                headers=coordinator.headers)
    tag = client.get(f"{API}/child-deaths/{cid}", headers=coordinator.headers).headers["etag"]
    r = client.patch(f"{API}/child-deaths/{cid}", json={"case_summary": ADVERSARIAL + " Died after a short illness."},
                     headers={**coordinator.headers, "If-Match": tag})
    assert r.status_code == 200, r.text
    assert transition(client, cid, coordinator, "mark_ready_for_panel",
                      cdrm_not_required_reason="Not needed (synthetic).").status_code == 200
    assert transition(client, cid, coordinator, "schedule_for_panel", meeting_id=meeting_id).status_code == 200
    return case


def test_papers_are_an_allow_list_and_survive_adversarial_text(client, db, coordinator, panel_member) -> None:
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE,
                                                   "member_ids": [panel_member.id]}, headers=coordinator.headers).json()
    answers = {"answers": {"agency_involvement": ADVERSARIAL, "health": "Known to have asthma."},
               "not_known": ["family_and_environment", "parenting_capacity", "service_provision", "other_information"]}
    first = _case_on_panel(client, db, coordinator, meeting["id"], CHILD, answers)
    second = _case_on_panel(client, db, coordinator, meeting["id"], OTHER_CHILD, None)
    tag = client.get(f"{API}/meetings/{meeting['id']}", headers=coordinator.headers).headers["etag"]
    r = client.put(f"{API}/meetings/{meeting['id']}/minutes", json={"minutes": MINUTES},
                   headers={**coordinator.headers, "If-Match": tag})
    assert r.status_code == 200, r.text

    papers = client.get(f"{API}/meetings/{meeting['id']}/papers", headers=panel_member.headers)
    assert papers.status_code == 200, papers.text
    raw = papers.text
    assert _leaks(raw) == [], (_leaks(raw), raw)
    pack = papers.json()
    assert not (_keys(pack) & FORBIDDEN_KEYS), _keys(pack) & FORBIDDEN_KEYS
    assert set(pack) == {"meeting_id", "kind", "scheduled_for", "anonymised", "minutes", "cases"}
    assert pack["anonymised"] is True and pack["kind"] == "cdop_panel"
    assert "[redacted]" in pack["minutes"] and "health visiting service" in pack["minutes"]
    one, two = pack["cases"]
    assert set(one) == {"reference", "age_at_death", "sex", "expected", "status", "case_summary",
                        "reporting_forms"}
    assert one["reference"] == first["reference"] and two["reference"] == second["reference"]
    assert one["age_at_death"]["unit"] == "years" and one["sex"] == "female"
    assert one["status"] == "scheduled_for_panel" and one["expected"] is False
    assert "short illness" in one["case_summary"] and "[redacted]" in one["case_summary"]
    gp, police = sorted(one["reporting_forms"], key=lambda f: f["agency"])
    assert set(police) == {"agency", "status", "answers", "not_known", "supplementary"}
    assert police["supplementary"] == []  # the reporting form only
    assert (police["agency"], police["status"]) == ("Testshire Police", "submitted")
    assert (gp["agency"], gp["status"], gp["answers"]) == ("Testshire GP Practice", "waived", {})
    assert set(police["answers"]) == {"agency_involvement", "health"}
    assert "asthma" in police["answers"]["health"]
    assert sorted(police["not_known"]) == ["family_and_environment", "other_information", "parenting_capacity",
                                           "service_provision"]
    assert [f["status"] for f in two["reporting_forms"]] == ["waived", "waived"]


def test_scrubber_catches_partial_identifiers() -> None:
    from cdop.models import ChildDeath
    from cdop.views import Scrubber

    c = ChildDeath(first_name="Zephyrine", last_name="Quillfeather-Marchbank", date_of_birth=dt.date(2019, 3, 15),
                   address="12 Acacia Avenue, Exampleton, EX1 2AB", notifier_name="Nora Notifier",
                   notifier_email="nora.notifier@example.org", nhs_number="9434765919")
    out = Scrubber([c])(ADVERSARIAL)
    assert _leaks(out) == [], out
    for street, short in (("Oak Road", "Oak Rd"), ("Elm Street", "Elm St"), ("Ash Drive", "Ash Dr"),
                          ("Yew Lane", "Yew Ln"), ("Fir Court", "Fir Ct"), ("Bay Close", "Bay Cl")):
        c2 = ChildDeath(first_name="Testchild", last_name="Bravo", date_of_birth=dt.date(2019, 3, 15),
                        address=f"7 {street}, Exampleton")
        text = f"Seen at 7 {short}. and at {street} and {short}."
        assert street.split()[0] not in Scrubber([c2])(text), (street, Scrubber([c2])(text))
    # what is not an identifier survives
    assert Scrubber([c])("Seen on 2026-05-01 and 16 March by the school nurse; Testing Road") == \
        "Seen on 2026-05-01 and 16 March by the school nurse; Testing Road"


def test_papers_of_a_meeting_with_no_child_deaths(client, coordinator, panel_member) -> None:
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE,
                                                   "member_ids": [panel_member.id]}, headers=coordinator.headers).json()
    r = client.get(f"{API}/meetings/{meeting['id']}/papers", headers=panel_member.headers)
    assert r.status_code == 200, r.text
    assert r.json()["cases"] == [] and r.json()["minutes"] is None


def test_papers_refused_to_other_roles_and_non_members(client, session_factory, coordinator, panel_member) -> None:
    from tests.cdop.helpers import quick_user

    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE},
                          headers=coordinator.headers).json()
    url = f"{API}/meetings/{meeting['id']}/papers"
    assert client.get(url, headers=panel_member.headers).status_code == 404  # not a member
    assert client.get(url, headers=quick_user(session_factory, "business_unit").headers).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(f"{API}/meetings/999999/papers", headers=coordinator.headers).status_code == 404

