"""Domains register what a meeting kind's agenda holds; core never imports a domain."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.auth.principal import Principal


@dataclass(frozen=True)
class MeetingKind:
    kind: str  # "crg" | "cdop_panel"
    subject_type: str  # what agenda items point at, e.g. "case_review"
    manager_roles: frozenset[str]  # may create meetings and edit agendas/minutes
    reader_roles: frozenset[str]  # may read any meeting of this kind (members may read their own)
    # case id -> short agenda line ({id, reference, status, stage?, decision?, received_on?})
    # for the ids that are cases of this kind
    describe: Callable[[Session, Sequence[int]], dict[int, dict[str, Any]]]
    # optional check before a case goes on the agenda: returns a reason to refuse, or None
    can_add: Callable[[Session, int], str | None] | None = None
    # standing items shown with the agenda to the kind's readers and managers (the CRG tracker
    # of every open case: {id, reference, status, stage, decision, review_type, received_on,
    # deadlines, overdue})
    standing_items: Callable[[Session], list[dict[str, Any]]] | None = None
    # A member of a meeting sees its agenda lines (the cases) and minutes only when they also
    # hold one of these roles, or a reader or manager role of the kind (none: members see
    # neither, e.g. a CDOP panel's members, who read the anonymised papers of the domain)
    member_roles: frozenset[str] = frozenset()
    # called by DELETE /meetings/{id}/agenda/{case_id} before the item is removed, in the
    # request's transaction (e.g. a child death goes back to ready_for_panel)
    on_agenda_remove: Callable[[Session, int, Principal], None] | None = None
    # the roles of the users a manager may choose as members (GET /meetings/member-choices):
    # the managers see these users' id, name and which of these roles they hold, nothing else
    candidate_roles: frozenset[str] = frozenset()


MEETING_KINDS: dict[str, MeetingKind] = {}


def register_meeting_kind(kind: MeetingKind) -> None:
    MEETING_KINDS[kind.kind] = kind
