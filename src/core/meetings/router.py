"""CRG meetings and CDOP panel meetings: members, agenda, minutes (a domain serves its own papers)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import record
from core.auth.deps import require
from core.auth.models import User
from core.auth.principal import Principal
from core.db.base import utcnow
from core.db.session import SessionDep
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.meetings.models import AgendaItem, Meeting, MeetingMember
from core.meetings.registry import MEETING_KINDS, MeetingKind
from core.meetings.service import is_officer, load_meeting, shows_cases
from core.pagination import MAX_INT_ID, CursorQuery, Page, decode_id_cursor, encode_cursor
from core.workflow.engine import check_if_match
from core.types import AwareDateTimeText

router = APIRouter(tags=["meetings"])
Kind = Literal["crg", "cdop_panel"]
MeetingId = Annotated[int, Path(ge=1, le=MAX_INT_ID)]


# Request bodies are strict: a string is not taken for a number, nor a number for a string.
class MeetingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Kind
    scheduled_for: AwareDateTimeText
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    member_ids: list[Annotated[int, Field(ge=1, le=MAX_INT_ID)]] = Field(default_factory=list, max_length=100)


class AgendaAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    case_id: int = Field(ge=1, le=MAX_INT_ID)


class MinutesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    minutes: Annotated[str, StringConstraints(max_length=100_000)]


class AgendaCase(BaseModel):
    """The agenda line of a case, as the meeting kind's domain describes it."""

    id: int
    reference: str
    status: str
    stage: str | None = None
    decision: str | None = None
    received_on: dt.date | None = None


class TrackerDeadline(BaseModel):
    kind: str
    label: str
    start_on: dt.date
    due_on: dt.date
    overdue: bool


class TrackerItem(BaseModel):
    """A standing item: an open case with its stage and open deadlines (the CRG tracker)."""

    id: int
    reference: str
    status: str
    stage: str | None = None
    decision: str | None = None
    review_type: str | None = None
    received_on: dt.date | None = None
    deadlines: list[TrackerDeadline] = Field(default_factory=list)
    overdue: bool = False


class AgendaItemOut(BaseModel):
    case_id: int
    position: int
    added_at: dt.datetime
    case: AgendaCase | None = Field(
        default=None, description="null for a caller who does not see the meeting's cases")


class MeetingOut(BaseModel):
    id: int
    kind: Kind
    title: str | None
    scheduled_for: dt.datetime
    location: str | None
    member_ids: list[int]
    agenda: list[AgendaItemOut]
    standing_items: list[TrackerItem] | None = Field(
        default=None, description="for the kind's readers and managers on a single meeting; null otherwise")
    minutes: str | None = Field(description="null until written, and for a caller who does not see the meeting's cases")
    minutes_updated_at: dt.datetime | None


def _kind(kind: str) -> MeetingKind:
    mk = MEETING_KINDS.get(kind)
    if mk is None:
        raise ValidationFailed.field(["body", "kind"], f"meetings of kind {kind!r} are not enabled")
    return mk


