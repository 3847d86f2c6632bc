"""The actions agreed at the panel, tracked to completion (API.md "Analysis").

``record_analysis`` turns each action of the analysis into a ``cdop_actions`` row with, when
it has a due date, a stored deadline (``core_deadlines``: subject the child death, kind
``cdop_action:{id}``), so an overdue action is an indexed query like every other clock. The
coordinator completes an action (the deadline is met on the day it was done) or cancels it
with a reason (the deadline is waived with that reason); nothing else ends one. Closing the
review leaves its actions and their deadlines as they are: they are followed to the end.

The owner is reminded like an agency asked for a report (``core.reminders``: once when the due
date is near, then every week while overdue), at the owner's email address or, when none was
given, the panel's contact address. Reminders are marked with one UPDATE per action that does
not touch its version, so a reminder never makes the coordinator's copy stale.

Below ``service`` (which audits) and beside ``workflow`` (which calls :func:`create`): this
module reads and writes rows, never audit events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cdop import emails
from cdop.domain import SUBJECT, action_deadline_kind
from cdop.models import ChildDeath, ChildDeathAction
from core.db.base import utcnow
from core.deadlines import close_deadlines
from core.deadlines.models import Deadline
from core.errors import Conflict, NotFound, ValidationFailed
from core.reminders import reminder_due
from core.settings import Settings

DEADLINE_LABEL = "Action agreed by the panel"


def create(session: Session, case: ChildDeath, items: Sequence[dict[str, Any]], *, actor: str,
           today: dt.date) -> list[ChildDeathAction]:
    """The analysis's actions as rows (in their order after any the case has), each with its
    stored deadline; one INSERT each for the rows and the deadlines."""
    start = (session.scalar(select(ChildDeathAction.position)
                            .where(ChildDeathAction.child_death_id == case.id)
                            .order_by(ChildDeathAction.position.desc()).limit(1)) or 0)
    rows = [
        ChildDeathAction(child_death_id=case.id, position=start + i, description=item["description"],
                         owner_agency=item["owner_agency"], owner_email=item.get("owner_email"),
                         due_on=item.get("due_on"), status="open", created_by=actor, reminders_sent=0)
        for i, item in enumerate(items, start=1)
    ]
    session.add_all(rows)
    session.flush()
    session.add_all([
        Deadline(subject_type=SUBJECT, subject_id=case.id, kind=action_deadline_kind(a.id),
                 label=DEADLINE_LABEL, start_on=today, due_on=a.due_on)
        for a in rows if a.due_on is not None
    ])
    session.flush()
    return rows


def get(session: Session, case_id: int, action_id: int, *, lock: bool = False) -> ChildDeathAction:
    stmt = select(ChildDeathAction).where(ChildDeathAction.id == action_id,
                                          ChildDeathAction.child_death_id == case_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    action = session.execute(stmt).scalar_one_or_none()
    if action is None:
        raise NotFound("no such action for this child death")
    return action


def _still_open(a: ChildDeathAction) -> None:
    if a.status != "open":
        raise Conflict(f"this action is already {a.status}")


def complete(session: Session, case: ChildDeath, a: ChildDeathAction, *, completed_on: dt.date | None,
             evidence: str, actor: str, today: dt.date) -> None:
    """Done on ``completed_on`` (default today; not in the future): the deadline is met that
    day (on time or late by its due date)."""
    _still_open(a)
    done = completed_on or today
    if done > today:
        raise ValidationFailed.field(["body", "completed_on"], "the date completed is in the future")
    a.status, a.completed_on, a.evidence = "completed", done, evidence
    a.closed_at, a.closed_by = utcnow(), actor
    close_deadlines(session, SUBJECT, case.id, [action_deadline_kind(a.id)], outcome="met", on=done)
    session.flush()


def cancel(session: Session, case: ChildDeath, a: ChildDeathAction, *, reason: str, actor: str) -> None:
    """No longer to be done, with the reason: the deadline is waived with it."""
    _still_open(a)
    a.status, a.cancelled_reason = "cancelled", reason
    a.closed_at, a.closed_by = utcnow(), actor
    close_deadlines(session, SUBJECT, case.id, [action_deadline_kind(a.id)], outcome="waived",
                    reason=f"action cancelled: {reason}")
    session.flush()


def send_reminders(session: Session, settings: Settings, today: dt.date, limit: int = 500) -> list[tuple[int, int]]:
    """Remind the owner of each open action due a reminder (``core.reminders``), then mark it
    reminded. The rows are locked (PostgreSQL: SKIP LOCKED) so two runs never both send one.
    Returns ``(case id, action id)`` of each reminder sent."""
    stmt = (
        select(ChildDeathAction, ChildDeath.reference)
        .join(ChildDeath, ChildDeath.id == ChildDeathAction.child_death_id)
        .where(ChildDeathAction.status == "open", ChildDeathAction.due_on.is_not(None),
               reminder_due(ChildDeathAction.due_on, ChildDeathAction.reminders_sent,
                            ChildDeathAction.last_reminder_at, today))
        .order_by(ChildDeathAction.id).limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(of=ChildDeathAction, skip_locked=True)
    sent: list[tuple[int, int]] = []
    # the job's day (the worker's today) at the time of day it runs: the next run compares with it
    now = dt.datetime.combine(today, utcnow().timetz())
    table = ChildDeathAction.__table__
    for a, reference in session.execute(stmt).all():
        assert a.due_on is not None
        emails.action_reminder(session, settings, reference=reference, case_id=a.child_death_id,
                               description=a.description, owner_agency=a.owner_agency,
                               to=a.owner_email or settings.contact_email, due_on=a.due_on,
                               overdue=a.due_on < today)
        # Core UPDATE: the version (the coordinator's ETag) stays as it is
        session.execute(update(table).where(table.c.id == a.id).values(
            reminders_sent=table.c.reminders_sent + 1, last_reminder_at=now),
            execution_options={"synchronize_session": False})
        sent.append((a.child_death_id, a.id))
    return sent
