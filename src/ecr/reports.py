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
    LCSPR_PUBLICATION,
    RAPID_REVIEW,
    REGIME_CODES,
    SERIOUS_INCIDENT_NOTIFICATION,
    SOURCES,
    SUBJECT,
    TIMELINESS_KEYS,
)
from ecr.models import CaseReview

OUTCOME_KEYS = (*DECISIONS, "pending", "withdrawn")
# API.md "Regime CSPR": the figures of the CSPR cases received in the period
CSPR_KEYS = ("serious_incident_notifications", "notified_within_5_working_days",
             "rapid_reviews_completed", "rapid_reviews_within_15_working_days",
             "lcspr_commissioned", "national_reviews", "lcspr_published",
             "lcspr_published_within_6_months")


def _cspr_figures(session: Session, start: dt.date, end: dt.date) -> dict[str, int]:
    """Counted from what happened to each CSPR case of the period (history) and how its
    statutory clocks ended (deadlines met on time)."""
    cspr = and_(CaseReview.received_on >= start, CaseReview.received_on <= end,
                CaseReview.regime == "CSPR")
    ids = select(CaseReview.id).where(cspr)
    out = dict.fromkeys(CSPR_KEYS, 0)
    actions = {"record_serious_incident_notification": "serious_incident_notifications",
               "complete_rapid_review": "rapid_reviews_completed",
               "commission_lcspr": "lcspr_commissioned",
               "refer_to_national_review": "national_reviews"}
    for action, n in session.execute(
        select(WorkflowHistory.action, func.count(func.distinct(WorkflowHistory.subject_id)))
        .where(WorkflowHistory.subject_type == SUBJECT, WorkflowHistory.subject_id.in_(ids),
               WorkflowHistory.action.in_(list(actions)))
        .group_by(WorkflowHistory.action)
    ).all():
        out[actions[action]] = n
    on_time = {SERIOUS_INCIDENT_NOTIFICATION: "notified_within_5_working_days",
               RAPID_REVIEW: "rapid_reviews_within_15_working_days",
               LCSPR_PUBLICATION: "lcspr_published_within_6_months"}
    met_on_time = and_(Deadline.met_at.is_not(None),
                       deadline_outcome_case(end) == "met_on_time")
    for kind, n in session.execute(
        select(Deadline.kind, func.count(func.distinct(Deadline.subject_id)))
        .where(Deadline.subject_type == SUBJECT, Deadline.subject_id.in_(ids),
               Deadline.kind.in_(list(on_time)), met_on_time)
        .group_by(Deadline.kind)
    ).all():
        out[on_time[kind]] = n
    out["lcspr_published"] = session.execute(
        select(func.count()).where(cspr, CaseReview.decision == "lcspr",
                                   CaseReview.published_on.is_not(None))
    ).scalar_one()
    return out


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

    by_regime: dict[str, int] = dict.fromkeys(REGIME_CODES, 0)
    for key, n in session.execute(
        select(CaseReview.regime, func.count()).where(in_period).group_by(CaseReview.regime)
    ).all():
        by_regime[key] = n

    return {
        "period": {"from": start, "to": end},
        "notifications_received": total,
        "by_source": by_source,
        "by_incident_type": by_incident,
        "outcomes": outcomes,
        "scr": scr,
        "timeliness": timeliness,
        "publication": publication,
        "by_regime": by_regime,
        "cspr": _cspr_figures(session, start, end),
    }
