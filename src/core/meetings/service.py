from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from core.meetings.models import AgendaItem, MeetingMember


def agenda_subject_ids_for_member(user_id: int | None, subject_type: str, kind: str | None = None) -> Select[tuple[int]]:
    """Ids of cases on the agenda of any meeting the user belongs to (a subquery)."""
    from core.meetings.models import Meeting

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
