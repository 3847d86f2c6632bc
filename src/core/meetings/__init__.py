from core.meetings.registry import MeetingKind, register_meeting_kind
from core.meetings.service import agenda_subject_ids_for_member, is_on_member_agenda, load_meeting, shows_cases

__all__ = [
    "MeetingKind",
    "agenda_subject_ids_for_member",
    "is_on_member_agenda",
    "load_meeting",
    "register_meeting_kind",
    "shows_cases",
]
