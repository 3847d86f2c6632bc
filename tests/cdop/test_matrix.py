"""Every state x action x role of the child death table, over HTTP.

The expected answers come from API.md's child death table written out again here (not read
from ``cdop.workflow.WORKFLOW``), so the test fails if the engine and the contract drift apart.
Cases are put into each state directly in the database; one HTTP call per combination.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.auth.roles import ALL_ROLES
from core.meetings.models import Meeting
from tests.cdop.helpers import API, make_case, quick_user

# API.md, "Child deaths (cdop)": action: (from states, to state, roles)
TABLE: dict[str, tuple[tuple[str, ...], str, set[str]]] = {}


def row(action: str, sources: str, target: str, roles: str) -> None:
    TABLE[action] = (tuple(sources.split()), target, set(roles.split()))


row("start_information_gathering", "notified", "information_gathering", "cdop_coordinator")
row("transfer_out", "notified information_gathering", "transferred_out", "cdop_coordinator")
row("record_external_outcome", "transferred_out", "transferred_out", "cdop_coordinator")
row("withdraw", "notified", "withdrawn", "cdop_coordinator")
row("place_on_hold", "information_gathering ready_for_panel", "on_hold", "cdop_coordinator")
row("review_hold", "on_hold", "on_hold", "cdop_coordinator")
row("release_hold", "on_hold", "information_gathering", "cdop_coordinator")
row("mark_ready_for_panel", "information_gathering", "ready_for_panel", "cdop_coordinator")
row("schedule_for_panel", "ready_for_panel", "scheduled_for_panel", "cdop_coordinator")
row("defer_at_panel", "scheduled_for_panel", "ready_for_panel", "cdop_coordinator cdop_chair")
row("record_analysis", "scheduled_for_panel", "reviewed", "cdop_chair")
row("close", "reviewed", "closed", "cdop_coordinator")

STATES = (
    "notified", "information_gathering", "on_hold", "ready_for_panel", "scheduled_for_panel",
    "reviewed", "closed", "withdrawn", "transferred_out",
)
# the roles holding the route's permission (child_death:transition): the table's roles
TRANSITION_ROLES = {"cdop_coordinator", "cdop_chair"}

# the fields of API.md's table for each action
PAYLOADS: dict[str, dict[str, Any]] = {
    "transfer_out": {"home_area": "Otherborough"},
    "withdraw": {"reason": "Notified in error"},
    # received today: on or after the transfer of a case put into transferred_out just now
    "record_external_outcome": {"outcome_received_on": dt.date.today().isoformat(), "category": 9,
                                "modifiable": "no"},
    "place_on_hold": {"hold_reason": "criminal_proceedings", "expected_on": "2099-01-01"},
    "defer_at_panel": {"note": "More information needed"},
    "review_hold": {"expected_on": "2099-02-01", "note": "The inquest was adjourned again"},
    # optional in the table; without it a case with no CDRM recorded is refused (422), which
    # tests/cdop/test_review_meetings.py tests
    "mark_ready_for_panel": {"cdrm_not_required_reason": "An expected death; no CDRM needed"},
    "record_analysis": {"category": 5, "modifiable": "insufficient_information",
                        "domain_scores": {"A": 0, "B": 0, "C": 0, "D": 0}, "learning": "None identified.",
                        "refer_to_case_review": False},
}


def expected(state: str, action: str, role: str) -> int:
    sources, _target, roles = TABLE[action]
    if role not in TRANSITION_ROLES:
        return 403
    if state not in sources:
        return 409
    if role not in roles:
        return 403
    return 200


def test_the_table_covers_the_served_workflow(client, session_factory) -> None:
    """GET /workflows/child-death serves exactly the table written out above."""
    user = quick_user(session_factory, "cdop_coordinator")
    r = client.get(f"{API}/workflows/child-death", headers=user.headers)
    assert r.status_code == 200, r.text
    wf = r.json()
    assert wf["initial"] == "notified"
    assert set(wf["states"]) == set(STATES)
    assert set(wf["terminal"]) == {"closed", "withdrawn", "transferred_out"}
    served = {t["action"]: (set(t["from"]), t["to"], set(t["roles"])) for t in wf["transitions"]}
    written = {a: (set(s), t, r) for a, (s, t, r) in TABLE.items()}
    assert served == written
    fields = {t["action"]: set(t["fields"]) for t in wf["transitions"]}
    for action, payload in PAYLOADS.items():
        if action not in ("place_on_hold", "mark_ready_for_panel"):
            assert fields[action] == set(payload), action
    optional = {t["action"]: set(t["optional_fields"]) for t in wf["transitions"]}
    assert fields["mark_ready_for_panel"] == set()
    assert optional["mark_ready_for_panel"] == {"note", "cdrm_not_required_reason"}
    assert fields["place_on_hold"] == {"hold_reason", "expected_on"}
    assert fields["schedule_for_panel"] == {"meeting_id"}


@pytest.mark.parametrize("state", STATES)
def test_state_action_role_matrix(client, db, session_factory, state: str) -> None:
    users = {role: quick_user(session_factory, role) for role in sorted(ALL_ROLES)}
    meeting = Meeting(kind="cdop_panel", scheduled_for=dt.datetime.now(dt.UTC) + dt.timedelta(days=20),
                      created_by="test")
    db.add(meeting)
    db.flush()
    payloads = {**PAYLOADS, "schedule_for_panel": {"meeting_id": meeting.id}}
    shared = make_case(db, status=state)
    db.commit()
    checked = 0
    for action in TABLE:
        for role, user in users.items():
            want = expected(state, action, role)
            case = shared
            if want == 200:
                case = make_case(db, status=state)
                db.commit()
            r = client.post(f"{API}/child-deaths/{case.id}/transitions",
                            json={"action": action, **payloads.get(action, {})},
                            headers={**user.headers, "If-Match": f'"{case.version}"'})
            assert r.status_code == want, (state, action, role, r.text)
            if want == 200:
                assert r.json()["status"] == TABLE[action][1]
            elif want == 409:
                assert r.json()["code"] == "invalid_transition"
            checked += 1
    assert checked == len(TABLE) * len(ALL_ROLES)
    db.expire_all()
    assert db.get(type(shared), shared.id).status == state  # refused actions changed nothing

    # GET /transitions lists exactly the actions the role may take from this state
    for role in TRANSITION_ROLES:
        got = client.get(f"{API}/child-deaths/{shared.id}/transitions", headers=users[role].headers)
        assert got.status_code == 200
        want = sorted(a for a, (sources, _t, roles) in TABLE.items() if state in sources and role in roles)
        assert sorted(o["action"] for o in got.json()) == want, (state, role)
