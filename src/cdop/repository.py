"""All queries of the module. Object-level visibility lives here ("readable by"), so lists and
detail views can never disagree: coordinators and chairs read every child death; nobody else
reads child death records (panel members get the anonymised papers of their meetings,
agency authors only their assigned forms)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from core.agency_requests.models import AgencyRequest
from core.agency_requests import service as requests
from core.auth.principal import Principal
from core.db.json_rows import JsonRows, json_rows_text
from core.db.queries import like_contains
from core.deadlines import add_months, overdue_subject_ids
from core.deadlines.models import Deadline
from core.errors import NotFound, ValidationFailed
from core.meetings.models import AgendaItem, Meeting
from core.workflow.record import RowRecord
from core.pagination import decode_cursor, encode_cursor
from cdop.domain import FORM_KIND, OUTSTANDING_EXCLUDED, READER_ROLES, SUBJECT, TERMINAL_STATES
from cdop.models import ChildDeath, ChildDeathAction, ChildDeathHold, DuplicateFlag, ReviewMeeting, clock_running

# Read paths that only show data select table columns (Core): rows come back as light named
# tuples, with no ORM entity, identity map entry or attribute instrumentation per row, and the
# JSON columns are read only where they are shown. Writes go through the ORM entities.
_CASES = ChildDeath.__table__
_HOLDS = ChildDeathHold.__table__
_FLAGS = DuplicateFlag.__table__
_FORMS = AgencyRequest.__table__
_MEETINGS = Meeting.__table__

def _has(table: Any, *conditions: ColumnElement[bool]) -> Any:
    return exists(select(table.c.id).where(*conditions))


# What a line of the list shows (no JSON column, no text written by the coordinator), in the
# order service.list_item unpacks them, and whether the case has duplicate flags (rare: the page
# then looks for the flags of those cases only, usually none). ``list_page`` adds the case's open
# holds, awaited forms and panel meeting date after them.
LIST_COLUMNS = (
    _CASES.c.id, _CASES.c.reference, _CASES.c.status, _CASES.c.first_name, _CASES.c.last_name,
    _CASES.c.date_of_birth, _CASES.c.sex, _CASES.c.date_of_death, _CASES.c.received_at,
    _CASES.c.expected, _CASES.c.panel_meeting_id, _CASES.c.case_review_reference,
    # a death transferred out: whose panel's outcome it waits on, until it is received
    _CASES.c.home_area, _CASES.c.external_outcome_received_on,
    _has(_FLAGS, _FLAGS.c.child_death_id == _CASES.c.id).label("has_duplicates"),
)
# A hold as shown (schemas.HoldOut, in its field order).
HOLD_COLUMNS = (
    _HOLDS.c.id, _HOLDS.c.reason, _HOLDS.c.expected_on, _HOLDS.c.note, _HOLDS.c.placed_at,
    _HOLDS.c.placed_by, _HOLDS.c.released_at, _HOLDS.c.released_by,
)
# A reporting form as shown in the detail (schemas.ReportingFormOut; not the link columns).
FORM_COLUMNS = (
    _FORMS.c.id, _FORMS.c.agency, _FORMS.c.contact_email, _FORMS.c.assignee_user_id, _FORMS.c.due_on,
    _FORMS.c.status, _FORMS.c.answers, _FORMS.c.not_known, _FORMS.c.submitted_at, _FORMS.c.submitted_by,
    _FORMS.c.waived_reason, _FORMS.c.waived_at, _FORMS.c.reminders_sent, _FORMS.c.last_reminder_at,
    _FORMS.c.forms,
)


def readable_by(principal: Principal) -> ColumnElement[bool]:
    """The "readable by" rule of child deaths as a WHERE clause: coordinators and chairs read
    every case; nobody else reads any (panel members read the anonymised papers, agency authors
    their assigned forms)."""
    return true() if principal.roles & READER_ROLES else false()


def open_cases() -> ColumnElement[bool]:
    """Not closed, withdrawn or transferred out. The states are rendered as literals so the
    planner (SQLite especially) can match the partial indexes' predicate; bound parameters
    would hide it and force a scan of every case. SQLite matches the predicate as written, so
    the list keeps the order of ``models._OPEN_CASES`` (sorted, it was never used there)."""
    return _CASES.c.status.not_in(
        bindparam("open_excluded", list(OUTSTANDING_EXCLUDED), expanding=True, literal_execute=True)
    )


def get_readable(session: Session, principal: Principal, case_id: int, *, lock: bool = False) -> ChildDeath:
    """The case as the ORM entity if the caller may read it, else 404; ``lock``: with the row
    lock until commit (FOR UPDATE on PostgreSQL; SQLite serialises its writers)."""
    stmt = select(ChildDeath).where(ChildDeath.id == case_id, readable_by(principal))
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(of=ChildDeath)
    found = session.execute(stmt).scalar_one_or_none()
    if found is None:
        raise NotFound("no such child death")
    return found


def get_for_transition(session: Session, principal: Principal, case_id: int) -> RowRecord:
    """The case for a workflow transition, with the row lock (FOR UPDATE on PostgreSQL; SQLite
    serialises its writers), as a :class:`core.workflow.record.RowRecord`: its columns as
    attributes and its changes written back in one version-checked UPDATE, with no ORM entity
    to load and flush. 404 as :func:`get_readable`."""
    conn = session.connection()
    found = conn.execute(_FOR_TRANSITION[_reads_all(principal), conn.dialect.name != "sqlite"],
                         {"case_id": case_id}).one_or_none()
    if found is None:
        raise NotFound("no such child death")
    return RowRecord(_CASES, found._asdict())


def _for_transition(reads_all: bool, lock: bool) -> Any:
    stmt = select(*_CASES.c).where(_CASES.c.id == bindparam("case_id"), true() if reads_all else false())
    return stmt.with_for_update() if lock else stmt


# Built once per visibility and row locking: per request only the id changes.
_FOR_TRANSITION = {(reads_all, lock): _for_transition(reads_all, lock)
                   for reads_all in (True, False) for lock in (True, False)}


HOLD_ROWS = JsonRows("Hold", HOLD_COLUMNS)
FORM_ROWS = JsonRows("Form", FORM_COLUMNS)
# The case's clocks (every stored deadline of it) and review meetings, as ``clocks`` shows them.
_DEADLINES = Deadline.__table__
_REVIEW_MEETINGS = ReviewMeeting.__table__
CLOCK_ROWS = JsonRows("Clock", (
    _DEADLINES.c.id, _DEADLINES.c.kind, _DEADLINES.c.label, _DEADLINES.c.start_on, _DEADLINES.c.due_on,
    _DEADLINES.c.met_at, _DEADLINES.c.missed_at, _DEADLINES.c.waived_at, _DEADLINES.c.waived_reason,
))
MEETING_ROWS = JsonRows("ReviewMeetingRow", (
    _REVIEW_MEETINGS.c.id, _REVIEW_MEETINGS.c.kind, _REVIEW_MEETINGS.c.held_on, _REVIEW_MEETINGS.c.agencies,
    _REVIEW_MEETINGS.c.outcome, _REVIEW_MEETINGS.c.recorded_at, _REVIEW_MEETINGS.c.recorded_by,
))


def _clocks_and_meetings(postgresql: bool, case_id: Any) -> tuple[Any, Any]:
    return (CLOCK_ROWS.aggregate(postgresql, _DEADLINES.c.subject_type == SUBJECT,
                                 _DEADLINES.c.subject_id == case_id).label("clock_rows"),
            MEETING_ROWS.aggregate(postgresql, _REVIEW_MEETINGS.c.child_death_id == case_id).label("meeting_rows"))


def _case_view_stmt(readable: ColumnElement[bool], postgresql: bool) -> Select[Any]:
    cid = _CASES.c.id
    return (
        select(
            _CASES,
            _MEETINGS.c.scheduled_for.label("meeting_at"),
            HOLD_ROWS.aggregate(postgresql, _HOLDS.c.child_death_id == cid).label("hold_rows"),
            FORM_ROWS.aggregate(postgresql, _FORMS.c.subject_type == SUBJECT,
                                _FORMS.c.subject_id == cid).label("form_rows"),
            _has(_FLAGS, _FLAGS.c.child_death_id == cid).label("has_duplicates"),
            *_clocks_and_meetings(postgresql, cid),
        )
        .select_from(_CASES.outerjoin(_MEETINGS, _MEETINGS.c.id == _CASES.c.panel_meeting_id))
        .where(cid == bindparam("case_id"), readable)
    )


# Built once per visibility (readable_by is true() or false()) and database: per request only
# the id changes.
_CASE_VIEW = {(reads_all, postgresql): _case_view_stmt(true() if reads_all else false(), postgresql)
              for reads_all in (True, False) for postgresql in (True, False)}


def _reads_all(principal: Principal) -> bool:
    return bool(principal.roles & READER_ROLES)


def get_case_view(session: Session, principal: Principal, case_id: int) -> Row[Any]:
    """The case as a read-only row for the detail view (``GET``), in one statement: every column
    of the case, the date of its panel meeting (``meeting_at``), all its holds and agency
    requests as JSON text (``hold_rows``, ``form_rows``: read them with ``HOLD_ROWS.parse`` and
    ``FORM_ROWS.parse``, which give what :func:`holds_of` and :func:`forms_of` give), whether
    it has duplicate flags (``has_duplicates``), and its clocks and review meetings
    (``clock_rows``, ``meeting_rows``: ``CLOCK_ROWS.parse``, ``MEETING_ROWS.parse``). 404 as
    :func:`get_readable`."""
    conn = session.connection()
    stmt = _CASE_VIEW[_reads_all(principal), conn.dialect.name == "postgresql"]
    found = conn.execute(stmt, {"case_id": case_id}).one_or_none()
    if found is None:
        raise NotFound("no such child death")
    return found


def actions_of(session: Session, case_ids: Iterable[int]) -> dict[int, list[ChildDeathAction]]:
    """The actions agreed at the panel of many cases in one query, each case's in order."""
    ids = list(case_ids)
    out: dict[int, list[ChildDeathAction]] = {i: [] for i in ids}
    if not ids:
        return out
    for a in session.execute(select(ChildDeathAction).where(ChildDeathAction.child_death_id.in_(ids))
                             .order_by(ChildDeathAction.child_death_id, ChildDeathAction.position,
                                       ChildDeathAction.id)).scalars():
        out[a.child_death_id].append(a)
    return out


