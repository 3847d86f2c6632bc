"""Bug 8: a child death taken off a panel agenda goes back to ready_for_panel (history, audit)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.audit.models import AuditEvent
from tests.cdop.helpers import API, make_case, transition

FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0).isoformat()


def test_removing_a_child_death_from_the_agenda_returns_it_to_ready_for_panel(client, db, coordinator) -> None:
    case = make_case(db, status="ready_for_panel")
    db.commit()
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE},
                          headers=coordinator.headers).json()
    assert transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=meeting["id"]).status_code == 200

    r = client.delete(f"{API}/meetings/{meeting['id']}/agenda/{case.id}", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    assert r.json()["agenda"] == []

    detail = client.get(f"{API}/child-deaths/{case.id}", headers=coordinator.headers).json()
    assert detail["status"] == "ready_for_panel"
    assert detail["panel_meeting_id"] is None
    assert "to be scheduled for a panel meeting" in detail["waiting_on"]
    history = client.get(f"{API}/child-deaths/{case.id}/history", headers=coordinator.headers).json()
    last = history[-1]
    assert (last["from"], last["to"]) == ("scheduled_for_panel", "ready_for_panel")
    assert last["action"] == "remove_from_agenda"
    assert last["data"]["meeting_id"] == meeting["id"]
    assert last["actor"] == "Cora Coordinator"
    events = db.execute(select(AuditEvent.action).where(AuditEvent.subject_type == "child_death",
                                                        AuditEvent.subject_id == str(case.id))).scalars().all()
    assert "child_death.remove_from_agenda" in events

    # it can be scheduled again, on another panel
    other = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE},
                        headers=coordinator.headers).json()
    again = transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=other["id"])
    assert again.status_code == 200 and again.json()["panel_meeting_id"] == other["id"]


def test_removing_a_reviewed_case_keeps_its_state(client, db, coordinator) -> None:
    """A case already reviewed at the meeting stays reviewed; only scheduled cases go back."""
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE},
                          headers=coordinator.headers).json()
    case = make_case(db, status="ready_for_panel")
    db.commit()
    assert transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=meeting["id"]).status_code == 200
    from cdop.models import ChildDeath

    db.expire_all()
    db.get(ChildDeath, case.id).status = "reviewed"
    db.commit()
    r = client.delete(f"{API}/meetings/{meeting['id']}/agenda/{case.id}", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    assert client.get(f"{API}/child-deaths/{case.id}", headers=coordinator.headers).json()["status"] == "reviewed"


def test_removing_an_old_agenda_item_leaves_the_case_on_its_new_panel(client, db, coordinator) -> None:
    """Deferred at one panel (its agenda item stays) and scheduled for another: taking it off the
    first agenda does not touch its place on the second."""
    case = make_case(db, status="ready_for_panel")
    db.commit()
    first = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE},
                        headers=coordinator.headers).json()
    second = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE},
                         headers=coordinator.headers).json()
    assert transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=first["id"]).status_code == 200
    assert transition(client, case.id, coordinator, "defer_at_panel", note="More information").status_code == 200
    assert transition(client, case.id, coordinator, "schedule_for_panel", meeting_id=second["id"]).status_code == 200
    r = client.delete(f"{API}/meetings/{first['id']}/agenda/{case.id}", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    detail = client.get(f"{API}/child-deaths/{case.id}", headers=coordinator.headers).json()
    assert (detail["status"], detail["panel_meeting_id"]) == ("scheduled_for_panel", second["id"])
    # taking it off the second agenda returns it to ready_for_panel
    r = client.delete(f"{API}/meetings/{second['id']}/agenda/{case.id}", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    detail = client.get(f"{API}/child-deaths/{case.id}", headers=coordinator.headers).json()
    assert (detail["status"], detail["panel_meeting_id"]) == ("ready_for_panel", None)