def _out(session: Session, meeting: Meeting, mk: MeetingKind, principal: Principal, response: Response | None,
         *, include_standing: bool = True, described: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    sees_cases = shows_cases(mk, principal)
    if not sees_cases:
        described = {}
    elif described is None:
        described = mk.describe(session, [a.subject_id for a in meeting.agenda])
    standing = (
        mk.standing_items(session)
        if include_standing and mk.standing_items and is_officer(mk, principal)
        else None
    )
    if response is not None:
        response.headers["ETag"] = meeting.etag
    return {
        "id": meeting.id, "kind": meeting.kind, "title": meeting.title,
        "scheduled_for": meeting.scheduled_for, "location": meeting.location,
        "member_ids": [m.user_id for m in meeting.members],
        "agenda": [
            {"case_id": a.subject_id, "position": a.position, "added_at": a.added_at,
             "case": described.get(a.subject_id)}
            for a in meeting.agenda
        ],
        "standing_items": standing,
        "minutes": meeting.minutes if sees_cases else None,
        "minutes_updated_at": meeting.minutes_updated_at if sees_cases else None,
    }


@router.post("/meetings", response_model=MeetingOut, status_code=201)
def create_meeting(
    body: MeetingCreate, session: SessionDep, response: Response,
    principal: Annotated[Principal, Depends(require("meeting:manage"))],
) -> dict[str, Any]:
    mk = _kind(body.kind)
    if not principal.roles & mk.manager_roles:
        raise Forbidden(f"you cannot create {body.kind} meetings")
    member_ids = sorted(set(body.member_ids))
    if member_ids:
        found = set(session.execute(select(User.id).where(User.id.in_(member_ids), User.is_active)).scalars())
        missing = [i for i in member_ids if i not in found]
        if missing:
            raise ValidationFailed.field(["body", "member_ids"], f"no active users with ids {missing}")
    meeting = Meeting(kind=body.kind, title=body.title, scheduled_for=body.scheduled_for,
                      location=body.location, created_by=principal.actor,
                      members=[MeetingMember(user_id=i) for i in member_ids])
    session.add(meeting)
    session.flush()
    record(session, actor=principal.actor, action="meeting.create", subject_type="meeting",
           subject_id=meeting.id, data={"kind": body.kind, "members": member_ids})
    return _out(session, meeting, mk, principal, response)


@router.get("/meetings", response_model=Page[MeetingOut])
def list_meetings(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("meeting:read"))],
    kind: Kind | None = None,
    upcoming: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    stmt = select(Meeting).order_by(Meeting.id.desc()).limit(limit + 1)
    readable_kinds = [k for k, mk in MEETING_KINDS.items()
                      if principal.roles & (mk.reader_roles | mk.manager_roles)]
    member_of = select(MeetingMember.meeting_id).where(MeetingMember.user_id == (principal.user_id or -1))
    stmt = stmt.where(Meeting.kind.in_(readable_kinds) | Meeting.id.in_(member_of))
    if kind:
        stmt = stmt.where(Meeting.kind == kind)
    if upcoming:
        stmt = stmt.where(Meeting.scheduled_for >= utcnow())
    if cursor:
        stmt = stmt.where(Meeting.id < decode_id_cursor(cursor))
    rows = list(session.execute(stmt).scalars())
    # The standing items (e.g. the tracker of every open case) belong to one meeting's view,
    # not to every row of a list.
    page = [m for m in rows[:limit] if m.kind in MEETING_KINDS]
    # One describe() per kind for the whole page, not one per meeting.
    wanted: dict[str, set[int]] = {}
    for m in page:
        if shows_cases(MEETING_KINDS[m.kind], principal):
            wanted.setdefault(m.kind, set()).update(a.subject_id for a in m.agenda)
    described = {k: MEETING_KINDS[k].describe(session, sorted(ids)) if ids else {} for k, ids in wanted.items()}
    items = [_out(session, m, MEETING_KINDS[m.kind], principal, None, include_standing=False,
                  described=described.get(m.kind, {}))
             for m in page]
    record(session, actor=principal.actor, action="meeting.list", subject_type="meeting",
           data={"ids": [i["id"] for i in items]})
    return {"items": items, "next_cursor": encode_cursor(rows[limit - 1].id) if len(rows) > limit else None}


class MemberChoice(BaseModel):
    id: int
    name: str
    roles: list[str] = Field(description="which of the kind's candidate roles the user holds")


class MemberChoices(BaseModel):
    items: list[MemberChoice]
    next_cursor: str | None = None


