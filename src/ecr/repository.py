"""All case review queries. Object-level visibility lives here, in one "readable by" clause,
so that lists, details and sub-resources can never disagree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, make_transient_to_detached

from core.auth.principal import Principal
from core.deadlines import overdue_subject_ids
from core.errors import NotFound
from core.meetings import agenda_subject_ids_for_member
from core.meetings.models import AgendaItem
from core import references
from ecr.models import CaseReview
from ecr.workflow import SUBJECT

# roles that read every case review; crg_member reads the cases on agendas of its meetings
FULL_READERS = frozenset({"business_unit", "crg_chair", "independent_chair"})


def readable_by(principal: Principal) -> ColumnElement[bool]:
    """The one place that says which case reviews a caller may see."""
    if principal.roles & FULL_READERS:
        return true()
    if "crg_member" in principal.roles and principal.user_id is not None:
        return CaseReview.id.in_(agenda_subject_ids_for_member(principal.user_id, SUBJECT, "crg"))
    return false()


def get_readable(session: Session, case_id: int, principal: Principal, *,
                 lock: bool = False) -> CaseReview:
    stmt = select(CaseReview).where(CaseReview.id == case_id, readable_by(principal))
    if lock:
        stmt = stmt.with_for_update(of=CaseReview)
        stmt = stmt.execution_options(populate_existing=True)
    case = session.execute(stmt).scalar_one_or_none()
    if case is None:
        raise NotFound("no such case review")
    return case


def get_by_id(session: Session, case_id: int, *, lock: bool = False) -> CaseReview | None:
    stmt = select(CaseReview).where(CaseReview.id == case_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one_or_none()


def get_by_reference(session: Session, reference: str) -> CaseReview | None:
    return session.execute(
        select(CaseReview).where(CaseReview.reference == reference)
    ).scalar_one_or_none()


def next_reference(session: Session, year: int) -> str:
    """``CR-YYYY-NNNN`` from the shared counter (core.references; on PostgreSQL taken in a
    short transaction of its own, so a notification that rolls back leaves a gap)."""
    return references.next_reference(session, "CR", year)


_CASES = CaseReview.__table__
_INSERT_CASE = _CASES.insert()
_COLUMN_KEYS = tuple(c.key for c in _CASES.columns)


def insert_case(session: Session, values: dict[str, Any]) -> int:
    """INSERT a new case row (Core, on the session's connection: no unit of work) and return
    its id. ``values`` names the columns to set; the others are NULL (no column of the table
    has a server default, and JSON columns left out stay SQL NULL as the ORM leaves them)."""
    result = session.connection().execute(_INSERT_CASE, values)
    return int(result.inserted_primary_key[0])


def attach_new(session: Session, values: dict[str, Any]) -> CaseReview:
    """The entity of a row just inserted by :func:`insert_case` (``values`` with its ``id``),
    made persistent in the session without reading it back: every column is given (the ones
    not inserted are NULL), so no attribute is left to load."""
    case = CaseReview(**{**dict.fromkeys(_COLUMN_KEYS), **values})
    make_transient_to_detached(case)
    session.add(case)
    return case


@dataclass
class CaseFilters:
    status: Sequence[str] = ()
    decision: str | None = None
    overdue: bool | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str | None = None
    meeting_id: int | None = None
    today: dt.date = field(default_factory=dt.date.today)

    def names(self) -> list[str]:
        return [k for k in ("status", "decision", "overdue", "received_from", "received_to", "q",
                            "meeting_id") if getattr(self, k) not in (None, (), [])]


def _like(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_cases(session: Session, principal: Principal, filters: CaseFilters, limit: int,
               after: tuple[dt.date, int] | None) -> list[CaseReview]:
    """One page (``limit + 1`` rows to know whether there is a next page), newest received
    first, keyset on (received_on, id)."""
    stmt = select(CaseReview).where(readable_by(principal))
    if filters.status:
        stmt = stmt.where(CaseReview.status.in_(list(filters.status)))
    if filters.decision == "pending":
        stmt = stmt.where(CaseReview.decision.is_(None))
    elif filters.decision:
        stmt = stmt.where(CaseReview.decision == filters.decision)
    if filters.overdue is True:
        stmt = stmt.where(CaseReview.id.in_(overdue_subject_ids(SUBJECT, filters.today)))
    elif filters.overdue is False:
        stmt = stmt.where(CaseReview.id.not_in(overdue_subject_ids(SUBJECT, filters.today)))
    if filters.received_from:
        stmt = stmt.where(CaseReview.received_on >= filters.received_from)
    if filters.received_to:
        stmt = stmt.where(CaseReview.received_on <= filters.received_to)
    if filters.q:
        pattern = _like(filters.q.strip())
        full_name = func.lower(CaseReview.child_first_name + " " + CaseReview.child_last_name)
        stmt = stmt.where(or_(
            func.lower(CaseReview.reference).like(pattern, escape="\\"),
            full_name.like(pattern, escape="\\"),
            func.lower(CaseReview.child_last_name + " " + CaseReview.child_first_name)
            .like(pattern, escape="\\"),
        ))
    if filters.meeting_id is not None:
        stmt = stmt.where(CaseReview.id.in_(
            select(AgendaItem.subject_id).where(AgendaItem.meeting_id == filters.meeting_id,
                                                AgendaItem.subject_type == SUBJECT)
        ))
    if after is not None:
        last_on, last_id = after
        stmt = stmt.where(or_(
            CaseReview.received_on < last_on,
            and_(CaseReview.received_on == last_on, CaseReview.id < last_id),
        ))
    stmt = stmt.order_by(CaseReview.received_on.desc(), CaseReview.id.desc()).limit(limit + 1)
    return list(session.execute(stmt).scalars())


def linked_references(session: Session, cases: Iterable[CaseReview]) -> dict[int, list[dict[str, Any]]]:
    """For each case in a thematic group, the other cases of the group (one query)."""
    cases = list(cases)
    groups = {c.thematic_group_id for c in cases if c.thematic_group_id is not None}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not groups:
        return out
    rows = session.execute(
        select(CaseReview.id, CaseReview.reference, CaseReview.thematic_group_id)
        .where(CaseReview.thematic_group_id.in_(groups)).order_by(CaseReview.id)
    ).all()
    by_group: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cid, ref, gid in rows:
        by_group[gid].append((cid, ref))
    for c in cases:
        if c.thematic_group_id is not None:
            out[c.id] = [{"id": cid, "reference": ref} for cid, ref in by_group[c.thematic_group_id]
                         if cid != c.id]
    return out


def open_cases(session: Session) -> list[CaseReview]:
    return list(session.execute(
        select(CaseReview).where(CaseReview.status.not_in(("closed", "withdrawn")))
        .order_by(CaseReview.received_on, CaseReview.id)
    ).scalars())


def cases_by_ids(session: Session, ids: Sequence[int]) -> list[CaseReview]:
    if not ids:
        return []
    return list(session.execute(select(CaseReview).where(CaseReview.id.in_(list(ids)))).scalars())


def find_referral(session: Session, child_death_reference: str) -> CaseReview | None:
    return session.execute(
        select(CaseReview).where(CaseReview.child_death_reference == child_death_reference,
                                 CaseReview.status != "withdrawn")
        .order_by(CaseReview.id.desc()).limit(1)
    ).scalar_one_or_none()