def by_reference(session: Session, reference: str) -> ChildDeath | None:
    return session.execute(
        select(ChildDeath).where(ChildDeath.reference == reference)
    ).scalar_one_or_none()


# ---- bulk loaders (one query each, whatever the number of cases), Core rows ----
#
# Built once per dialect: per request only the parameters change. On PostgreSQL the ids of a page
# go as one array parameter (``= ANY(:ids)``), so the statement text is the same whatever the
# page size (compiled and prepared once); elsewhere an expanding IN.


def _core(session: Session) -> Any:
    """The session's connection, for Core statements: no ORM execution path per statement. The
    session is flushed first (what ``session.execute`` would have done), so rows written through
    the ORM earlier in the request are seen; with nothing pending the flush is a no-op."""
    session.flush()
    return session.connection()


def _in_ids(column: Any) -> ColumnElement[bool]:
    return column.in_(bindparam("ids", expanding=True))


def _any_ids(column: Any) -> ColumnElement[bool]:
    return column == any_(bindparam("ids", type_=PG_ARRAY(Integer)))


class _PerDialect:
    """One statement per dialect from the same builder (given the ids predicate)."""

    def __init__(self, build: Callable[[Callable[[Any], ColumnElement[bool]]], Any]) -> None:
        self.default = build(_in_ids)
        self.postgresql = build(_any_ids)

    def run(self, session: Session, params: dict[str, Any]) -> list[Row[Any]]:
        conn = _core(session)
        stmt = self.postgresql if conn.dialect.name == "postgresql" else self.default
        return list(conn.execute(stmt, params).all())


