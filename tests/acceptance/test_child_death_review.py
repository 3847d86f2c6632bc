"""Acceptance: a child death from public notification to a closed review, over HTTP, with the
reporting form link delivered by a real local SMTP server and the referral landing in the case
review module."""

from __future__ import annotations

import datetime as dt

from tests.cdop.helpers import API, all_sections, links_in, notification, quick_user
from tests.conftest import deliver_outbox

FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=21)).replace(microsecond=0).isoformat()
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=120)).isoformat()


def _go(client, user, case_id: int, action: str, **fields):
    tag = client.get(f"{API}/child-deaths/{case_id}", headers=user.headers).headers["etag"]
    r = client.post(f"{API}/child-deaths/{case_id}/transitions", json={"action": action, **fields},
                    headers={**user.headers, "If-Match": tag})
    assert r.status_code == 200, (action, r.text)
    return r.json()


def test_child_death_from_notification_to_closed(client, session_factory, smtp_server) -> None:
    coordinator = quick_user(session_factory, "cdop_coordinator", name="Cora Coordinator")
    chair = quick_user(session_factory, "cdop_chair", name="Chad Chair")
    panel = quick_user(session_factory, "cdop_panel_member", name="Pat Panel")
    business_unit = quick_user(session_factory, "business_unit", name="Bea Business")

    # 1. a public notification
    r = client.post(f"{API}/public/child-death-notifications", json=notification(),
                    headers={"Idempotency-Key": "acceptance-cd-1"})
    assert r.status_code == 201, r.text
    reference = r.json()["reference"]
    assert r.json()["status"] == "notified"
    found = client.get(f"{API}/child-deaths?q={reference}", headers=coordinator.headers).json()["items"]
    assert [i["reference"] for i in found] == [reference]
    cid = found[0]["id"]

    # 2. reporting forms requested from the notified agencies; emails over real SMTP
    case = _go(client, coordinator, cid, "start_information_gathering")
    assert case["status"] == "information_gathering"
    police, gp = case["reporting_forms"]
    assert deliver_outbox(session_factory, smtp_server.url)[0] == 3  # receipt + two form links
    messages = smtp_server.wait_for(3)
    receipt = next(m for m in messages if m["to"] == ["nora.notifier@example.org"])
    assert reference in receipt["body"]
    police_mail = next(m for m in messages if m["to"] == ["police.cdop@example.org"])
    (token,) = links_in(police_mail["body"])

    # 3. the police submit through the emailed link, once
    link = f"{API}/public/reporting-forms/{token}"
    view = client.get(link).json()
    assert view["reference"] == reference and view["agency"] == "Testshire Police"
    submitted = client.post(link, json=all_sections(agency_involvement="Attended one call to the address in 2025.",
                                                    family_and_environment="No concerns recorded."))
    assert submitted.status_code == 200, submitted.text
    assert client.post(link, json=all_sections(health="again")).status_code == 404

    # 4. the GP practice form is waived; the case waits for an inquest, then resumes
    w = client.post(f"{API}/child-deaths/{cid}/reporting-forms/{gp['id']}/waive",
                    json={"reason": "The child was not registered with this practice."}, headers=coordinator.headers)
    assert w.status_code == 200 and w.json()["status"] == "waived"
    held = _go(client, coordinator, cid, "place_on_hold", hold_reason="inquest", expected_on=NEXT_YEAR)
    assert held["status"] == "on_hold"
    on_hold = client.get(f"{API}/child-deaths?hold_reason=inquest", headers=coordinator.headers).json()["items"]
    assert [i["reference"] for i in on_hold] == [reference]
    _go(client, coordinator, cid, "release_hold")
    summary = "The child died in hospital after a short illness; the inquest has concluded."
    tag = client.get(f"{API}/child-deaths/{cid}", headers=coordinator.headers).headers["etag"]
    assert client.patch(f"{API}/child-deaths/{cid}", json={"case_summary": summary},
                        headers={**coordinator.headers, "If-Match": tag}).status_code == 200
    cdrm = client.post(f"{API}/child-deaths/{cid}/review-meetings", headers=coordinator.headers,
                       json={"kind": "cdrm", "held_on": dt.date.today().isoformat(),
                             "agencies": ["Testshire Hospital", "Testshire Police"],
                             "outcome": "Information gathered for the panel."})
    assert cdrm.status_code == 201, cdrm.text
    _go(client, coordinator, cid, "mark_ready_for_panel")

    # 5. scheduled for a panel; the panel member reads the anonymised papers
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE,
                                                   "member_ids": [panel.id, chair.id]}, headers=coordinator.headers)
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    _go(client, coordinator, cid, "schedule_for_panel", meeting_id=mid)
    papers = client.get(f"{API}/meetings/{mid}/papers", headers=panel.headers)
    assert papers.status_code == 200
    (pack,) = papers.json()["cases"]
    assert pack["reference"] == reference and pack["case_summary"] == summary
    assert "Testchild" not in papers.text and "Bravo" not in papers.text
    assert client.get(f"{API}/child-deaths/{cid}", headers=panel.headers).status_code == 403

    # 6. the chair records the analysis and refers the case to the Case Review Group
    reviewed = _go(client, chair, cid, "record_analysis", category=1, modifiable="yes",
                   domain_scores={"A": 1, "B": 2, "C": 1, "D": 2},
                   learning="Information about the family was not shared between agencies.",
                   learning_points=["Share concerns about home conditions"],
                   actions=[{"description": "Multi-agency briefing on information sharing",
                             "owner_agency": "Partnership", "due_on": NEXT_YEAR}],
                   refer_to_case_review=True)
    assert reviewed["status"] == "reviewed"
    cr_reference = reviewed["case_review"]["reference"]
    assert cr_reference and reviewed["case_review"]["status"] and reviewed["case_review"]["id"]
    reviews = client.get(f"{API}/case-reviews", headers=business_unit.headers)
    assert reviews.status_code == 200, reviews.text
    listed = [i for i in reviews.json()["items"] if i["reference"] == cr_reference]
    assert listed, reviews.json()
    cr = client.get(f"{API}/case-reviews/{listed[0]['id']}", headers=business_unit.headers).json()
    assert cr["child_death_reference"] == reference
    # each shows the other, by reference and by id (the staff app links them)
    assert cr["child_death"] == {"reference": reference, "id": cid, "status": "reviewed"}
    assert reviewed["case_review"]["id"] == cr["id"]

    # 7. closed, with the whole story in the history
    closed = _go(client, coordinator, cid, "close")
    assert closed["status"] == "closed" and closed["closed_at"]
    history = client.get(f"{API}/child-deaths/{cid}/history", headers=coordinator.headers).json()
    assert [h["action"] for h in history] == [
        "notify", "start_information_gathering", "place_on_hold", "release_hold", "record_cdrm",
        "mark_ready_for_panel", "schedule_for_panel", "record_analysis", "close",
    ]
    assert history[7]["data"]["case_review_reference"] == cr_reference
    assert client.get(f"{API}/child-deaths?outstanding=true", headers=coordinator.headers).json()["items"] == []
    audit_ok = client.get(f"{API}/audit/verify", headers=quick_user(session_factory, "admin").headers).json()
    assert audit_ok["ok"] is True
