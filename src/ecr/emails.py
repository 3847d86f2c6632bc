"""Emails of the case review module, written to the outbox in the caller's transaction.

They carry the reference and a decision label only: never the child's name or case detail.
Staff are sent to the staff app's page where the work is (DESIGN.md "The staff app": the
stable ``/app/...`` addresses), never to a bare "sign in".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from core.outbox import enqueue_email, queue_email
from core.settings import get_settings
from ecr.config import get_config
from ecr.domain import MY_FORMS_PATH
from ecr.models import CaseReview


def app_url(path: str) -> str:
    """An address of the staff app, from ``ECR_PUBLIC_BASE_URL``."""
    return f"{get_settings().public_base_url.rstrip('/')}{path}"

def _topic(case: CaseReview) -> str:
    return f"case_review:{case.id}"


# What the notifier is told will happen next, in the words of each regime.
RECEIPT_NEXT = {
    "WT2015": "We will tell you the decision of the Case Review Group when it has been made.",
    "CSPR": (
        "The safeguarding partners will consider whether this is a serious incident to notify to "
        "the national Child Safeguarding Practice Review Panel, and whether a local child "
        "safeguarding practice review is needed. We will tell you the decision when it has "
        "been made."
    ),
}
DECISION_LEAD = {
    "WT2015": "A decision has been made on case review notification {reference}.",
    "CSPR": ("The safeguarding partners have made a decision on case review notification "
             "{reference}."),
}


def email_receipt(session: Session, case_id: int, reference: str, to: str | None,
                  regime: str = "WT2015") -> None:
    """The receipt of a new notification (one Core INSERT: nothing reads the message back)."""
    if not to:
        return
    queue_email(
        session,
        to=to,
        subject=f"Case review notification {reference} received",
        body=(
            f"Thank you. We have received your case review notification.\n\n"
            f"Reference: {reference}\n\n"
            "Please quote this reference if you contact the business unit. "
            f"{RECEIPT_NEXT.get(regime, RECEIPT_NEXT['WT2015'])}\n"
        ),
        topic=f"case_review:{case_id}",
    )


def email_decision(session: Session, case: CaseReview) -> None:
    if not case.notifier_email:
        return
    label = get_config().label(case.decision)
    enqueue_email(
        session,
        to=case.notifier_email,
        subject=f"Case review notification {case.reference}: decision made",
        body=(
            f"{DECISION_LEAD.get(case.regime, DECISION_LEAD['WT2015']).format(reference=case.reference)}"
            f"\n\nDecision: {label}\n"
        ),
        topic=_topic(case),
    )


def email_agency_report_request(session: Session, case: CaseReview, to: str, agency: str,
                                due_on: dt.date) -> None:
    enqueue_email(
        session,
        to=to,
        subject=f"Agency report requested for case review {case.reference}",
        body=(
            f"An agency report is requested from {agency} for case review {case.reference}.\n"
            f"It is due on {due_on.isoformat()}.\n\n"
            f"Complete it in your forms: {app_url(MY_FORMS_PATH)}\n"
        ),
        topic=_topic(case),
    )


def email_agency_report_reminder(session: Session, reference: str, case_id: int, to: str,
                                 due_on: dt.date, overdue: bool) -> None:
    state = "was due" if overdue else "is due"
    enqueue_email(
        session,
        to=to,
        subject=f"Reminder: agency report for case review {reference}",
        body=(
            f"The agency report for case review {reference} {state} on {due_on.isoformat()}.\n\n"
            f"Complete it in your forms: {app_url(MY_FORMS_PATH)}\n"
        ),
        topic=f"case_review:{case_id}",
    )
