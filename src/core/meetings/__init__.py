from core.meetings.registry import MeetingKind, register_meeting_kind
from core.meetings.service import agenda_subject_ids_for_member, is_on_member_agenda

__all__ = ["MeetingKind", "register_meeting_kind", "agenda_subject_ids_for_member", "is_on_member_agenda"]