_CASE_HOLDS = select(*HOLD_COLUMNS).where(_HOLDS.c.child_death_id == bindparam("case_id")).order_by(_HOLDS.c.id)
_CASE_FORMS = (
    select(*FORM_COLUMNS)
    .where(_FORMS.c.subject_type == SUBJECT, _FORMS.c.subject_id == bindparam("case_id"))
    .order_by(_FORMS.c.id)
)
_FLAGGED = (
    select(_FLAGS.c.child_death_id, _FLAGS.c.other_id, _CASES.c.reference, _FLAGS.c.reason)
    .select_from(_FLAGS.join(_CASES, _CASES.c.id == _FLAGS.c.other_id))
    .order_by(_FLAGS.c.id)
)
_CASE_DUPLICATES = _FLAGGED.where(_FLAGS.c.child_death_id == bindparam("case_id"))
_DUPLICATES = _PerDialect(lambda by_ids: _FLAGGED.where(by_ids(_FLAGS.c.child_death_id)))
_MEETING_DATES = _PerDialect(
    lambda by_ids: select(_MEETINGS.c.id, _MEETINGS.c.scheduled_for).where(by_ids(_MEETINGS.c.id)))


_COLLECTIONS = {
    postgresql: select(
        HOLD_ROWS.aggregate(postgresql, _HOLDS.c.child_death_id == bindparam("case_id")).label("hold_rows"),
        FORM_ROWS.aggregate(postgresql, _FORMS.c.subject_type == SUBJECT,
                            _FORMS.c.subject_id == bindparam("case_id")).label("form_rows"),
        _has(_FLAGS, _FLAGS.c.child_death_id == bindparam("case_id")).label("has_duplicates"),
        *_clocks_and_meetings(postgresql, bindparam("case_id")),
    )
    for postgresql in (True, False)
}


