"""All case review queries. Object-level visibility lives here, in one "readable by" clause,
so that lists, details and sub-resources can never disagree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select, true, update
from sqlalchemy.orm import Session, make_transient_to_detached

from core import references
from core.agency_requests.models import AgencyRequest
from core.agency_requests import service as requests
from core.auth.models import User
from core.auth.principal import Principal
from core.db.queries import LIKE_ESCAPE, like_contains
from core.deadlines import is_open, overdue_subject_ids
from core.deadlines.models import Deadline
from core.errors import NotFound
from core.meetings import agenda_subject_ids_for_member
from core.meetings.models import AgendaItem
from ecr.domain import (
    AGENCY_REPORT_KIND,
    CLOSED_STATES,
    FULL_READERS,
    MEETING_KIND,
    MEETING_MEMBER_ROLE,
    OPEN_ITEM_STATUSES,
    SUBJECT,
)
from ecr.models import ActionItem, CaseReview, Recommendation, ThematicReview


def readable_by(principal: Principal) -> ColumnElement[bool]:
    """The one place that says which case reviews a caller may see."""
    if principal.roles & FULL_READERS:
        return true()
    if MEETING_MEMBER_ROLE in principal.roles and principal.user_id is not None:
        return CaseReview.id.in_(
            agenda_subject_ids_for_member(principal.user_id, SUBJECT, MEETING_KIND))
    return false()


def get_readable(session: Session, principal: Principal, case_id: int, *,
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
        pattern = like_contains(filters.q.strip())
        full_name = func.lower(CaseReview.child_first_name + " " + CaseReview.child_last_name)
        stmt = stmt.where(or_(
            func.lower(CaseReview.reference).like(pattern, escape=LIKE_ESCAPE),
            full_name.like(pattern, escape=LIKE_ESCAPE),
            func.lower(CaseReview.child_last_name + " " + CaseReview.child_first_name)
            .like(pattern, escape=LIKE_ESCAPE),
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
    """For each case in a thematic review, the other cases of the review (one query)."""
    cases = list(cases)
    groups = {c.thematic_review_id for c in cases if c.thematic_review_id is not None}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not groups:
        return out
    rows = session.execute(
        select(CaseReview.id, CaseReview.reference, CaseReview.thematic_review_id)
        .where(CaseReview.thematic_review_id.in_(groups)).order_by(CaseReview.id)
    ).all()
    by_group: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cid, ref, gid in rows:
        by_group[gid].append((cid, ref))
    for c in cases:
        if c.thematic_review_id is not None:
            out[c.id] = [{"id": cid, "reference": ref} for cid, ref in by_group[c.thematic_review_id]
                         if cid != c.id]
    return out


def new_thematic_review(session: Session, actor: str) -> int:
    review = ThematicReview(created_by=actor)
    session.add(review)
    session.flush()
    return review.id


def move_thematic_review(session: Session, old_id: int, new_id: int) -> None:
    """Every case of thematic review ``old_id`` joins ``new_id``; the emptied review goes."""
    session.execute(
        update(CaseReview).where(CaseReview.thematic_review_id == old_id)
        .values(thematic_review_id=new_id, version=CaseReview.version + 1),
        execution_options={"synchronize_session": False},
    )
    delete_thematic_review(session, old_id)


def thematic_members(session: Session, review_id: int) -> list[CaseReview]:
    return list(session.execute(
        select(CaseReview).where(CaseReview.thematic_review_id == review_id).order_by(CaseReview.id)
    ).scalars())


def delete_thematic_review(session: Session, review_id: int) -> None:
    session.execute(delete(ThematicReview).where(ThematicReview.id == review_id),
                    execution_options={"synchronize_session": False})


def open_cases(session: Session) -> list[CaseReview]:
    return list(session.execute(
        select(CaseReview).where(CaseReview.status.not_in(CLOSED_STATES))
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


def is_readable(session: Session, principal: Principal, case_id: int) -> bool:
    return bool(session.scalar(
        select(func.count()).select_from(CaseReview).where(CaseReview.id == case_id,
                                                           readable_by(principal))
    ))


# ---- deadlines of a case --------------------------------------------------------------------

def open_deadline_dues(session: Session, subject_type: str, case_id: int,
                       kinds: Sequence[str] | None = None) -> list[tuple[str, dt.date]]:
    """(kind, due date) of each open deadline of the case (of these kinds, or all)."""
    stmt = select(Deadline.kind, Deadline.due_on).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == case_id, is_open())
    if kinds is not None:
        stmt = stmt.where(Deadline.kind.in_(list(kinds)))
    return [(kind, due_on) for kind, due_on in session.execute(stmt.order_by(Deadline.id)).all()]


# ---- agency reports -------------------------------------------------------------------------

def open_agency_reports(session: Session, case_id: int) -> list[AgencyRequest]:
    return list(session.execute(
        select(AgencyRequest).where(AgencyRequest.subject_type == SUBJECT,
                                    AgencyRequest.subject_id == case_id,
                                    AgencyRequest.kind == AGENCY_REPORT_KIND,
                                    AgencyRequest.status == "requested")
        .order_by(AgencyRequest.id)
    ).scalars())


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def references_by_ids(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(ids))
    if not ids:
        return {}
    return dict(session.execute(
        select(CaseReview.id, CaseReview.reference).where(CaseReview.id.in_(ids))).all())


# ---- recommendations and their action plans -------------------------------------------------

def open_recommendation_count(session: Session, case_id: int) -> int:
    open_items = (
        select(ActionItem.recommendation_id)
        .where(ActionItem.status.in_(OPEN_ITEM_STATUSES))
    )
    return int(session.scalar(
        select(func.count()).select_from(Recommendation).where(
            Recommendation.case_id == case_id,
            Recommendation.status.in_(OPEN_ITEM_STATUSES) | Recommendation.id.in_(open_items),
        )
    ) or 0)


def carry_forward(session: Session, case_id: int, note: str) -> list[int]:
    """Carry every open recommendation of the case (and its open action items) forward with
    ``note``; returns the numbers of the recommendations carried."""
    recs = recommendations_of(session, case_id)
    ids = [r.id for r in recs]
    carried = []
    open_item_recs = set(session.execute(
        select(ActionItem.recommendation_id).where(
            ActionItem.recommendation_id.in_(ids), ActionItem.status.in_(OPEN_ITEM_STATUSES))
    ).scalars()) if ids else set()
    for rec in recs:
        if rec.status in OPEN_ITEM_STATUSES or rec.id in open_item_recs:
            rec.status = "carried_forward"
            rec.carry_forward_note = note
            carried.append(rec.number)
    if ids:
        session.execute(
            update(ActionItem)
            .where(ActionItem.recommendation_id.in_(ids), ActionItem.status.in_(OPEN_ITEM_STATUSES))
            .values(status="carried_forward", note=note),
            execution_options={"synchronize_session": False},
        )
    return carried


def recommendations_of(session: Session, case_id: int) -> list[Recommendation]:
    return list(session.execute(
        select(Recommendation).where(Recommendation.case_id == case_id)
        .order_by(Recommendation.number)
    ).scalars())


def next_recommendation_number(session: Session, case_id: int) -> int:
    return int(session.scalar(
        select(func.coalesce(func.max(Recommendation.number), 0))
        .where(Recommendation.case_id == case_id)
    ) or 0) + 1


def get_recommendation(session: Session, case_id: int, rec_id: int, *,
                       lock: bool = False) -> Recommendation | None:
    stmt = select(Recommendation).where(Recommendation.id == rec_id,
                                        Recommendation.case_id == case_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one_or_none()


def action_items_of(session: Session, rec_ids: Sequence[int]) -> dict[int, list[ActionItem]]:
    items: dict[int, list[ActionItem]] = {i: [] for i in rec_ids}
    if rec_ids:
        for item in session.execute(
            select(ActionItem).where(ActionItem.recommendation_id.in_(list(rec_ids)))
            .order_by(ActionItem.id)
        ).scalars():
            items[item.recommendation_id].append(item)
    return items


# ---- an agency author's reports ----


def assigned_reports(session: Session, user_id: int | None, *, open_only: bool, limit: int,
                     after_id: int | None) -> list[tuple[AgencyRequest, str]]:
    """The case review agency reports assigned to this user with their case's reference, by id,
    at most ``limit + 1``; ``open_only``: still awaited on a case that is not closed."""
    rows = requests.assigned_to(session, CaseReview, SUBJECT, AGENCY_REPORT_KIND, user_id,
                                finished_states=CLOSED_STATES, open_only=open_only, limit=limit,
                                after_id=after_id)
    return [(req, case.reference) for req, case in rows]


def assigned_report(session: Session, user_id: int | None, report_id: int, *,
                    lock: bool = False) -> tuple[AgencyRequest, CaseReview] | None:
    """One agency report assigned to this user, with its case; else None."""
    return requests.one_assigned_to(session, CaseReview, SUBJECT, AGENCY_REPORT_KIND, user_id, report_id,
                                    lock=lock)
