"""The child death workflow through HTTP: holds, panel scheduling, analysis, referral, close."""

from __future__ import annotations

import datetime as dt

import pytest

from core import interop
from tests.cdop.helpers import API, etag, make_case, notification, transition

FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0).isoformat()
PAST = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).replace(microsecond=0).isoformat()
DUE = (dt.date.today() + dt.timedelta(days=60)).isoformat()
ANALYSIS = {
    "category": 9, "modifiable": "no", "domain_scores": {"A": 2, "B": 1, "C": 1, "D": 0},
    "learning": "Learning about recognising sepsis.", "refer_to_case_review": False,
    "learning_points": ["Sepsis awareness for reception staff"],
    "actions": [{"description": "Circulate the sepsis leaflet", "owner_agency": "Testshire Health",
                 "due_on": DUE}],
}


def _meeting(client, coordinator, when=FUTURE, members=()) -> int:
    r = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": when, "member_ids": list(members)},
                    headers=coordinator.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_workflow_table_is_served(client, coordinator) -> None:
    wf = client.get(f"{API}/workflows/child-death", headers=coordinator.headers).json()
    actions = {t["action"]: t for t in wf["transitions"]}
    assert set(actions) == {"start_information_gathering", "transfer_out", "withdraw", "place_on_hold",
                            "release_hold", "mark_ready_for_panel", "schedule_for_panel", "defer_at_panel",
                            "record_analysis", "close", "record_external_outcome", "review_hold"}
    assert actions["record_analysis"]["roles"] == ["cdop_chair"]
    assert set(actions["record_analysis"]["fields"]) == {"category", "modifiable", "domain_scores", "learning",
                                                         "refer_to_case_review"}
    assert actions["place_on_hold"]["from"] == ["information_gathering", "ready_for_panel"]
    assert wf["initial"] == "notified"


def test_if_match_required_and_checked(client, db, coordinator) -> None:
    case = make_case(db, status="notified")
    db.commit()
    url = f"{API}/child-deaths/{case.id}/transitions"
    r = client.post(url, json={"action": "start_information_gathering"}, headers=coordinator.headers)
    assert r.status_code == 428
    r = client.post(url, json={"action": "start_information_gathering"}, headers={**coordinator.headers, "If-Match": '"999"'})
    assert r.status_code == 412
    r = client.post(url, json={"action": "no_such_action"}, headers={**coordinator.headers, "If-Match": etag(client, case.id, coordinator)})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert "start_information_gathering" in r.json()["allowed_actions"]
    assert client.get(f"{API}/child-deaths/999999", headers=coordinator.headers).status_code == 404
    assert client.get(f"{API}/child-deaths/99999999999999999999", headers=coordinator.headers).status_code == 422


def test_hold_placed_listed_and_released(client, db, coordinator) -> None:
    case = make_case(db, status="information_gathering")
    db.commit()
    r = transition(client, case.id, coordinator, "place_on_hold", hold_reason="inquest")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "expected_on"]
    r = transition(client, case.id, coordinator, "place_on_hold", hold_reason="tea", expected_on="2099-01-01")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "hold_reason"]
    r = transition(client, case.id, coordinator, "place_on_hold", hold_reason="inquest", expected_on="2020-01-01")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "expected_on"]
    r = transition(client, case.id, coordinator, "place_on_hold", hold_reason="inquest", expected_on="2099-03-01",
                   note="Inquest opened and adjourned")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "on_hold"
    assert r.headers["etag"] == etag(client, case.id, coordinator)
    hold = r.json()["holds"][0]
    assert hold["reason"] == "inquest" and hold["expected_on"] == "2099-03-01" and hold["released_at"] is None
    listed = client.get(f"{API}/child-deaths?hold_reason=inquest", headers=coordinator.headers).json()["items"]
    assert [i["id"] for i in listed] == [case.id]
    assert listed[0]["open_holds"][0]["reason"] == "inquest"
    assert any("inquest" in w for w in listed[0]["waiting_on"])
    assert client.get(f"{API}/child-deaths?hold_reason=criminal_proceedings", headers=coordinator.headers).json()["items"] == []
    assert client.get(f"{API}/child-deaths?hold_reason=bogus", headers=coordinator.headers).status_code == 422
    r = transition(client, case.id, coordinator, "release_hold")
    assert r.status_code == 200 and r.json()["status"] == "information_gathering"
    assert r.json()["holds"][0]["released_at"] is not None
    assert client.get(f"{API}/child-deaths?hold_reason=inquest", headers=coordinator.headers).json()["items"] == []