def case_collections(session: Session, case_id: int) -> tuple[list[Any], list[Any], bool, list[Any], list[Any]]:
    """What :func:`collections_and_flags` gives, and the case's clocks and review meetings
    (``CLOCK_ROWS``, ``MEETING_ROWS``), in one statement."""
    conn = _core(session)
    holds, forms, flagged, clock_rows, meeting_rows = conn.execute(
        _COLLECTIONS[conn.dialect.name == "postgresql"], {"case_id": case_id}).one()
    return (HOLD_ROWS.parse(holds), FORM_ROWS.parse(forms), bool(flagged), CLOCK_ROWS.parse(clock_rows),
            MEETING_ROWS.parse(meeting_rows))


def collections_and_flags(session: Session, case_id: int) -> tuple[list[Any], list[Any], bool]:
    """What :func:`holds_of` and :func:`forms_of` give, and whether the case has duplicate
    flags, in one statement."""
    holds, forms, flagged, _clocks, _meetings = case_collections(session, case_id)
    return holds, forms, flagged


def collections_of(session: Session, case_id: int) -> tuple[list[Any], list[Any]]:
    """What :func:`holds_of` and :func:`forms_of` give, in one statement."""
    holds, forms, _flagged = collections_and_flags(session, case_id)
    return holds, forms


def holds_of(session: Session, case_id: int) -> list[Row[Any]]:
    """Every hold of the case (``HOLD_COLUMNS``), oldest first: the plain query, which
    :func:`collections_of` and the detail view give in one statement (tests/cdop/test_views.py
    holds them equal)."""
    return list(_core(session).execute(_CASE_HOLDS, {"case_id": case_id}).all())


def forms_of(session: Session, case_id: int) -> list[Row[Any]]:
    """Every agency request of the case (``FORM_COLUMNS``), oldest first, as
    ``core.agency_requests.service.list_for`` finds them."""
    return list(_core(session).execute(_CASE_FORMS, {"case_id": case_id}).all())


def duplicates_for(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Possible duplicates by case: ``{id, reference, reason}`` of the other case."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    rows = (_core(session).execute(_CASE_DUPLICATES, {"case_id": ids[0]}).all() if len(ids) == 1
            else _DUPLICATES.run(session, {"ids": list(ids)}))
    for cid, oid, ref, reason in rows:
        out[cid].append({"id": oid, "reference": ref, "reason": reason})
    return out


def meetings_for(session: Session, meeting_ids: Iterable[int | None]) -> dict[int, dt.datetime]:
    ids = sorted({i for i in meeting_ids if i is not None})
    if not ids:
        return {}
    return {mid: when for mid, when in _MEETING_DATES.run(session, {"ids": ids})}


# ---- the outstanding list ----


@dataclass
class CaseFilters:
    statuses: list[str] = field(default_factory=list)
    outstanding: bool = False
    older_than_days: int | None = None
    since_death_band: str | None = None
    hold_reason: str | None = None
    hold_overdue: bool = False
    has_overdue_reports: bool = False
    agency: str | None = None
    q: str | None = None
    overdue_clocks: bool = False  # ``overdue=true``: an open clock (stored deadline) past its due date
    overdue_kind: str | None = None  # ... of this kind
    # transferred out, the home panel's outcome not yet recorded (overdue or not)
    awaiting_external_outcome: bool = False


