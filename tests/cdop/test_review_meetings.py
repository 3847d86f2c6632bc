"""Review meetings of the 2018 guidance (API.md "Child death review under the 2018 statutory
guidance"): a Joint Agency Response (JAR) or child death review meeting (CDRM) recorded on the
case, and ``mark_ready_for_panel`` needing a CDRM or ``cdrm_not_required_reason``."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from cdop import config
from cdop.models import ReviewMeeting
from core.audit.models import AuditEvent
from tests.cdop.helpers import API, etag, make_case, quick_user, transition

TODAY = dt.date(2026, 9, 1)
DIED = dt.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(config, "today", lambda: TODAY)
    return TODAY


def _meeting(**overrides):
    body = {"kind": "cdrm", "held_on": "2026-08-20",
            "agencies": ["Testshire Hospital", "Testshire Police", "Testshire Children's Services"],
            "outcome": "Agreed the information for the panel; no immediate safeguarding concerns."}
    body.update(overrides)
    return body


def _post(client, case_id, user, **overrides):
    return client.post(f"{API}/child-deaths/{case_id}/review-meetings", json=_meeting(**overrides),
                       headers=user.headers)


def _count(db, case_id) -> int:
    return db.scalar(select(func.count()).select_from(ReviewMeeting).where(ReviewMeeting.child_death_id == case_id))


def test_coordinator_records_a_jar_and_a_cdrm_shown_on_the_case(client, db, coordinator, chair) -> None:
    case = make_case(db, status="information_gathering", date_of_death=DIED)
    db.commit()
    before = etag(client, case.id, coordinator)

    jar = _post(client, case.id, coordinator, kind="jar", held_on="2026-06-11",
                agencies=["Testshire Police", "Testshire Hospital"], outcome="Home visit made jointly.")
    assert jar.status_code == 201, jar.text
    assert jar.json()["kind"] == "jar" and jar.json()["kind_label"] == "Joint Agency Response"
    assert jar.json()["held_on"] == "2026-06-11" and jar.json()["agencies"] == ["Testshire Police", "Testshire Hospital"]
    assert jar.json()["recorded_by"] == "Cora Coordinator"
    cdrm = _post(client, case.id, coordinator)
    assert cdrm.status_code == 201, cdrm.text
    assert cdrm.json()["kind_label"] == "Child death review meeting"

    # listed (in the order held) at GET, for any reader of the case, and on the case itself
    listed = client.get(f"{API}/child-deaths/{case.id}/review-meetings", headers=chair.headers)
    assert listed.status_code == 200
    assert [(m["kind"], m["held_on"]) for m in listed.json()] == [("jar", "2026-06-11"), ("cdrm", "2026-08-20")]
    shown = client.get(f"{API}/child-deaths/{case.id}", headers=coordinator.headers)
    assert shown.json()["review_meetings"] == listed.json()
    assert shown.headers["etag"] != before  # the case's view changed: a new version

    # the timeline names each, the audit trail has the writes and the read, not the content
    history = client.get(f"{API}/child-deaths/{case.id}/history", headers=coordinator.headers).json()
    labels = [(h["action"], h["label"]) for h in history]
    assert ("record_jar", "Joint Agency Response meeting recorded") in labels
    assert ("record_cdrm", "Child death review meeting recorded") in labels
    recorded = [h for h in history if h["action"] == "record_cdrm"][0]
    assert recorded["from"] == recorded["to"] == "information_gathering"
    events = db.execute(select(AuditEvent.action, AuditEvent.data).where(
        AuditEvent.subject_type == "child_death", AuditEvent.subject_id == str(case.id))).all()
    written = [d for a, d in events if a == "child_death.review_meeting"]
    assert [d["kind"] for d in written] == ["jar", "cdrm"]
    assert not any("Home visit" in str(d) for _a, d in events)
    assert "child_death.review_meetings" in [a for a, _d in events]


def test_only_the_coordinator_records_readers_read_and_nobody_else(client, db, coordinator, chair,
                                                                   session_factory) -> None:
    case = make_case(db, status="information_gathering", date_of_death=DIED)
    db.commit()
    assert _post(client, case.id, chair).status_code == 403
    member = quick_user(session_factory, "cdop_panel_member")
    assert _post(client, case.id, member).status_code == 403
    assert client.get(f"{API}/child-deaths/{case.id}/review-meetings", headers=member.headers).status_code == 403
    assert client.get(f"{API}/child-deaths/999999/review-meetings", headers=coordinator.headers).status_code == 404
    assert _post(client, 999999, coordinator).status_code == 404
    assert _count(db, case.id) == 0


@pytest.mark.parametrize("overrides, loc", [
    ({"held_on": "2026-09-02"}, ["body", "held_on"]),            # tomorrow
    ({"held_on": "2026-06-09"}, ["body", "held_on"]),            # the day before the death
    ({"held_on": "not a date"}, ["body", "held_on"]),
    ({"kind": "strategy"}, ["body", "kind"]),
    ({"agencies": []}, ["body", "agencies"]),
    ({"agencies": [f"Agency {i}" for i in range(31)]}, ["body", "agencies"]),
    ({"agencies": ["Testshire Police", "  "]}, ["body", "agencies", 1]),
    ({"agencies": ["Testshire Police", "testshire police"]}, ["body", "agencies", 1]),
    ({"agencies": "Testshire Police"}, ["body", "agencies"]),
    ({"outcome": ""}, ["body", "outcome"]),
    ({"outcome": None}, ["body", "outcome"]),
    ({"extra": 1}, ["body", "extra"]),
])
def test_bad_meetings_are_422_naming_the_field_and_store_nothing(client, db, coordinator, overrides, loc) -> None:
    case = make_case(db, status="information_gathering", date_of_death=DIED)
    db.commit()
    r = _post(client, case.id, coordinator, **overrides)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert loc in [e["loc"][:len(loc)] for e in r.json()["errors"]], r.json()
    assert _count(db, case.id) == 0


def test_the_day_of_the_death_and_today_are_allowed_30_agencies_too(client, db, coordinator) -> None:
    case = make_case(db, status="notified", date_of_death=DIED)
    db.commit()
    assert _post(client, case.id, coordinator, kind="jar", held_on=DIED.isoformat()).status_code == 201
    r = _post(client, case.id, coordinator, held_on=TODAY.isoformat(), agencies=[f"Agency {i}" for i in range(30)])
    assert r.status_code == 201, r.text
    assert len(r.json()["agencies"]) == 30


@pytest.mark.parametrize("status", ["closed", "withdrawn", "transferred_out"])
def test_no_meeting_on_a_finished_case(client, db, coordinator, status) -> None:
    case = make_case(db, status=status, date_of_death=DIED)
    db.commit()
    r = _post(client, case.id, coordinator)
    assert r.status_code == 409, r.text
    assert status.replace("_", " ") in r.json()["detail"]
    assert _count(db, case.id) == 0


def test_ready_for_panel_needs_a_cdrm_or_the_reason_none_is_needed(client, db, coordinator) -> None:
    case = make_case(db, status="information_gathering", date_of_death=DIED)
    db.commit()
    # the precheck offers the action with its optional field (the reason is typed in its form)
    options = client.get(f"{API}/child-deaths/{case.id}/transitions", headers=coordinator.headers).json()
    ready = next(o for o in options if o["action"] == "mark_ready_for_panel")
    assert ready["optional_fields"] == ["cdrm_not_required_reason"]
    (field,) = [i for i in ready["inputs"] if i["name"] == "cdrm_not_required_reason"]
    assert field["required"] is False and "child death review meeting" in field["label"].lower()

    waiting = client.get(f"{API}/child-deaths/{case.id}", headers=coordinator.headers).json()["waiting_on"]
    assert any("child death review meeting recorded, or why none is needed" in w for w in waiting), waiting
    r = transition(client, case.id, coordinator, "mark_ready_for_panel")
    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert error["loc"] == ["body", "cdrm_not_required_reason"]
    assert "no child death review meeting (CDRM) has been recorded" in error["msg"]

    # a JAR is not a CDRM
    assert _post(client, case.id, coordinator, kind="jar").status_code == 201
    assert transition(client, case.id, coordinator, "mark_ready_for_panel").status_code == 422
    assert _post(client, case.id, coordinator, kind="cdrm").status_code == 201
    r = transition(client, case.id, coordinator, "mark_ready_for_panel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready_for_panel" and r.json()["cdrm_not_required_reason"] is None


def test_the_reason_no_cdrm_is_needed_is_stored_and_shown(client, db, coordinator) -> None:
    case = make_case(db, status="information_gathering", date_of_death=DIED)
    db.commit()
    r = transition(client, case.id, coordinator, "mark_ready_for_panel", cdrm_not_required_reason="   ")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "cdrm_not_required_reason"]
    reason = "An expected death in a hospice; the palliative care team reviewed it."
    r = transition(client, case.id, coordinator, "mark_ready_for_panel", cdrm_not_required_reason=reason)
    assert r.status_code == 200, r.text
    assert r.json()["cdrm_not_required_reason"] == reason
    assert client.get(f"{API}/child-deaths/{case.id}", headers=coordinator.headers).json()[
        "cdrm_not_required_reason"] == reason
    history = client.get(f"{API}/child-deaths/{case.id}/history", headers=coordinator.headers).json()
    assert history[-1]["data"]["cdrm_not_required_reason"] == reason


def test_review_hold_is_in_the_table_with_labels(client, coordinator) -> None:
    wf = client.get(f"{API}/workflows/child-death", headers=coordinator.headers).json()
    review = next(t for t in wf["transitions"] if t["action"] == "review_hold")
    assert review["label"] == "Review the hold"
    assert (review["from"], review["to"], review["roles"]) == (["on_hold"], "on_hold", ["cdop_coordinator"])
    assert set(review["fields"]) == {"expected_on", "note"}
    ready = next(t for t in wf["transitions"] if t["action"] == "mark_ready_for_panel")
    assert "cdrm_not_required_reason" in ready["optional_fields"] and "CDRM" in ready["guard"]
