"""Annual report figures for notifications received in a period, counted in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core.deadlines import deadline_outcome_case
from core.deadlines.models import Deadline
from core.workflow.models import WorkflowHistory
from ecr.domain import (
    DEADLINE_KINDS,
    DECISIONS,
    INCIDENT_TYPES,
    SOURCES,
    SUBJECT,
    TIMELINESS_KEYS,
)
from ecr.models import CaseReview

OUTCOME_KEYS = (*DECISIONS, "pending", "withdrawn")


def case_review_report(session: Session, start: dt.date, end: dt.date,
                       today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    in_period = and_(CaseReview.received_on >= start, CaseReview.received_on <= end)
    ids = select(CaseReview.id).where(in_period)

    outcome = case(
        (CaseReview.status == "withdrawn", "withdrawn"),
        else_=func.coalesce(CaseReview.decision, "pending"),
    )
    outcomes = {k: 0 for k in OUTCOME_KEYS}
    for key, n in session.execute(
        select(outcome, func.count()).where(in_period).group_by(outcome)
    ).all():
        outcomes[key] = outcomes.get(key, 0) + n
    total = sum(outcomes.values())

    by_source: dict[str, int] = dict.fromkeys(SOURCES, 0)
    for key, n in session.execute(
        select(CaseReview.source, func.count()).where(in_period).group_by(CaseReview.source)
    ).all():
        by_source[key] = n
    by_incident: dict[str, int] = dict.fromkeys(INCIDENT_TYPES, 0)
    for key, n in session.execute(
        select(CaseReview.incident_type, func.count()).where(in_period)
        .group_by(CaseReview.incident_type)
    ).all():
        by_incident[key] = n

    scr = {"recommended": 0, "endorsed": 0, "declined": 0}
    names = {"recommend_scr": "recommended", "endorse_scr": "endorsed", "decline_scr": "declined"}
    for action, n in session.execute(
        select(WorkflowHistory.action, func.count(func.distinct(WorkflowHistory.subject_id)))
        .where(WorkflowHistory.subject_type == SUBJECT, WorkflowHistory.subject_id.in_(ids),
               WorkflowHistory.action.in_(list(names)))
        .group_by(WorkflowHistory.action)
    ).all():
        scr[names[action]] = n

    publication = {"published": 0, "not_published": 0, "publication_deferred": 0}
    pub = session.execute(
        select(
            func.count(CaseReview.published_on),
            func.count(CaseReview.not_published_reason),
            func.sum(case((CaseReview.status == "publication_deferred", 1), else_=0)),
        ).where(in_period)
    ).one()
    publication.update(published=pub[0] or 0, not_published=pub[1] or 0,
                       publication_deferred=int(pub[2] or 0))

    # met on time, met late, missed, waived, open and overdue, open and not yet due
    category = deadline_outcome_case(today)
    timeliness = {k: {"total": 0, **{c: 0 for c in TIMELINESS_KEYS}} for k in DEADLINE_KINDS}
    for kind, cat, n in session.execute(
        select(Deadline.kind, category, func.count())
        .where(Deadline.subject_type == SUBJECT, Deadline.subject_id.in_(ids))
        .group_by(Deadline.kind, category)
    ).all():
        row = timeliness.setdefault(kind, {"total": 0, **{c: 0 for c in TIMELINESS_KEYS}})
        row[cat] += n
        row["total"] += n

    return {
        "period": {"from": start, "to": end},
        "notifications_received": total,
        "by_source": by_source,
        "by_incident_type": by_incident,
        "outcomes": outcomes,
        "scr": scr,
        "timeliness": timeliness,
        "publication": publication,
    }