def _forms_exist(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    c = _FORMS.c
    return exists(
        select(c.id).where(
            c.subject_type == SUBJECT, c.kind == FORM_KIND, c.subject_id == _CASES.c.id, *conditions,
        )
    )


@dataclass(frozen=True)
class _ListShape:
    """Which filters a list request uses: one statement per shape, built once, with the values
    as bound parameters (per request only the parameters change: no statement to build, no
    cache key to compute)."""

    reads_all: bool
    statuses: bool
    outstanding: bool
    older_than: bool
    band_after: bool
    band_by: bool
    hold_reason: bool
    hold_overdue: bool
    agency: bool
    overdue: bool
    q: bool
    after: bool
    postgresql: bool
    overdue_clocks: bool = False
    overdue_kind: bool = False
    awaiting_external_outcome: bool = False


@lru_cache(maxsize=512)
def _list_statement(shape: _ListShape) -> Select[Any]:
    c = _CASES.c
    stmt = select(*LIST_COLUMNS).where(true() if shape.reads_all else false())
    if shape.statuses:
        stmt = stmt.where(c.status.in_(bindparam("statuses", expanding=True)))
    if shape.outstanding:
        stmt = stmt.where(open_cases())
    if shape.older_than:
        stmt = stmt.where(c.date_of_death <= bindparam("died_by", type_=Date))
    if shape.band_after:  # the band of the summary: died after its start ...
        stmt = stmt.where(c.date_of_death > bindparam("band_after", type_=Date))
    if shape.band_by:  # ... and on or before its end
        stmt = stmt.where(c.date_of_death <= bindparam("band_by", type_=Date))
    if shape.hold_reason or shape.hold_overdue:
        h = _HOLDS.c
        hold_conditions = [h.child_death_id == c.id, h.released_at.is_(None)]
        if shape.hold_reason:
            hold_conditions.append(h.reason == bindparam("hold_reason"))
        if shape.hold_overdue:  # its expected date has passed and it has not been released
            hold_conditions.append(h.expected_on < bindparam("today", type_=Date))
        stmt = stmt.where(exists(select(h.id).where(*hold_conditions)))
    r = _FORMS.c
    form_conditions: list[ColumnElement[bool]] = []
    if shape.agency:
        # cases still waiting on a reporting form from this agency
        form_conditions += [func.lower(r.agency) == bindparam("agency"), r.status == "requested"]
    if shape.overdue:
        form_conditions += [r.status == "requested", r.due_on < bindparam("today", type_=Date)]
    if form_conditions:
        stmt = stmt.where(_forms_exist(*form_conditions))
    if shape.overdue_clocks or shape.overdue_kind:  # the partial index of open deadlines (subject_type, due_on)
        overdue = overdue_subject_ids(SUBJECT, bindparam("today", type_=Date))  # type: ignore[arg-type]
        overdue = overdue.where(clock_running())
        if shape.overdue_kind:
            overdue = overdue.where(Deadline.kind == bindparam("overdue_kind"))
        stmt = stmt.where(c.id.in_(overdue))
    if shape.awaiting_external_outcome:  # ix_cdop_child_deaths_status_death, then the outcome's date
        stmt = stmt.where(c.status == bindparam("transferred_out", "transferred_out", literal_execute=True),
                          c.external_outcome_received_on.is_(None))
    if shape.q:
        like = bindparam("like")
        full = func.lower(c.first_name + " " + c.last_name)
        stmt = stmt.where(or_(
            func.lower(c.reference) == bindparam("q"),
            func.lower(c.reference).like(like, escape="\\"),
            full.like(like, escape="\\"),
        ))
    if shape.after:  # keyset: after the last (date of death, id) of the previous page
        after_date, after_id = bindparam("after_date", type_=Date), bindparam("after_id", type_=Integer)
        stmt = stmt.where(or_(c.date_of_death > after_date, and_(c.date_of_death == after_date, c.id > after_id)))
    # The page in a subquery, then each of its rows with its open holds and awaited forms: they
    # are looked up for the cases of the page only, whatever plan the filters get.
    # the limit inline (literal_execute): a prepared generic plan would otherwise guess it
    limit = bindparam("limit", type_=Integer, literal_execute=True)
    inner = stmt.order_by(c.date_of_death, c.id).limit(limit).subquery("page")
    holds, forms = _open_collections(inner, shape.postgresql)
    # The panel meeting by an outer join: the meetings are read once for the page (as a
    # correlated subquery PostgreSQL scanned the small meetings table once per row).
    # No ORDER BY out here: SQL does not promise that the subquery's order survives, so
    # ``list_page`` sorts the (at most limit) rows itself rather than have the database sort
    # them again.
    return (select(inner, holds, forms, _MEETINGS.c.scheduled_for.label("meeting_at"))
            .select_from(inner.outerjoin(_MEETINGS, _MEETINGS.c.id == inner.c.panel_meeting_id)))


def list_statement(principal: Principal, f: CaseFilters, today: dt.date, limit: int, cursor: str | None,
                   dialect: str) -> tuple[Select[Any], dict[str, Any]]:
    """The list's statement for these filters and its parameters: at most ``limit`` cases
    (``LIST_COLUMNS``, then ``open_holds``, ``open_forms`` and the date of the case's panel
    meeting, ``meeting_at``), oldest death first, after the ``cursor``'s case."""
    params: dict[str, Any] = {"limit": limit}
    if f.statuses:
        params["statuses"] = list(f.statuses)
    if f.older_than_days is not None:
        params["died_by"] = today - dt.timedelta(days=f.older_than_days)
    if f.since_death_band:
        after, by = band_dates(f.since_death_band, today)
        if after:
            params["band_after"] = after
        if by:
            params["band_by"] = by
    if f.hold_overdue or f.overdue_clocks or f.overdue_kind:
        params["today"] = today
    if f.overdue_kind:
        params["overdue_kind"] = f.overdue_kind
    if f.hold_reason:
        params["hold_reason"] = f.hold_reason
    if f.agency:
        params["agency"] = f.agency.lower()
    if f.has_overdue_reports:
        params["today"] = today
    if f.q:
        q = f.q.strip().lower()
        params["q"] = q
        params["like"] = like_contains(q)
    if cursor:
        last_date, last_id = decode_cursor(cursor, 2)
        try:
            params["after_date"], params["after_id"] = dt.date.fromisoformat(str(last_date)), int(last_id)
        except (TypeError, ValueError):
            raise ValidationFailed.field(["query", "cursor"], "invalid cursor") from None
    shape = _ListShape(
        reads_all=bool(principal.roles & READER_ROLES), statuses=bool(f.statuses), outstanding=f.outstanding,
        older_than=f.older_than_days is not None, band_after="band_after" in params, band_by="band_by" in params,
        hold_reason=bool(f.hold_reason), hold_overdue=f.hold_overdue, agency=bool(f.agency),
        overdue=f.has_overdue_reports, q=bool(f.q), after=bool(cursor), postgresql=dialect == "postgresql",
        overdue_clocks=f.overdue_clocks, overdue_kind=bool(f.overdue_kind),
        awaiting_external_outcome=f.awaiting_external_outcome,
    )
    return _list_statement(shape), params


def _const(value: str) -> Any:
    """A constant of the code (never input) written into the statement's text, not bound."""
    if "'" in value:
        raise ValueError(f"not a plain constant: {value!r}")
    return literal_column(f"'{value}'", String)


def _open_collections(page: Any, postgresql: bool) -> tuple[Any, Any]:
    """For each case of ``page`` (a subquery with an ``id``): its open holds as the JSON text of
    an array of ``[id, reason, expected_on, note, placed_at, placed_by]`` and its awaited
    reporting forms as one of ``[due_on, id, agency]``, in no particular order (NULL or ``[]``
    when there are none), parsed by ``service.list_item``; dates and times in it are ISO text."""
    h, r = _HOLDS.c, _FORMS.c
    holds = json_rows_text(postgresql, (h.id, h.reason, h.expected_on, h.note, h.placed_at, h.placed_by),
                            h.child_death_id == page.c.id, h.released_at.is_(None))
    # The constants in the SQL text, not bound: the planner can then use the partial index of
    # awaited forms (ix_core_agency_requests_awaited), and SQLite runs the subquery faster even
    # on the same index (bench/README.md).
    forms = json_rows_text(postgresql, (r.due_on, r.id, r.agency),
                            r.subject_type == _const(SUBJECT), r.kind == _const(FORM_KIND),
                            r.subject_id == page.c.id, r.status == _const("requested"))
    return holds.label("open_holds"), forms.label("open_forms")


def _death_order(row: Row[Any]) -> tuple[dt.date, int]:
    return row.date_of_death, row.id


def list_page(session: Session, principal: Principal, f: CaseFilters, today: dt.date, limit: int,
              cursor: str | None) -> tuple[list[Row[Any]], str | None]:
    """Keyset pagination on (date of death, id), the oldest deaths first, in one statement."""
    conn = _core(session)
    stmt, params = list_statement(principal, f, today, limit + 1, cursor, conn.dialect.name)
    rows = sorted(conn.execute(stmt, params).all(), key=_death_order)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.date_of_death.isoformat(), last.id)
    return rows[:limit], next_cursor


