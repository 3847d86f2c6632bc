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
    reader_roles: frozenset[str]  # may read any meeting of this kind (members always may)
    # case id -> short agenda line ({id, reference, status}) or None when no such case
    describe: Callable[[Session, Sequence[int]], dict[int, dict[str, Any]]]
    # optional check before a case goes on the agenda: returns a reason to refuse, or None
    can_add: Callable[[Session, int], str | None] | None = None
    # standing items shown with the agenda (e.g. the CRG tracker of every open case)
    standing_items: Callable[[Session], list[dict[str, Any]]] | None = None
    # the meeting papers (e.g. the anonymised CDOP pack)
    papers: Callable[[Session, Any, Principal], dict[str, Any]] | None = None


MEETING_KINDS: dict[str, MeetingKind] = {}


def register_meeting_kind(kind: MeetingKind) -> None:
    MEETING_KINDS[kind.kind] = kind