def test_schedule_only_onto_future_panel_and_agenda(client, db, coordinator, chair, panel_member) -> None:
    case = make_case(db, status="ready_for_panel")
    db.commit()
    options = client.get(f"{API}/child-deaths/{case.id}/transitions", headers=coordinator.headers).json()
    sched = next(o for o in options if o["action"] == "schedule_for_panel")
    assert sched["blocked_reason"] and "no future" in sched["blocked_reason"]
    past = _meeting(client, coordinator, when=PAST)
    r = transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=past)
    assert r.status_code == 409 and "future" in r.json()["detail"]
    r = transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=987654)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "meeting_id"]
    crg = client.post(f"{API}/meetings", json={"kind": "crg", "scheduled_for": FUTURE}, headers=coordinator.headers)
    if crg.status_code == 201:  # a coordinator may not manage CRG meetings; if it could, still refused
        r = transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=crg.json()["id"])
        assert r.status_code == 422
    r = transition(client, case.id, coordinator, "schedule_for_panel", meeting_id="abc")
    assert r.status_code == 422
    future = _meeting(client, coordinator, members=[panel_member.id])
    r = transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=future)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "scheduled_for_panel" and r.json()["panel_meeting_id"] == future
    agenda = client.get(f"{API}/meetings/{future}", headers=coordinator.headers).json()["agenda"]
    assert [a["case_id"] for a in agenda] == [case.id]
    assert agenda[0]["case"]["reference"] == case.reference
    # the meeting route refuses to add child deaths directly
    other = make_case(db, status="ready_for_panel")
    db.commit()
    r = client.post(f"{API}/meetings/{future}/agenda", json={"case_id": other.id}, headers=coordinator.headers)
    assert r.status_code == 409

    # deferral keeps the agenda and the history
    r = transition(client, case.id, chair, "defer_at_panel")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "note"]
    r = transition(client, case.id, chair, "defer_at_panel", note="Awaiting the post-mortem report")
    assert r.status_code == 200 and r.json()["status"] == "ready_for_panel"
    assert r.json()["panel_meeting_id"] is None
    agenda = client.get(f"{API}/meetings/{future}", headers=coordinator.headers).json()["agenda"]
    assert [a["case_id"] for a in agenda] == [case.id]
    history = client.get(f"{API}/child-deaths/{case.id}/history", headers=coordinator.headers).json()
    assert [h["action"] for h in history] == ["schedule_for_panel", "defer_at_panel"]
    assert history[-1]["note"] == "Awaiting the post-mortem report"
    assert history[-1]["data"]["meeting_id"] == future


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"category": 11}, "category"), ({"category": 0}, "category"), ({"category": "3"}, "category"),
        ({"modifiable": "maybe"}, "modifiable"),
        ({"domain_scores": {"A": 3, "B": 1, "C": 1, "D": 0}}, "domain_scores"),
        ({"domain_scores": {"A": 1, "B": 1, "C": 1}}, "domain_scores"),
        ({"domain_scores": {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1}}, "domain_scores"),
        ({"learning": ""}, "learning"), ({"refer_to_case_review": "yes"}, "refer_to_case_review"),
        ({"learning_points": ["x"] * 51}, "learning_points"), ({"bogus": 1}, "bogus"),
    ],
)
def test_analysis_validation(client, db, chair, change, loc) -> None:
    case = make_case(db, status="scheduled_for_panel")
    db.commit()
    r = transition(client, case.id, chair, "record_analysis", **{**ANALYSIS, **change})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"][:2] == ["body", loc]


