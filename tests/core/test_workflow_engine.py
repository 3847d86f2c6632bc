"""The transition-table engine, applied to a plain object (no table of its own)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.principal import Principal
from core.errors import AppError
from core.workflow import Text, Transition, Workflow, apply_transition, available_transitions, history_for
from core.workflow.engine import check_if_match, record_creation_history
from core.workflow.table import WORKFLOWS, register_workflow


class Widget:
    """Stands in for a case row: id, status, version and the ETag."""

    def __init__(self, status: str = "draft", *, id: int = 7, version: int = 1, flagged: bool = False,
                 scr: bool = False) -> None:
        self.id, self.status, self.version = id, status, version
        self.flagged, self.scr = flagged, scr
        self.status_changed_at: dt.datetime | None = None

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


EFFECTS: list[dict[str, Any]] = []


def _not_flagged(ctx) -> str | None:
    return "a second opinion is needed first" if ctx.case.flagged else None


def _date_not_past(ctx) -> str | None:
    if ctx.precheck:
        return None
    return "the date must not be in the past" if ctx.data["on"] < dt.date(2000, 1, 1) else None


def _remember(ctx) -> None:
    EFFECTS.append({"data": dict(ctx.data), "note": ctx.note, "from": ctx.from_state,
                    "to": ctx.case.status, "actor": ctx.principal.actor})
    ctx.history_data["effect"] = "ran"


WF = Workflow(
    name="test-widget",
    subject_type="test_widget",
    states=("draft", "review", "approved", "rejected", "closed"),
    initial="draft",
    terminal=("closed",),
    regime="TEST",
    transitions=(
        Transition("submit", ("draft",), "review", ("business_unit",)),
        Transition("approve", ("review",), "approved", ("crg_chair",), fields={"rationale": Text},
                   optional={"decided_on": dt.date}, effects=(_remember,)),
        Transition("reject", ("review",), "rejected", ("crg_chair",), fields={"reason": Text},
                   guards=(_not_flagged,), guard_note="not while flagged"),
        Transition("reopen", ("rejected",), "review", ("crg_chair", "independent_chair"),
                   role_rule=lambda case: ("independent_chair",) if case.scr else ("crg_chair",),
                   role_note="independent chair for SCR widgets"),
        Transition("close", ("approved", "rejected"), "closed", ("business_unit",),
                   fields={"on": dt.date}, guards=(_date_not_past,), guard_status=422),
    ),
)


def who(*roles: str, uid: int = 1) -> Principal:
    return Principal(subject=str(uid), email=f"u{uid}@example.test", name=f"User {uid}",
                     roles=frozenset(roles), user_id=uid)


BU, CHAIR, IC = who("business_unit"), who("crg_chair", uid=2), who("independent_chair", uid=3)


@pytest.fixture(autouse=True)
def _clear_effects() -> Iterator[None]:
    EFFECTS.clear()
    yield
    EFFECTS.clear()


def raises(status: int, code: str, fn, *args) -> AppError:
    with pytest.raises(AppError) as info:
        fn(*args)
    assert (info.value.status, info.value.code) == (status, code), info.value.body()
    return info.value


def test_if_match_required_and_checked(db) -> None:
    w = Widget()
    raises(428, "precondition_required", apply_transition, db, WF, w, {"action": "submit"}, BU, None)
    raises(428, "precondition_required", apply_transition, db, WF, w, {"action": "submit"}, BU, "")
    raises(412, "precondition_failed", apply_transition, db, WF, w, {"action": "submit"}, BU, '"0"')
    assert w.status == "draft"
    for good in ('"1"', 'W/"1"', '"5", "1"', "*"):
        check_if_match(w, good)


def test_invalid_transition_lists_allowed_actions(db) -> None:
    w = Widget("review")
    err = raises(409, "invalid_transition", apply_transition, db, WF, w, {"action": "submit"}, CHAIR, '"1"')
    assert err.extra["allowed_actions"] == ["approve", "reject"] and err.extra["state"] == "review"
    err = raises(409, "invalid_transition", apply_transition, db, WF, w, {"action": "explode"}, CHAIR, '"1"')
    assert err.extra["allowed_actions"] == ["approve", "reject"]
    # Only actions the caller's roles allow are listed.
    err = raises(409, "invalid_transition", apply_transition, db, WF, w, {"action": "close"}, BU, '"1"')
    assert err.extra["allowed_actions"] == []


def test_missing_or_malformed_action_is_422(db) -> None:
    w = Widget()
    err = raises(422, "validation_error", apply_transition, db, WF, w, {}, BU, '"1"')
    assert err.extra["errors"] == [{"loc": ["body", "action"], "msg": "the action to take is required"}]
    raises(422, "validation_error", apply_transition, db, WF, w, {"action": 3}, BU, '"1"')
    raises(422, "validation_error", apply_transition, db, WF, w, ["submit"], BU, '"1"')


def test_role_not_allowed_is_403(db) -> None:
    w = Widget()
    err = raises(403, "forbidden", apply_transition, db, WF, w, {"action": "submit"}, who("crg_member"), '"1"')
    assert "business_unit" in err.detail
    assert w.status == "draft"


def test_role_rule_depends_on_the_case(db) -> None:
    raises(403, "forbidden", apply_transition, db, WF, Widget("rejected", scr=True), {"action": "reopen"},
           CHAIR, '"1"')
    apply_transition(db, WF, Widget("rejected", scr=True), {"action": "reopen"}, IC, '"1"')
    apply_transition(db, WF, Widget("rejected"), {"action": "reopen"}, CHAIR, '"1"')
    raises(403, "forbidden", apply_transition, db, WF, Widget("rejected"), {"action": "reopen"}, IC, '"1"')


@pytest.mark.parametrize(
    ("payload", "loc", "msg_part"),
    [
        ({"action": "approve"}, ["body", "rationale"], "required"),
        ({"action": "approve", "rationale": "   "}, ["body", "rationale"], "at least 1"),
        ({"action": "approve", "rationale": "ok", "decided_on": "someday"}, ["body", "decided_on"], "date"),
        ({"action": "approve", "rationale": "ok", "surprise": 1}, ["body", "surprise"], "not permitted"),
        ({"action": "approve", "rationale": 12}, ["body", "rationale"], "string"),
    ],
    ids=["missing", "blank", "invalid-date", "extra-field", "wrong-type"],
)
def test_fields_validated_naming_the_field(db, payload, loc, msg_part) -> None:
    w = Widget("review")
    err = raises(422, "validation_error", apply_transition, db, WF, w, payload, CHAIR, '"1"')
    errors = err.extra["errors"]
    assert loc in [e["loc"] for e in errors], errors
    assert any(msg_part in e["msg"] for e in errors), errors
    assert w.status == "review" and not EFFECTS


def test_guard_refuses_with_409_and_reason(db) -> None:
    w = Widget("review", flagged=True)
    err = raises(409, "invalid_transition", apply_transition, db, WF, w,
                 {"action": "reject", "reason": "no"}, CHAIR, '"1"')
    assert err.detail == "a second opinion is needed first"
    assert err.extra["allowed_actions"] == ["approve", "reject"]
    assert w.status == "review"


def test_guard_status_422(db) -> None:
    w = Widget("approved")
    err = raises(422, "validation_error", apply_transition, db, WF, w,
                 {"action": "close", "on": "1999-12-31"}, BU, '"1"')
    assert err.extra["errors"][0]["msg"] == "the date must not be in the past"
    apply_transition(db, WF, w, {"action": "close", "on": "2030-01-01"}, BU, '"1"')
    assert w.status == "closed"


def test_apply_runs_effects_and_writes_history_and_audit(db) -> None:
    w = Widget("review")
    ctx = apply_transition(db, WF, w, {"action": "approve", "rationale": "  clear case  ",
                                       "decided_on": "2026-05-01", "note": "as discussed"}, CHAIR, '"1"')
    assert w.status == "approved" and w.status_changed_at == ctx.now
    assert EFFECTS == [{"data": {"rationale": "clear case", "decided_on": dt.date(2026, 5, 1)},
                        "note": "as discussed", "from": "review", "to": "approved", "actor": "user:2"}]
    history = history_for(db, "test_widget", w.id)
    assert len(history) == 1
    h = history[0]
    assert (h["action"], h["from"], h["to"], h["note"], h["actor"], h["actor_id"]) == (
        "approve", "review", "approved", "as discussed", "User 2", "user:2")
    assert h["data"] == {"rationale": "clear case", "decided_on": "2026-05-01", "effect": "ran"}
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "test_widget.transition")).one()
    assert (event.actor, event.subject_type, event.subject_id) == ("user:2", "test_widget", str(w.id))
    # The audit trail names the action and states only, never the submitted text.
    assert event.data == {"action": "approve", "from": "review", "to": "approved"}


def test_history_in_order_with_creation(db) -> None:
    w = Widget()
    record_creation_history(db, WF, w, "user:1", "User 1")
    apply_transition(db, WF, w, {"action": "submit"}, BU, '"1"')
    apply_transition(db, WF, w, {"action": "reject", "reason": "incomplete"}, CHAIR, '"1"')
    steps = [(h["action"], h["from"], h["to"]) for h in history_for(db, "test_widget", w.id)]
    assert steps == [("create", None, "draft"), ("submit", "draft", "review"), ("reject", "review", "rejected")]
    assert history_for(db, "test_widget", 999) == []
    assert history_for(db, "other_type", w.id) == []


# An unlabelled table gets words made from the names (the service's own tables are all labelled:
# tests/core/test_workflow_labels.py).
APPROVE_INPUTS = [
    {"name": "rationale", "label": "Rationale", "type": "text", "required": True, "choices": None},
    {"name": "note", "label": "Note", "type": "text", "required": False, "choices": None},
    {"name": "decided_on", "label": "Decided on", "type": "date", "required": False, "choices": None},
]


def test_available_transitions_with_blocked_reason(db) -> None:
    w = Widget("review", flagged=True)
    out = available_transitions(db, WF, w, CHAIR)
    assert [t["action"] for t in out] == ["approve", "reject"]
    approve, reject = out
    assert approve == {"action": "approve", "label": "Approve", "to": "approved", "fields": ["rationale"],
                       "optional_fields": ["decided_on"], "blocked_reason": None, "inputs": APPROVE_INPUTS}
    assert reject["blocked_reason"] == "a second opinion is needed first"
    assert available_transitions(db, WF, w, BU) == []
    assert [t["action"] for t in available_transitions(db, WF, Widget("approved"), BU)] == ["close"]


def test_describe_is_the_table() -> None:
    d = WF.describe()
    assert d["name"] == "test-widget" and d["initial"] == "draft" and d["regime"] == "TEST"
    assert d["states"] == ["draft", "review", "approved", "rejected", "closed"] and d["terminal"] == ["closed"]
    by_action = {t["action"]: t for t in d["transitions"]}
    assert list(by_action) == ["submit", "approve", "reject", "reopen", "close"]
    assert by_action["approve"] == {"action": "approve", "label": "Approve", "from": ["review"],
                                    "to": "approved", "roles": ["crg_chair"], "role_note": None,
                                    "fields": ["rationale"], "optional_fields": ["note", "decided_on"],
                                    "guard": None, "inputs": APPROVE_INPUTS}
    assert by_action["close"]["from"] == ["approved", "rejected"]
    assert by_action["reject"]["guard"] == "not while flagged"
    assert by_action["reopen"]["role_note"] == "independent chair for SCR widgets"


def test_mermaid() -> None:
    text = WF.mermaid()
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2" and lines[1] == "    [*] --> draft"
    assert "    draft --> review: submit (business_unit)" in lines
    assert "    approved --> closed: close (business_unit)" in lines
    assert "    rejected --> closed: close (business_unit)" in lines
    assert lines[-1] == "    closed --> [*]" and text.endswith("\n")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"transitions": (Transition("a", ("draft",), "nowhere", ("admin",)),)}, "unknown state"),
        ({"transitions": (Transition("a", ("limbo",), "draft", ("admin",)),)}, "unknown state"),
        ({"transitions": (Transition("a", ("draft",), "done", ("admin",)),
                          Transition("a", ("done",), "draft", ("admin",)))}, "duplicate action"),
        ({"transitions": (Transition("a", "draft", "done", ("admin",)),)}, "not strings"),  # type: ignore[arg-type]
        ({"transitions": (Transition("a", ("draft",), "done", ("wizard",)),)}, "unknown roles"),
        ({"transitions": (Transition("a", (), "done", ("admin",)),)}, "no source"),
        ({"transitions": (Transition("a", ("draft",), "done", ("admin",), guard_status=400),)}, "guard_status"),
        ({"transitions": (Transition("a", ("draft",), "done", ("admin",), fields={"action": str}),)}, "action"),
        ({"initial": "limbo"}, "initial"),
        ({"terminal": ("limbo",)}, "terminal"),
        ({"states": ("draft", "done", "draft")}, "distinct"),
    ],
)
def test_workflow_construction_rejects_mistakes(kwargs, message) -> None:
    values: dict[str, Any] = dict(name="bad", subject_type="bad", states=("draft", "done"), initial="draft",
                                  terminal=("done",), transitions=())
    values.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Workflow(**values)


@pytest.fixture
def registered() -> Iterator[Workflow]:
    previous = WORKFLOWS.get(WF.name)
    register_workflow(WF)
    yield WF
    if previous is None:
        WORKFLOWS.pop(WF.name, None)
    else:
        WORKFLOWS[WF.name] = previous


def test_workflow_endpoint(client: TestClient, make_user, registered) -> None:
    user = make_user("crg_member")
    r = client.get("/api/v1/workflows/test-widget", headers=user.headers)
    assert r.status_code == 200 and r.json() == WF.describe()
    r = client.get("/api/v1/workflows/no-such-thing", headers=user.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.get("/api/v1/workflows/test-widget")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def _queue_events(ctx) -> None:
    ctx.record("test_widget.flagged", data={"why": "second opinion"})
    ctx.record("meeting.agenda_add", subject_type="meeting", subject_id=42, data={"case_id": ctx.case.id})


QUEUING = Workflow(
    name="test-queuing", subject_type="test_widget", states=("a", "b"), initial="a",
    transitions=(Transition("go", ("a",), "b", ("business_unit",), effects=(_queue_events,)),),
)


def test_effects_queue_audit_events_the_engine_records(db) -> None:
    """Effects never call core.audit.record: they queue events on the context, which the
    engine records after the effects, with the transition's actor."""
    w = Widget("a", id=9)
    ctx = apply_transition(db, QUEUING, w, {"action": "go"}, BU, '"1"')
    assert [e["action"] for e in ctx.audit_events] == ["test_widget.flagged", "meeting.agenda_add"]
    db.flush()
    events = db.scalars(select(AuditEvent).where(AuditEvent.subject_type.in_(("test_widget", "meeting")))
                        .order_by(AuditEvent.id)).all()
    got = [(e.action, e.actor, e.subject_type, e.subject_id, e.data) for e in events]
    assert got == [
        ("test_widget.transition", "user:1", "test_widget", "9", {"action": "go", "from": "a", "to": "b"}),
        ("test_widget.flagged", "user:1", "test_widget", "9", {"why": "second opinion"}),
        ("meeting.agenda_add", "user:1", "meeting", "42", {"case_id": 9}),
    ]


def test_a_refused_transition_records_no_queued_event(db) -> None:
    w = Widget("b", id=10)
    with pytest.raises(AppError):
        apply_transition(db, QUEUING, w, {"action": "go"}, BU, '"1"')
    db.flush()
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "test_widget.flagged")).all()
