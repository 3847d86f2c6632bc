"""Applies any workflow table to a case row, in the caller's transaction.

Order of checks (the case has already been loaded with a row lock by the domain repository,
and a case the caller may not see has already answered 404):

1. ``If-Match`` missing: 428; stale: 412.
2. no such action from this state: 409 ``invalid_transition`` with the allowed actions.
3. role not allowed: 403.
4. required fields missing or invalid: 422 naming each field.
5. a guard fails: 409 (or 422 for a guard about the fields) with its reason.
6. set the state, run the effects (deadlines, outbox, links), write history and audit, flush.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Table, and_, bindparam, select
from sqlalchemy.sql.elements import False_, True_
from sqlalchemy.orm import Session

from core.audit import record
from core.auth.principal import Principal
from core.db.base import utcnow
from core.errors import (
    Forbidden,
    InvalidTransition,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from core.workflow.models import WorkflowHistory
from core.workflow.record import save_changes
from core.workflow.table import Transition, Workflow, humanize

_HISTORY = WorkflowHistory.__table__
# Built once: per row only the parameters change (a statement built with ``.values()`` per
# call costs its construction and a cache-key walk of every value).
_INSERT_HISTORY = _HISTORY.insert()


@dataclass
class TransitionContext:
    session: Session
    workflow: Workflow
    transition: Transition
    case: Any
    principal: Principal
    data: dict[str, Any]
    note: str | None
    now: dt.datetime
    from_state: str
    precheck: bool = False
    history_data: dict[str, Any] = field(default_factory=dict)
    # Extra audit events queued by effects; the engine records them, with the transition's
    # actor, after the effects have run (effects never call ``core.audit.record``).
    audit_events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def record(self, action: str, *, subject_type: str | None = None, subject_id: int | None = None,
               data: dict[str, Any] | None = None) -> None:
        """Queue an audit event about this transition: about the case itself unless
        ``subject_type`` (and ``subject_id``) name another subject, e.g. a meeting."""
        self.audit_events.append({"action": action, "subject_type": subject_type, "subject_id": subject_id,
                                  "data": data})


def check_if_match(case: Any, if_match: str | None) -> None:
    if not if_match:
        raise PreconditionRequired("send the If-Match header with the ETag you last read")
    candidates = {v.strip() for v in if_match.split(",")}
    if "*" in candidates:
        return
    weak = {v[2:] if v.startswith("W/") else v for v in candidates}
    if case.etag not in weak:
        raise PreconditionFailed("the case has changed since you read it; reload it and try again")


def allowed_actions(workflow: Workflow, case: Any, principal: Principal) -> list[str]:
    return [
        t.action for t in workflow.from_state(case.status) if principal.roles & t.roles_for(case)
    ]


def available_transitions(
    session: Session, workflow: Workflow, case: Any, principal: Principal
) -> list[dict[str, Any]]:
    """The actions this caller may take now, with why a guard would stop one."""
    out = []
    now = utcnow()
    for t in workflow.from_state(case.status):
        if not principal.roles & t.roles_for(case):
            continue
        ctx = TransitionContext(session, workflow, t, case, principal, {}, None, now,
                                case.status, precheck=True)
        blocked = next((r for g in t.guards if (r := g(ctx))), None)
        out.append({
            "action": t.action,
            "label": t.label or humanize(t.action),
            "to": t.target,
            "fields": list(t.fields),
            "optional_fields": list(t.optional),
            "blocked_reason": blocked,
            "inputs": workflow.inputs(t),
        })
    return out


def apply_transition(
    session: Session,
    workflow: Workflow,
    case: Any,
    payload: dict[str, Any],
    principal: Principal,
    if_match: str | None,
) -> TransitionContext:
    check_if_match(case, if_match)
    if not isinstance(payload, dict):
        raise ValidationFailed.field(["body"], "expected an object with an action")
    action = payload.get("action")
    if not isinstance(action, str) or not action:
        raise ValidationFailed.field(["body", "action"], "the action to take is required")
    transition = workflow.get(action)
    if transition is None or case.status not in transition.sources:
        allowed = allowed_actions(workflow, case, principal)
        what = f"'{action[:100]}'"
        raise InvalidTransition(
            f"{what} is not possible from the state '{case.status}'",
            state=case.status,
            allowed_actions=allowed,
        )
    if not principal.roles & transition.roles_for(case):
        raise Forbidden(
            f"'{transition.action}' needs one of the roles: {', '.join(sorted(transition.roles_for(case)))}"
        )
    try:
        parsed = transition.payload_model.model_validate(payload)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = ["body", *[p for p in err["loc"]]]
            msg = "this field is required for this action" if err["type"] == "missing" else err["msg"]
            errors.append({"loc": loc, "msg": msg})
        raise ValidationFailed(errors) from None
    data = parsed.model_dump(exclude={"action", "note"}, exclude_none=True)
    note = getattr(parsed, "note", None)
    ctx = TransitionContext(session, workflow, transition, case, principal, data, note,
                            utcnow(), case.status)
    for guard in transition.guards:
        reason = guard(ctx)
        if reason:
            if transition.guard_status == 422:
                raise ValidationFailed([{"loc": ["body"], "msg": reason}], detail=reason)
            raise InvalidTransition(reason, state=case.status,
                                    allowed_actions=allowed_actions(workflow, case, principal))
    case.status = transition.target
    # an action that keeps the state (e.g. recording a later outcome) leaves its date alone
    if hasattr(case, "status_changed_at") and transition.target != ctx.from_state:
        case.status_changed_at = ctx.now
    for effect in transition.effects:
        effect(ctx)
    save_changes(session, case)  # bumps the version; a concurrent writer fails here (StaleDataError -> 412)
    # Core inserts on the session's connection (history is append-only, never loaded back as an
    # entity in this transaction): no ORM bookkeeping per row.
    session.connection().execute(_INSERT_HISTORY, {
        "subject_type": workflow.subject_type,
        "subject_id": case.id,
        "at": ctx.now,
        "actor": principal.actor,
        "actor_name": principal.name,
        "action": transition.action,
        "from_state": ctx.from_state,
        "to_state": transition.target,
        "note": note,
        "data": _jsonable({**data, **ctx.history_data}),
    })
    record(
        session,
        actor=principal.actor,
        action=f"{workflow.subject_type}.transition",
        subject_type=workflow.subject_type,
        subject_id=case.id,
        data={"action": transition.action, "from": ctx.from_state, "to": transition.target},
    )
    for event in ctx.audit_events:
        record(
            session,
            actor=principal.actor,
            action=event["action"],
            subject_type=event["subject_type"] or workflow.subject_type,
            subject_id=event["subject_id"] if event["subject_type"] else case.id,
            data=event["data"],
        )
    return ctx


def record_creation_history(
    session: Session, workflow: Workflow, case: Any, actor: str, actor_name: str | None,
    action: str = "create", note: str | None = None, data: dict[str, Any] | None = None,
) -> None:
    session.connection().execute(_INSERT_HISTORY, {
        "subject_type": workflow.subject_type, "subject_id": case.id, "at": utcnow(), "actor": actor,
        "actor_name": actor_name, "action": action, "from_state": None, "to_state": case.status,
        "note": note, "data": _jsonable(data or {}),
    })


# Built once per subject type, table and constant visibility (true() or false()): per request
# only the id changes. A clause that depends on the caller (a member's agendas) is built per call.
_HISTORY_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _history_statement(subject_type: str, visible: tuple[Table, ColumnElement[bool]] | None) -> Any:
    key: tuple[Any, ...] | None = (subject_type,)
    if visible is not None:
        key = (subject_type, visible[0].name, type(visible[1])) if isinstance(visible[1], True_ | False_) else None
    if key is not None and (cached := _HISTORY_STATEMENTS.get(key)) is not None:
        return cached
    h = _HISTORY.c
    columns = (h.at, h.actor, h.actor_name, h.action, h.from_state, h.to_state, h.note, h.data)
    subject_id = bindparam("subject_id")
    if visible is None:
        stmt = select(*columns).where(h.subject_type == subject_type, h.subject_id == subject_id)
    else:
        table, readable = visible
        stmt = (select(*columns)
                .select_from(table.outerjoin(_HISTORY, and_(h.subject_type == subject_type,
                                                            h.subject_id == table.c.id)))
                .where(table.c.id == subject_id, readable))
    stmt = stmt.order_by(h.id)
    if key is not None:
        _HISTORY_STATEMENTS[key] = stmt
    return stmt


def history_for(session: Session, subject_type: str, subject_id: int, *,
                visible: tuple[Table, ColumnElement[bool]] | None = None,
                labels: Mapping[str, str] | None = None) -> list[dict[str, Any]] | None:
    """The subject's workflow history, oldest first. ``visible``: the subject's table and its
    "readable by" clause, checked in the same statement (the subject outer-joined to its
    entries): None when the caller may not read the subject (the domain answers 404).
    ``labels``: human words for each action (``Workflow.history_labels``)."""
    labels = labels or {}
    stmt = _history_statement(subject_type, visible)
    rows = session.execute(stmt, {"subject_id": subject_id}).all()
    if visible is not None and not rows:
        return None
    return [
        {
            "at": r.at,
            "actor": r.actor_name or r.actor,
            "actor_id": r.actor,
            "action": r.action,
            "label": labels.get(r.action) or humanize(r.action),
            "from": r.from_state,
            "to": r.to_state,
            "note": r.note,
            "data": r.data or {},
        }
        for r in rows if r.at is not None  # a readable subject with no entries: one row of nulls
    ]


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(data, default=str))