def test_analysis_only_by_chair_and_shown(client, db, coordinator, chair) -> None:
    case = make_case(db, status="scheduled_for_panel")
    db.commit()
    assert transition(client, case.id, coordinator, "record_analysis", **ANALYSIS).status_code == 403
    r = transition(client, case.id, chair, "record_analysis", **ANALYSIS)
    assert r.status_code == 200, r.text
    a = r.json()["analysis"]
    assert a["category"] == 9 and a["category_label"] == "Infection"
    assert a["domain_scores"] == {"A": 2, "B": 1, "C": 1, "D": 0}
    assert a["actions"][0]["due_on"] == DUE and a["actions"][0]["status"] == "open"
    assert a["learning_points"] == ["Sepsis awareness for reception staff"]
    assert r.json()["case_review"] is None
    r = transition(client, case.id, coordinator, "close")
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closed_at"]


def test_referral_to_case_review_through_interop(client, db, chair, coordinator, monkeypatch) -> None:
    calls = []

    def fake_create(session, payload):
        calls.append(payload)
        return {"id": 1, "reference": "CR-2026-0099", "status": "received"}

    def fake_status(session, payload):
        return {"id": 99, "reference": payload["reference"], "status": "screening", "decision": None}

    monkeypatch.setitem(interop._PROVIDERS, "case_review.create_referral", fake_create)
    monkeypatch.setitem(interop._PROVIDERS, "case_review.status", fake_status)
    case = make_case(db, status="scheduled_for_panel", first_name="Testchild", last_name="Delta")
    db.commit()
    r = transition(client, case.id, chair, "record_analysis", **{**ANALYSIS, "refer_to_case_review": True,
                                                                  "referral_rationale": "Agencies did not share information."})
    assert r.status_code == 200, r.text
    assert r.json()["case_review"] == {"reference": "CR-2026-0099", "id": 99, "status": "screening", "decision": None}
    (payload,) = calls
    assert payload["child_death_reference"] == case.reference
    assert payload["child"]["first_name"] == "Testchild" and payload["incident"]["type"] == "death"
    assert payload["incident"]["date"] == case.date_of_death.isoformat()
    assert payload["rationale"] == "Agencies did not share information."
    assert payload["referred_by"] == chair.name
    listed = client.get(f"{API}/child-deaths?status=reviewed", headers=coordinator.headers).json()["items"]
    assert listed[0]["case_review_reference"] == "CR-2026-0099"
    db.expire_all()
    assert interop.call(db, "child_death.status", {"reference": case.reference}) == {
        "id": case.id, "reference": case.reference, "status": "reviewed"}
    assert interop.call(db, "child_death.status", {"reference": "CD-1999-0001"}) is None


def test_referral_refused_when_case_review_module_absent(client, db, chair, monkeypatch) -> None:
    monkeypatch.delitem(interop._PROVIDERS, "case_review.create_referral", raising=False)
    case = make_case(db, status="scheduled_for_panel")
    db.commit()
    r = transition(client, case.id, chair, "record_analysis", **{**ANALYSIS, "refer_to_case_review": True})
    assert r.status_code == 409
    assert "case review module is not enabled" in r.json()["detail"]
    r = transition(client, case.id, chair, "record_analysis", **ANALYSIS)
    assert r.status_code == 200


