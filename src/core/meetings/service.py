"""Who may read a meeting and what of it they see; the agenda membership subqueries."""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from core.auth.principal import Principal
from core.errors import Forbidden, NotFound
from core.meetings.models import AgendaItem, Meeting, MeetingMember
from core.meetings.registry import MEETING_KINDS, MeetingKind


def is_member(meeting: Meeting, principal: Principal) -> bool:
    return principal.user_id is not None and any(m.user_id == principal.user_id for m in meeting.members)


def is_officer(mk: MeetingKind, principal: Principal) -> bool:
    """A reader or manager of the kind (reads every meeting of it, with its cases)."""
    return bool(principal.roles & (mk.reader_roles | mk.manager_roles))


def load_meeting(session: Session, meeting_id: int, principal: Principal, *,
                 manage: bool = False) -> tuple[Meeting, MeetingKind]:
    """The meeting and its kind, when the caller may read it: a reader or manager of the kind,
    or one of the meeting's members. Anything else is 404, as if it did not exist. With
    ``manage``, a reader who is not a manager of the kind gets 403."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.kind not in MEETING_KINDS:
        raise NotFound("no such meeting")
    mk = MEETING_KINDS[meeting.kind]
    if not (is_officer(mk, principal) or is_member(meeting, principal)):
        raise NotFound("no such meeting")
    if manage and not principal.roles & mk.manager_roles:
        raise Forbidden("only the business unit or coordinator manages this meeting")
    return meeting, mk


def shows_cases(mk: MeetingKind, principal: Principal) -> bool:
    """Whether the caller sees the meeting's agenda lines (the cases) and its minutes: the
    kind's readers and managers do; a member only with one of the kind's ``member_roles``
    (a CRG member who holds no case review role sees neither; a CDOP panel member reads the
    anonymised papers instead)."""
    return is_officer(mk, principal) or bool(principal.roles & mk.member_roles)


def agenda_subject_ids_for_member(user_id: int | None, subject_type: str, kind: str | None = None) -> Select[tuple[int]]:
    """Ids of cases on the agenda of any meeting the user belongs to (a subquery)."""
    stmt = (
        select(AgendaItem.subject_id)
        .join(MeetingMember, MeetingMember.meeting_id == AgendaItem.meeting_id)
        .where(AgendaItem.subject_type == subject_type, MeetingMember.user_id == (user_id or -1))
    )
    if kind is not None:
        stmt = stmt.join(Meeting, Meeting.id == AgendaItem.meeting_id).where(Meeting.kind == kind)
    return stmt


def is_on_member_agenda(session: Session, user_id: int | None, subject_type: str, subject_id: int,
                        kind: str | None = None) -> bool:
    sub = agenda_subject_ids_for_member(user_id, subject_type, kind).where(AgendaItem.subject_id == subject_id)
    return bool(session.scalar(select(exists(sub))))
