"""All queries of the module. Object-level visibility lives here ("readable by"), so lists and
detail views can never disagree: coordinators and chairs read every child death; nobody else
reads child death records (panel members get the anonymised papers of their meetings,
agency authors only their assigned forms)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from core.agency_requests.models import AgencyRequest
from core.auth.principal import Principal
from core.deadlines import add_months
from core.errors import NotFound, ValidationFailed
from core.meetings.models import Meeting
from core.pagination import decode_cursor, encode_cursor
from cdop.domain import FORM_KIND, OUTSTANDING_EXCLUDED, SUBJECT_TYPE
from cdop.models import ChildDeath, ChildDeathHold, DuplicateFlag

READER_ROLES = frozenset({"cdop_coordinator", "cdop_chair"})


def readable_clause(principal: Principal) -> ColumnElement[bool]:
    return true() if principal.roles & READER_ROLES else false()


def open_cases() -> ColumnElement[bool]:
    """Not closed, withdrawn or transferred out. The states are rendered as literals so the
    planner (SQLite especially) can match the partial indexes' predicate; bound parameters
    would hide it and force a scan of every case."""
    return ChildDeath.status.not_in(
        bindparam("open_excluded", sorted(OUTSTANDING_EXCLUDED), expanding=True, literal_execute=True)
    )


def get_case(session: Session, principal: Principal, case_id: int, *, lock: bool = False) -> ChildDeath:
    stmt = select(ChildDeath).where(ChildDeath.id == case_id, readable_clause(principal))
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    found = session.execute(stmt).scalar_one_or_none()
    if found is None:
        raise NotFound("no such child death")
    return found


def by_reference(session: Session, reference: str) -> ChildDeath | None:
    return session.execute(
        select(ChildDeath).where(ChildDeath.reference == reference)
    ).scalar_one_or_none()


# ---- bulk loaders (one query each, whatever the number of cases) ----


def holds_for(session: Session, ids: Sequence[int], *, open_only: bool = False) -> dict[int, list[ChildDeathHold]]:
    out: dict[int, list[ChildDeathHold]] = defaultdict(list)
    if not ids:
        return out
    stmt = select(ChildDeathHold).where(ChildDeathHold.child_death_id.in_(list(ids)))
    if open_only:
        stmt = stmt.where(ChildDeathHold.released_at.is_(None))
    for h in session.execute(stmt.order_by(ChildDeathHold.id)).scalars():
        out[h.child_death_id].append(h)
    return out


def open_forms_for(session: Session, ids: Sequence[int]) -> dict[int, list[AgencyRequest]]:
    out: dict[int, list[AgencyRequest]] = defaultdict(list)
    if not ids:
        return out
    rows = session.execute(
        select(AgencyRequest).where(
            AgencyRequest.subject_type == SUBJECT_TYPE, AgencyRequest.kind == FORM_KIND,
            AgencyRequest.subject_id.in_(list(ids)), AgencyRequest.status == "requested",
        ).order_by(AgencyRequest.due_on, AgencyRequest.id)
    ).scalars()
    for r in rows:
        out[r.subject_id].append(r)
    return out


def duplicates_for(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    rows = session.execute(
        select(DuplicateFlag.child_death_id, DuplicateFlag.other_id, ChildDeath.reference, DuplicateFlag.reason)
        .join(ChildDeath, ChildDeath.id == DuplicateFlag.other_id)
        .where(DuplicateFlag.child_death_id.in_(list(ids)))
        .order_by(DuplicateFlag.id)
    ).all()
    for cid, oid, ref, reason in rows:
        out[cid].append({"id": oid, "reference": ref, "reason": reason})
    return out


def meetings_for(session: Session, meeting_ids: Iterable[int | None]) -> dict[int, dt.datetime]:
    ids = sorted({i for i in meeting_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(select(Meeting.id, Meeting.scheduled_for).where(Meeting.id.in_(ids))).all()
    return {mid: when for mid, when in rows}


# ---- the outstanding list ----


@dataclass
class CaseFilters:
    statuses: list[str] = field(default_factory=list)
    outstanding: bool = False
    older_than_days: int | None = None
    hold_reason: str | None = None
    has_overdue_reports: bool = False
    agency: str | None = None
    q: str | None = None


def _forms_exist(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(AgencyRequest.id).where(
            AgencyRequest.subject_type == SUBJECT_TYPE, AgencyRequest.kind == FORM_KIND,
            AgencyRequest.subject_id == ChildDeath.id, *conditions,
        )
    )


def filtered(principal: Principal, f: CaseFilters, today: dt.date) -> Select[tuple[ChildDeath]]:
    stmt = select(ChildDeath).where(readable_clause(principal))
    if f.statuses:
        stmt = stmt.where(ChildDeath.status.in_(f.statuses))
    if f.outstanding:
        stmt = stmt.where(open_cases())
    if f.older_than_days is not None:
        stmt = stmt.where(ChildDeath.date_of_death <= today - dt.timedelta(days=f.older_than_days))
    if f.hold_reason:
        stmt = stmt.where(exists(
            select(ChildDeathHold.id).where(
                ChildDeathHold.child_death_id == ChildDeath.id,
                ChildDeathHold.released_at.is_(None),
                ChildDeathHold.reason == f.hold_reason,
            )
        ))
    form_conditions: list[ColumnElement[bool]] = []
    if f.agency:
        # cases still waiting on a reporting form from this agency
        form_conditions += [func.lower(AgencyRequest.agency) == f.agency.lower(),
                            AgencyRequest.status == "requested"]
    if f.has_overdue_reports:
        form_conditions += [AgencyRequest.status == "requested", AgencyRequest.due_on < today]
    if form_conditions:
        stmt = stmt.where(_forms_exist(*form_conditions))
    if f.q:
        q = f.q.strip().lower()
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        full = func.lower(ChildDeath.first_name + " " + ChildDeath.last_name)
        stmt = stmt.where(or_(
            func.lower(ChildDeath.reference) == q,
            func.lower(ChildDeath.reference).like(like, escape="\\"),
            full.like(like, escape="\\"),
        ))
    return stmt


def page(session: Session, stmt: Select[tuple[ChildDeath]], limit: int,
         cursor: str | None) -> tuple[list[ChildDeath], str | None]:
    """Keyset pagination on (date of death, id): the oldest deaths first."""
    if cursor:
        last_date, last_id = decode_cursor(cursor, 2)
        try:
            d, i = dt.date.fromisoformat(str(last_date)), int(last_id)
        except (TypeError, ValueError):
            raise ValidationFailed.field(["query", "cursor"], "invalid cursor") from None
        stmt = stmt.where(or_(ChildDeath.date_of_death > d,
                              and_(ChildDeath.date_of_death == d, ChildDeath.id > i)))
    rows = list(session.execute(
        stmt.order_by(ChildDeath.date_of_death, ChildDeath.id).limit(limit + 1)
    ).scalars())
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.date_of_death.isoformat(), last.id)
    return rows[:limit], next_cursor


# ---- the outstanding summary (GROUP BY in SQL) ----


def since_death_band(date_of_death: dt.date, today: dt.date) -> str:
    if date_of_death > add_months(today, -3):
        return "0-3m"
    if date_of_death > add_months(today, -6):
        return "3-6m"
    if date_of_death > add_months(today, -12):
        return "6-12m"
    return "12m+"


def outstanding_counts(session: Session, principal: Principal, today: dt.date) -> list[tuple[str, str, int]]:
    band = case(
        (ChildDeath.date_of_death > add_months(today, -3), "0-3m"),
        (ChildDeath.date_of_death > add_months(today, -6), "3-6m"),
        (ChildDeath.date_of_death > add_months(today, -12), "6-12m"),
        else_="12m+",
    )
    sub = (
        select(ChildDeath.status.label("status"), band.label("band"))
        .where(readable_clause(principal), open_cases())
        .subquery()
    )
    rows = session.execute(
        select(sub.c.status, sub.c.band, func.count()).group_by(sub.c.status, sub.c.band)
    ).all()
    return [(s, b, int(n)) for s, b, n in rows]


def open_holds_by_reason(session: Session, principal: Principal) -> dict[str, int]:
    if principal.roles & READER_ROLES:
        # Readers see every case: count the open holds on their own (partial index), with no
        # probe into cdop_child_deaths per hold.
        rows = session.execute(
            select(ChildDeathHold.reason, func.count())
            .where(ChildDeathHold.released_at.is_(None))
            .group_by(ChildDeathHold.reason)
        ).all()
        return {r: int(n) for r, n in rows}
    rows = session.execute(
        select(ChildDeathHold.reason, func.count())
        .join(ChildDeath, ChildDeath.id == ChildDeathHold.child_death_id)
        .where(ChildDeathHold.released_at.is_(None), readable_clause(principal))
        .group_by(ChildDeathHold.reason)
    ).all()
    return {r: int(n) for r, n in rows}


def overdue_forms_by_agency(session: Session, principal: Principal, today: dt.date) -> dict[str, int]:
    rows = session.execute(
        select(AgencyRequest.agency, func.count())
        .join(ChildDeath, ChildDeath.id == AgencyRequest.subject_id)
        .where(AgencyRequest.subject_type == SUBJECT_TYPE, AgencyRequest.kind == FORM_KIND,
               AgencyRequest.status == bindparam("requested", "requested", literal_execute=True),
               AgencyRequest.due_on < today,
               open_cases(), readable_clause(principal))
        .group_by(AgencyRequest.agency)
        .order_by(AgencyRequest.agency)
    ).all()
    return {a: int(n) for a, n in rows}