def test_transfer_out_and_withdraw(client, db, coordinator) -> None:
    from sqlalchemy import select

    from core.outbox.models import OutboxMessage

    created = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
    assert transition(client, created["id"], coordinator, "start_information_gathering").status_code == 200
    r = transition(client, created["id"], coordinator, "transfer_out")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "home_area"]
    r = transition(client, created["id"], coordinator, "transfer_out", home_area="Otherborough",
                   home_cdop_email="cdop@otherborough.example.org")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "transferred_out"
    assert {k: body["out_of_area"][k] for k in ("home_area", "home_cdop_email")} == {
        "home_area": "Otherborough", "home_cdop_email": "cdop@otherborough.example.org"}
    assert {f["status"] for f in body["reporting_forms"]} == {"waived"}
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "cdop@otherborough.example.org")).scalar_one()
    assert created["reference"] in mail.body and "Testchild" not in mail.body and "Bravo" not in mail.body

    other = make_case(db, status="notified")
    db.commit()
    assert transition(client, other.id, coordinator, "withdraw").status_code == 422
    r = transition(client, other.id, coordinator, "withdraw", reason="Notified in error: a stillbirth")
    assert r.status_code == 200 and r.json()["withdrawn_reason"] == "Notified in error: a stillbirth"


def test_patch_with_if_match_never_status(client, db, coordinator, chair) -> None:
    case = make_case(db, status="information_gathering")
    db.commit()
    url = f"{API}/child-deaths/{case.id}"
    tag = etag(client, case.id, coordinator)
    assert client.patch(url, json={"case_summary": "x"}, headers=coordinator.headers).status_code == 428
    assert client.patch(url, json={"case_summary": "x"}, headers={**coordinator.headers, "If-Match": '"0"'}).status_code == 412
    r = client.patch(url, json={"status": "closed"}, headers={**coordinator.headers, "If-Match": tag})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "status"]
    assert client.patch(url, json={"case_summary": "x"}, headers={**chair.headers, "If-Match": tag}).status_code == 403
    r = client.patch(url, json={"case_summary": "A summary for the panel.", "expected": True},
                     headers={**coordinator.headers, "If-Match": tag})
    assert r.status_code == 200, r.text
    assert r.json()["case_summary"] == "A summary for the panel." and r.json()["death"]["expected"] is True
    assert r.headers["etag"] != tag
    assert r.json()["status"] == "information_gathering"
    r2 = client.patch(url, json={"case_summary": "stale"}, headers={**coordinator.headers, "If-Match": tag})
    assert r2.status_code == 412
    new = r.headers["etag"]
    bad = client.patch(url, json={"date_of_death": "2010-01-01"}, headers={**coordinator.headers, "If-Match": new})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "date_of_death"]
    bad = client.patch(url, json={"first_name": None}, headers={**coordinator.headers, "If-Match": new})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "first_name"]
    bad = client.patch(url, json={"nhs_number": "123"}, headers={**coordinator.headers, "If-Match": new})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "nhs_number"]


def test_closing_a_review_waives_forms_still_requested(client, db, coordinator, chair) -> None:
    """A form requested after the case was listed for a panel is waived when the review closes,
    so no terminal case keeps a requested form (the summary counts them without a join)."""
    from sqlalchemy import select, update

    from core.agency_requests.models import AgencyRequest
    from cdop.models import ChildDeath

    case = make_case(db, status="ready_for_panel")
    db.commit()
    r = client.post(f"{API}/child-deaths/{case.id}/reporting-forms",
                    json={"agency": "Testshire Police", "contact_email": "police@example.org",
                          "due_on": "2099-01-30"}, headers=coordinator.headers)
    assert r.status_code == 201, r.text
    db.execute(update(AgencyRequest).where(AgencyRequest.id == r.json()["id"])
               .values(due_on=dt.date(2020, 1, 1)))  # overdue by now
    db.execute(update(ChildDeath).where(ChildDeath.id == case.id).values(status="reviewed"))
    db.commit()
    summary = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers).json()
    assert summary["overdue_reporting_forms_by_agency"] == {"Testshire Police": 1}

    r = transition(client, case.id, coordinator, "close")
    assert r.status_code == 200, r.text
    assert [(f["status"], f["waived_reason"]) for f in r.json()["reporting_forms"]] == [
        ("waived", "the review was closed")]
    summary = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers).json()
    assert summary["overdue_reporting_forms_by_agency"] == {}
    assert not db.scalars(select(AgencyRequest).where(AgencyRequest.status == "requested",
                                                      AgencyRequest.subject_id == case.id)).all()
