from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from core.db.base import utcnow
from core.deadlines.calendar import Unit, due_date
from core.deadlines.models import Deadline


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    label: str
    amount: int
    unit: Unit

    def due(self, start: dt.date) -> dt.date:
        return due_date(start, self.amount, self.unit)


def open_deadline(
    session: Session, subject_type: str, subject_id: int, rule: DeadlineRule, start: dt.date,
    due_on: dt.date | None = None,
) -> Deadline:
    """Open (or re-open with a new date) the deadline of this kind for the subject."""
    close_deadlines(session, subject_type, subject_id, [rule.kind], met=False)
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
    *, met: bool = True,
) -> None:
    stmt = update(Deadline).where(
        Deadline.subject_type == subject_type,
        Deadline.subject_id == subject_id,
        Deadline.met_at.is_(None),
        Deadline.cancelled_at.is_(None),
    )
    if kinds is not None:
        stmt = stmt.where(Deadline.kind.in_(list(kinds)))
    now = utcnow()
    # Keep Deadline objects already loaded in the session in step with the UPDATE.
    session.execute(stmt.values(met_at=now) if met else stmt.values(cancelled_at=now),
                    execution_options={"synchronize_session": "auto"})


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
        .where(
            Deadline.subject_type == subject_type,
            Deadline.subject_id.in_(ids),
            Deadline.met_at.is_(None),
            Deadline.cancelled_at.is_(None),
        )
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
        Deadline.subject_type == subject_type,
        Deadline.met_at.is_(None),
        Deadline.cancelled_at.is_(None),
        Deadline.due_on < today,
    )