@router.get("/meetings/member-choices", response_model=MemberChoices)
def member_choices(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("meeting:manage"))],
    kind: Kind,
) -> dict[str, Any]:
    """The active users a manager of the kind may choose as a meeting's members (those holding
    one of the kind's candidate roles): id, name and those roles only, for the staff app's
    "new meeting" form (GET /users, with emails and every role, stays for admins)."""
    mk = _kind(kind)
    if not principal.roles & mk.manager_roles:
        raise Forbidden(f"you cannot create {kind} meetings")
    rows = session.execute(
        select(User.id, User.name, User.roles).where(User.is_active).order_by(User.name, User.id)
    ).all()
    items = []
    for uid, name, roles in rows:
        held = sorted(set(roles or []) & mk.candidate_roles)
        if held:
            items.append({"id": uid, "name": name, "roles": held})
    return {"items": items, "next_cursor": None}


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(
    meeting_id: MeetingId, session: SessionDep, response: Response,
    principal: Annotated[Principal, Depends(require("meeting:read"))],
) -> dict[str, Any]:
    meeting, mk = load_meeting(session, meeting_id, principal)
    record(session, actor=principal.actor, action="meeting.read", subject_type="meeting", subject_id=meeting.id)
    return _out(session, meeting, mk, principal, response)


@router.post("/meetings/{meeting_id}/agenda", response_model=MeetingOut, status_code=201)
def add_agenda_item(
    meeting_id: MeetingId, body: AgendaAdd, session: SessionDep, response: Response,
    principal: Annotated[Principal, Depends(require("meeting:manage"))],
) -> dict[str, Any]:
    meeting, mk = load_meeting(session, meeting_id, principal, manage=True)
    if any(a.subject_id == body.case_id for a in meeting.agenda):
        raise Conflict("the case is already on this agenda")
    if not mk.describe(session, [body.case_id]):
        raise ValidationFailed.field(["body", "case_id"], "no such case for this kind of meeting")
    if mk.can_add is not None and (reason := mk.can_add(session, body.case_id)):
        raise Conflict(reason)
    meeting.agenda.append(AgendaItem(
        subject_type=mk.subject_type, subject_id=body.case_id,
        position=max((a.position for a in meeting.agenda), default=0) + 1,
        added_at=utcnow(), added_by=principal.actor,
    ))
    meeting.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError:  # the same case added by two requests at once
        raise Conflict("the case is already on this agenda") from None
    record(session, actor=principal.actor, action="meeting.agenda_add", subject_type="meeting",
           subject_id=meeting.id, data={"case_id": body.case_id})
    return _out(session, meeting, mk, principal, response)


@router.delete("/meetings/{meeting_id}/agenda/{case_id}", response_model=MeetingOut)
def remove_agenda_item(
    meeting_id: MeetingId, case_id: Annotated[int, Path(ge=1, le=MAX_INT_ID)], session: SessionDep,
    response: Response, principal: Annotated[Principal, Depends(require("meeting:manage"))],
) -> dict[str, Any]:
    """Take a case off the agenda (added by mistake, or moved to another meeting)."""
    meeting, mk = load_meeting(session, meeting_id, principal, manage=True)
    item = next((a for a in meeting.agenda if a.subject_id == case_id), None)
    if item is None:
        raise NotFound("the case is not on this agenda")
    if mk.on_agenda_remove is not None:
        mk.on_agenda_remove(session, case_id, principal)
    meeting.agenda.remove(item)
    meeting.updated_at = utcnow()
    session.flush()
    record(session, actor=principal.actor, action="meeting.agenda_remove", subject_type="meeting",
           subject_id=meeting.id, data={"case_id": case_id})
    return _out(session, meeting, mk, principal, response)


@router.put("/meetings/{meeting_id}/minutes", response_model=MeetingOut)
def put_minutes(
    meeting_id: MeetingId, body: MinutesIn, session: SessionDep, response: Response,
    principal: Annotated[Principal, Depends(require("meeting:manage"))],
    if_match: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    meeting, mk = load_meeting(session, meeting_id, principal, manage=True)
    check_if_match(meeting, if_match)
    meeting.minutes = body.minutes
    meeting.minutes_updated_at = utcnow()
    session.flush()
    record(session, actor=principal.actor, action="meeting.minutes", subject_type="meeting", subject_id=meeting.id)
    return _out(session, meeting, mk, principal, response)
