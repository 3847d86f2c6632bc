"""Every state x action x role, through HTTP, against the workflow table."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth.roles import ALL_ROLES, PERMISSIONS
from core.meetings.models import Meeting
from cdop.domain import STATES
from cdop.workflow import WORKFLOW
from tests.cdop.helpers import API, make_case, quick_user

PAYLOADS = {
    "transfer_out": {"home_area": "Otherborough"},
    "withdraw": {"reason": "Notified in error"},
    "place_on_hold": {"hold_reason": "criminal_proceedings", "expected_on": "2099-01-01"},
    "defer_at_panel": {"note": "More information needed"},
    "record_analysis": {"category": 5, "modifiable": "insufficient_information",
                        "domain_scores": {"A": 0, "B": 0, "C": 0, "D": 0}, "learning": "None identified.",
                        "refer_to_case_review": False},
}
TRANSITION_ROLES = PERMISSIONS["child_death:transition"]


def expected(state: str, action: str, role: str) -> int:
    t = WORKFLOW.get(action)
    assert t is not None
    if role not in TRANSITION_ROLES:
        return 403
    if state not in t.sources:
        return 409
    if role not in t.roles:
        return 403
    return 200


@pytest.mark.parametrize("state", STATES)
def test_state_action_role_matrix(client, db, session_factory, state: str) -> None:
    users = {role: quick_user(session_factory, role) for role in sorted(ALL_ROLES)}
    meeting = Meeting(kind="cdop_panel", scheduled_for=dt.datetime.now(dt.UTC) + dt.timedelta(days=20),
                      created_by="test")
    db.add(meeting)
    db.flush()
    PAYLOADS["schedule_for_panel"] = {"meeting_id": meeting.id}
    shared = make_case(db, status=state)
    db.commit()
    checked = 0
    for action in (t.action for t in WORKFLOW.transitions):
        for role, user in users.items():
            want = expected(state, action, role)
            case = shared
            if want == 200:
                case = make_case(db, status=state)
                db.commit()
            r = client.post(f"{API}/child-deaths/{case.id}/transitions",
                            json={"action": action, **PAYLOADS.get(action, {})},
                            headers={**user.headers, "If-Match": f'"{case.version}"'})
            assert r.status_code == want, (state, action, role, r.text)
            if want == 200:
                assert r.json()["status"] == WORKFLOW.get(action).target
            elif want == 409:
                assert r.json()["code"] == "invalid_transition"
            checked += 1
    assert checked == len(WORKFLOW.transitions) * len(ALL_ROLES)
    db.expire_all()
    assert db.get(type(shared), shared.id).status == state  # refused actions changed nothing

    # GET /transitions lists exactly the actions the role may take from this state
    for role in TRANSITION_ROLES:
        got = client.get(f"{API}/child-deaths/{shared.id}/transitions", headers=users[role].headers)
        assert got.status_code == 200
        want = sorted(t.action for t in WORKFLOW.transitions if state in t.sources and role in t.roles)
        assert sorted(o["action"] for o in got.json()) == want, (state, role)
