"""Stored deadlines and their outcomes.

A deadline is open until it gets one outcome, and only one:

- ``met``: the duty was done (``met_at``); on time or late is read by comparing the UTC date
  of ``met_at`` with ``due_on``;
- ``missed``: closed unmet because the moment it guarded has passed (``missed_at``), e.g. a
  report published without the notice that had to come before it;
- ``waived``: no longer owed (``waived_at``), with the reason stored (``waived_reason``),
  e.g. the case was closed or withdrawn, or the deadline was replaced by a new due date.

Nothing closes a deadline any other way: a statutory deadline is never silently cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Case, ColumnElement, Date, Select, and_, case, literal, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from core.db.base import utcnow
from core.deadlines.calendar import Unit, due_date
from core.deadlines.models import Deadline

Outcome = Literal["met", "missed", "waived"]
OUTCOMES: tuple[str, ...] = ("met", "missed", "waived")
REPLACED = "replaced by a new due date"


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    label: str
    amount: int
    unit: Unit

    def due(self, start: dt.date) -> dt.date:
        return due_date(start, self.amount, self.unit)


def is_open() -> ColumnElement[bool]:
    """The condition of an open deadline (the partial index ``ix_core_deadlines_open_due``)."""
    return and_(Deadline.met_at.is_(None), Deadline.missed_at.is_(None), Deadline.waived_at.is_(None))


def open_deadline(
    session: Session, subject_type: str, subject_id: int, rule: DeadlineRule, start: dt.date,
    due_on: dt.date | None = None,
) -> Deadline:
    """Open (or re-open with a new date) the deadline of this kind for the subject. An open
    deadline of the same kind is waived with the reason "replaced by a new due date"."""
    close_deadlines(session, subject_type, subject_id, [rule.kind], outcome="waived", reason=REPLACED)
    deadline = Deadline(
        subject_type=subject_type, subject_id=subject_id, kind=rule.kind, label=rule.label,
        start_on=start, due_on=due_on or rule.due(start),
    )
    session.add(deadline)
    return deadline


_INSERT_DEADLINES = Deadline.__table__.insert()


def open_new_deadlines(
    session: Session, subject_type: str, subject_id: int,
    rules: Iterable[DeadlineRule], start: dt.date,
) -> None:
    """Open the deadlines of a subject created in this transaction, in one INSERT: it has no
    deadline yet, so there is nothing to close first (unlike :func:`open_deadline`). Core, on
    the session's connection: no ORM unit of work for rows nobody reads back here."""
    now = utcnow()
    rows = [
        {"subject_type": subject_type, "subject_id": subject_id, "kind": rule.kind,
         "label": rule.label, "start_on": start, "due_on": rule.due(start), "created_at": now}
        for rule in rules
    ]
    if rows:
        session.connection().execute(_INSERT_DEADLINES, rows)


def close_deadlines(
    session: Session, subject_type: str, subject_id: int, kinds: Iterable[str] | None = None,
    *, outcome: Outcome, reason: str | None = None, on: dt.date | None = None,
) -> int:
    """Give the open deadlines of the subject (of these kinds, or all) an outcome: ``met``,
    ``missed`` or ``waived`` (which needs a reason). ``on``: the day a met duty was done, when
    it was recorded later (so a duty done on time but entered after its due date is met on
    time). Returns how many were closed."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown deadline outcome {outcome!r}: one of {', '.join(OUTCOMES)}")
    values: dict[str, Any]
    now = utcnow()
    if outcome == "waived":
        if not reason or not reason.strip():
            raise ValueError("a waived deadline needs a reason")
        values = {"waived_at": now, "waived_reason": reason.strip()[:500]}
    elif reason is not None:
        raise ValueError("only a waived deadline takes a reason")
    elif outcome == "met":
        done = now if on is None or on >= now.date() else dt.datetime.combine(on, dt.time(12), dt.UTC)
        values = {"met_at": done}
    elif on is not None:
        raise ValueError("only a met deadline takes the day it was done")
    else:
        values = {"missed_at": now}
    stmt = update(Deadline).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == subject_id, is_open(),
    )
    if kinds is not None:
        stmt = stmt.where(Deadline.kind.in_(list(kinds)))
    # Keep Deadline objects already loaded in the session in step with the UPDATE.
    result = session.execute(stmt.values(**values), execution_options={"synchronize_session": "auto"})
    return int(getattr(result, "rowcount", 0) or 0)


def open_deadlines_for(
    session: Session, subject_type: str, subject_ids: Iterable[int], today: dt.date | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Open deadlines for many subjects in one query (no N+1)."""
    ids = list(subject_ids)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    today = today or dt.date.today()
    rows = session.execute(
        select(Deadline)
        .where(Deadline.subject_type == subject_type, Deadline.subject_id.in_(ids), is_open())
        .order_by(Deadline.due_on)
    ).scalars()
    for d in rows:
        out[d.subject_id].append(
            {"kind": d.kind, "label": d.label, "start_on": d.start_on, "due_on": d.due_on,
             "overdue": d.due_on < today}
        )
    return out


def overdue_subject_ids(subject_type: str, today: dt.date) -> Select[tuple[int]]:
    """A subquery of subject ids with an open deadline past its due date."""
    return select(Deadline.subject_id).where(
        Deadline.subject_type == subject_type, is_open(), Deadline.due_on < today,
    )


class _date_of(FunctionElement[dt.date]):  # noqa: N801 - reads as a SQL function
    """The date part of a stored UTC datetime, on SQLite and PostgreSQL."""

    type = Date()
    inherit_cache = True


@compiles(_date_of)
def _date_of_default(element: _date_of, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(_date_of, "sqlite")
def _date_of_sqlite(element: _date_of, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


def deadline_outcome_case(today: dt.date) -> Case[str]:
    """A SQL CASE giving each deadline row its outcome for reports: ``met_on_time``,
    ``met_late``, ``missed``, ``waived``, ``open_overdue`` or ``open_not_yet_due``."""
    return case(
        (and_(Deadline.met_at.is_not(None), _date_of(Deadline.met_at) > Deadline.due_on), literal("met_late")),
        (Deadline.met_at.is_not(None), literal("met_on_time")),
        (Deadline.missed_at.is_not(None), literal("missed")),
        (Deadline.waived_at.is_not(None), literal("waived")),
        (Deadline.due_on < today, literal("open_overdue")),
        else_=literal("open_not_yet_due"),
    )
