"""The CRG meeting kind: agenda lines for case reviews and the tracker as a standing item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from core.deadlines import open_deadlines_for
from core.meetings import MeetingKind, register_meeting_kind
from ecr import repository as repo
from ecr.workflow import CLOSED_STATES, SUBJECT, regime_of


def describe(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    return {
        c.id: {"id": c.id, "reference": c.reference, "status": c.status,
               "stage": regime_of(c).public_stages.get(c.status), "decision": c.decision,
               "received_on": c.received_on}
        for c in repo.cases_by_ids(session, ids)
    }


def can_add(session: Session, case_id: int) -> str | None:
    case = repo.get_by_id(session, case_id)
    if case is not None and case.status in CLOSED_STATES:
        return f"the case is {case.status}"
    return None


def tracker(session: Session) -> list[dict[str, Any]]:
    """Every open case with its stage and open deadlines (the CRG's standing item)."""
    today = dt.date.today()
    cases = repo.open_cases(session)
    deadlines = open_deadlines_for(session, SUBJECT, [c.id for c in cases], today)
    return [
        {"id": c.id, "reference": c.reference, "status": c.status,
         "stage": regime_of(c).public_stages.get(c.status), "decision": c.decision,
         "review_type": c.review_type, "received_on": c.received_on,
         "deadlines": deadlines.get(c.id, []),
         "overdue": any(d["overdue"] for d in deadlines.get(c.id, []))}
        for c in cases
    ]


def register() -> None:
    register_meeting_kind(MeetingKind(
        kind="crg",
        subject_type=SUBJECT,
        manager_roles=frozenset({"business_unit"}),
        reader_roles=frozenset({"business_unit", "crg_chair", "independent_chair"}),
        describe=describe,
        can_add=can_add,
        standing_items=tracker,
    ))