# ---- the outstanding summary (GROUP BY in SQL) ----


def band_limits(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """The dates of death after which a case is 0-3, 3-6 and 6-12 months from ``today``."""
    return add_months(today, -3), add_months(today, -6), add_months(today, -12)


def band_dates(band: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates of death of a band (:func:`since_death_band`): after the first (or no limit),
    on or before the second (or no limit)."""
    three, six, twelve = band_limits(today)
    return {"0-3m": (three, None), "3-6m": (six, three), "6-12m": (twelve, six), "12m+": (None, twelve)}[band]


def since_death_band(date_of_death: dt.date, today: dt.date,
                     limits: tuple[dt.date, dt.date, dt.date] | None = None) -> str:
    three, six, twelve = limits or band_limits(today)
    if date_of_death > three:
        return "0-3m"
    if date_of_death > six:
        return "3-6m"
    if date_of_death > twelve:
        return "6-12m"
    return "12m+"


def _counts_stmt(readable: ColumnElement[bool]) -> Select[Any]:
    band = case(
        (_CASES.c.date_of_death > bindparam("b3", type_=Date), "0-3m"),
        (_CASES.c.date_of_death > bindparam("b6", type_=Date), "3-6m"),
        (_CASES.c.date_of_death > bindparam("b12", type_=Date), "6-12m"),
        else_="12m+",
    )
    sub = select(_CASES.c.status.label("status"), band.label("band")).where(readable, open_cases()).subquery()
    return select(sub.c.status, sub.c.band, func.count()).group_by(sub.c.status, sub.c.band)


_COUNTS = {True: _counts_stmt(true()), False: _counts_stmt(false())}  # built once per visibility


def outstanding_counts(session: Session, principal: Principal, today: dt.date) -> list[tuple[str, str, int]]:
    b3, b6, b12 = band_limits(today)
    rows = session.connection().execute(_COUNTS[_reads_all(principal)], {"b3": b3, "b6": b6, "b12": b12}).all()
    return [(s, b, int(n)) for s, b, n in rows]


def _past_expected() -> Any:
    """1 for an open hold whose expected date has passed (the summary's overdue holds)."""
    return func.sum(case((_HOLDS.c.expected_on < bindparam("today", type_=Date), 1), else_=0))


_HOLDS_BY_REASON = (
    select(_HOLDS.c.reason, func.count(), _past_expected())
    .where(_HOLDS.c.released_at.is_(None)).group_by(_HOLDS.c.reason)
)
_OVERDUE_BY_AGENCY = (
    select(_FORMS.c.agency, func.count())
    .where(_FORMS.c.subject_type == SUBJECT, _FORMS.c.kind == FORM_KIND,
           _FORMS.c.status == bindparam("requested", "requested", literal_execute=True),
           _FORMS.c.due_on < bindparam("today", type_=Date))
    .group_by(_FORMS.c.agency)
    .order_by(_FORMS.c.agency)
)


def open_holds_by_reason(session: Session, principal: Principal,
                         today: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """Open holds by reason, and those of them whose expected date has passed."""
    if principal.roles & READER_ROLES:
        # Readers see every case: count the open holds on their own (partial index), with no
        # probe into cdop_child_deaths per hold.
        rows = session.connection().execute(_HOLDS_BY_REASON, {"today": today}).all()
    else:
        rows = session.execute(
            select(ChildDeathHold.reason, func.count(), _past_expected())
            .join(ChildDeath, ChildDeath.id == ChildDeathHold.child_death_id)
            .where(ChildDeathHold.released_at.is_(None), readable_by(principal))
            .group_by(ChildDeathHold.reason), {"today": today}
        ).all()
    return {r: int(n) for r, n, _ in rows}, {r: int(p or 0) for r, _, p in rows if p}


def overdue_forms_by_agency(session: Session, principal: Principal, today: dt.date) -> dict[str, int]:
    if principal.roles & READER_ROLES:
        # Readers see every case, and a case that is closed, withdrawn or transferred out has no
        # requested form (each of those transitions waives them; migration 0005 waived older
        # ones): an index-only count of the requested forms, no join to the open cases.
        rows = session.connection().execute(_OVERDUE_BY_AGENCY, {"today": today}).all()
        return {a: int(n) for a, n in rows}
    rows = session.execute(
        select(AgencyRequest.agency, func.count())
        .join(ChildDeath, ChildDeath.id == AgencyRequest.subject_id)
        .where(AgencyRequest.subject_type == SUBJECT, AgencyRequest.kind == FORM_KIND,
               AgencyRequest.status == bindparam("requested", "requested", literal_execute=True),
               AgencyRequest.due_on < today,
               open_cases(), readable_by(principal))
        .group_by(AgencyRequest.agency)
        .order_by(AgencyRequest.agency)
    ).all()
    return {a: int(n) for a, n in rows}


# ---- notifications: references and possible duplicates ----


def possible_duplicates(session: Session, case: ChildDeath) -> list[Row[Any]]:
    """Other cases that may be the same death: the same NHS number, or the same first and last
    names (case-insensitive), date of birth and date of death; ``(id, reference, nhs_number)``."""
    same_person = and_(
        func.lower(ChildDeath.first_name) == case.first_name.lower(),
        func.lower(ChildDeath.last_name) == case.last_name.lower(),
        ChildDeath.date_of_birth == case.date_of_birth,
        ChildDeath.date_of_death == case.date_of_death,
    )
    conditions = [same_person]
    if case.nhs_number:
        conditions.append(ChildDeath.nhs_number == case.nhs_number)
    return list(session.execute(
        select(ChildDeath.id, ChildDeath.reference, ChildDeath.nhs_number)
        .where(ChildDeath.id != case.id, or_(*conditions))
        .order_by(ChildDeath.id)
    ).all())


def flagged_ids(session: Session, case_id: int) -> set[int]:
    return set(session.execute(
        select(DuplicateFlag.other_id).where(DuplicateFlag.child_death_id == case_id)
    ).scalars())


# ---- reporting forms (core agency requests of kind ``reporting_form``) ----


def agencies_with_forms(session: Session, case_id: int) -> set[str]:
    """The agencies (lower-cased) the case already has a reporting form for."""
    c = AgencyRequest.__table__.c
    return {a.lower() for a in session.execute(
        select(c.agency).where(c.subject_type == SUBJECT, c.subject_id == case_id, c.kind == FORM_KIND)
    ).scalars()}


def forms_of_case(session: Session, case_id: int, *, lock: bool = False) -> list[AgencyRequest]:
    """The case's reporting forms as entities, oldest first."""
    stmt = (select(AgencyRequest)
            .where(AgencyRequest.subject_type == SUBJECT, AgencyRequest.subject_id == case_id,
                   AgencyRequest.kind == FORM_KIND)
            .order_by(AgencyRequest.id))
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return list(session.execute(stmt).scalars())


def open_form_agencies(session: Session, case_id: int) -> list[str]:
    """The agencies whose reporting form is still awaited (requested), sorted."""
    c = AgencyRequest.__table__.c
    return sorted(set(session.execute(
        select(c.agency).where(c.subject_type == SUBJECT, c.subject_id == case_id, c.kind == FORM_KIND,
                               c.status == "requested")
    ).scalars()))


def assigned_forms(session: Session, user_id: int | None, *, open_only: bool, limit: int,
                   after_id: int | None) -> list[tuple[AgencyRequest, ChildDeath]]:
    """Reporting forms assigned to this user with their case, by id, at most ``limit + 1``."""
    return requests.assigned_to(session, ChildDeath, SUBJECT, FORM_KIND, user_id,
                                finished_states=TERMINAL_STATES, open_only=open_only, limit=limit,
                                after_id=after_id)


def assigned_form(session: Session, user_id: int | None, form_id: int, *,
                  lock: bool = False) -> tuple[AgencyRequest, ChildDeath] | None:
    """One reporting form assigned to this user, with its case; else None."""
    return requests.one_assigned_to(session, ChildDeath, SUBJECT, FORM_KIND, user_id, form_id, lock=lock)


def case_of_form(session: Session, req: AgencyRequest) -> ChildDeath | None:
    if req.subject_type != SUBJECT or req.kind != FORM_KIND:
        return None
    return session.get(ChildDeath, req.subject_id)


# ---- panel meetings ----


def future_panel_exists(session: Session, kind: str, now: dt.datetime) -> bool:
    return bool(session.scalar(select(exists(
        select(Meeting.id).where(Meeting.kind == kind, Meeting.scheduled_for > now)
    ))))


def get_meeting(session: Session, meeting_id: int, *, lock: bool = False) -> Meeting | None:
    if lock:
        return session.get(Meeting, meeting_id, with_for_update=True, populate_existing=True)
    return session.get(Meeting, meeting_id)


def cases_by_ids(session: Session, ids: Sequence[int]) -> dict[int, ChildDeath]:
    if not ids:
        return {}
    return {c.id: c for c in session.execute(select(ChildDeath).where(ChildDeath.id.in_(list(ids)))).scalars()}


def agenda_lines(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Agenda lines for coordinators and the chair: reference and status only."""
    if not ids:
        return {}
    rows = session.execute(
        select(ChildDeath.id, ChildDeath.reference, ChildDeath.status).where(ChildDeath.id.in_(list(ids)))
    ).all()
    return {i: {"id": i, "reference": ref, "status": status} for i, ref, status in rows}


def get_for_update(session: Session, case_id: int) -> ChildDeath | None:
    """The case with the row lock (PostgreSQL), whoever asks: for core's meeting hooks, which
    have checked the caller already."""
    stmt = select(ChildDeath).where(ChildDeath.id == case_id)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(of=ChildDeath)
    return session.execute(stmt).scalar_one_or_none()


def meeting_being_changed(session: Session, case_id: int, panel_meeting_id: int) -> int | None:
    """Which CDOP panel meeting's agenda the caller is changing for this case, when core's
    hook does not say: the one meeting of the case's agendas loaded in this request (core
    loads the meeting it changes), or its only agenda. ``None`` when that cannot be told."""
    on = set(session.execute(
        select(AgendaItem.meeting_id).where(AgendaItem.subject_type == SUBJECT, AgendaItem.subject_id == case_id)
    ).scalars())
    loaded = {obj.id for obj in session.identity_map.values() if isinstance(obj, Meeting)} & on
    if len(loaded) == 1:
        return loaded.pop()
    return panel_meeting_id if on == {panel_meeting_id} else None
