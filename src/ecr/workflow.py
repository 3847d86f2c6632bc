"""The case review workflow as data: one transition table per regime.

Regime WT2015 (Working Together 2015) is the table of API.md. A later regime (e.g. WT2018
Child Safeguarding Practice Reviews) is added as another :class:`Regime` in ``REGIMES`` with
its own table, deadline rules and public stages; each case stores its ``regime`` and is always
driven by that regime's table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.agency_requests import service as agency_requests
from core.deadlines import DeadlineRule, close_deadlines, open_deadline
from core.workflow import FieldInfo, Transition, TransitionContext, Workflow, register_workflow
from ecr import emails
from ecr import repository as repo
from ecr.config import CaseReviewSettings, get_config
from ecr.domain import (
    DECISION,
    NATIONAL_PANEL_NOT_PUBLISHED,
    NATIONAL_PANEL_NOTICE,
    PRE_PUBLICATION,
    PUBLICATION_REVIEW,
    SCR_COMPLETION,
    SCREENING,
    SUBJECT,
    WORKFLOW_NAME,
    is_scr,
)
from ecr.models import CaseReview
from ecr.schemas import FutureDate, Line, Para, PastDate, Url

# ---- regimes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Regime:
    code: str
    workflow: Workflow
    # deadline kind -> rule, built from the (configurable) settings
    deadline_rules: Callable[[CaseReviewSettings], dict[str, DeadlineRule]]
    # deadline kinds opened when a notification is received
    on_receipt: tuple[str, ...]
    # state -> the coarse stage shown to the notifier
    public_stages: dict[str, str]
    # deadlines that survive the end of the case (an obligation to someone outside)
    survive_closure: tuple[str, ...] = ()
    decision_labels: dict[str, str] = field(default_factory=dict)

    def rule(self, kind: str) -> DeadlineRule:
        return self.deadline_rules(get_config())[kind]


def _scr_role(if_scr: str, otherwise: str) -> Callable[[Any], tuple[str, ...]]:
    def rule(case: Any) -> tuple[str, ...]:
        return (if_scr,) if is_scr(case) else (otherwise,)

    return rule


def wt2015_rules(cfg: CaseReviewSettings) -> dict[str, DeadlineRule]:
    return {
        SCREENING: DeadlineRule(SCREENING, "Screening to the Case Review Group's recommendation",
                                cfg.screening_working_days, "working_days"),
        DECISION: DeadlineRule(DECISION, "Decision on the notification",
                               cfg.decision_months, "months"),
        SCR_COMPLETION: DeadlineRule(SCR_COMPLETION, "Serious Case Review completed",
                                     cfg.scr_completion_months, "months"),
        NATIONAL_PANEL_NOTICE: DeadlineRule(
            NATIONAL_PANEL_NOTICE, "Tell the national panel of the decision not to hold an SCR",
            cfg.national_panel_notice_days, "calendar_days"),
        NATIONAL_PANEL_NOT_PUBLISHED: DeadlineRule(
            NATIONAL_PANEL_NOT_PUBLISHED,
            "Tell the national panel the report will not be published",
            cfg.national_panel_notice_days, "calendar_days"),
        PRE_PUBLICATION: DeadlineRule(
            PRE_PUBLICATION, "Send the SCR report to the national panel before publication",
            cfg.pre_publication_notice_days, "calendar_days"),
        PUBLICATION_REVIEW: DeadlineRule(
            PUBLICATION_REVIEW, "Review the deferred publication", 0, "calendar_days"),
    }


# ---- effects --------------------------------------------------------------------------------
# A deadline is never closed without an outcome: met, missed (the moment it guarded has
# passed) or waived with the reason it is no longer owed.

def _regime(ctx: TransitionContext) -> Regime:
    return REGIMES[ctx.case.regime]


def _open(ctx: TransitionContext, kind: str, start: dt.date | None = None,
          due_on: dt.date | None = None) -> None:
    rule = _regime(ctx).rule(kind)
    open_deadline(ctx.session, SUBJECT, ctx.case.id, rule, start or ctx.today, due_on=due_on)


def _meet(ctx: TransitionContext, *kinds: str) -> None:
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, kinds, outcome="met")


def close_unowed(session: Any, case_id: int, kinds: list[str] | None, reason: str,
                 today: dt.date) -> None:
    """Close open deadlines that are no longer owed: missed when their due date has already
    passed (they were owed and not met), waived with ``reason`` otherwise."""
    rows = repo.open_deadline_dues(session, SUBJECT, case_id, kinds)
    missed = [kind for kind, due_on in rows if due_on < today]
    waived = [kind for kind, due_on in rows if due_on >= today]
    if missed:
        close_deadlines(session, SUBJECT, case_id, missed, outcome="missed")
    if waived:
        close_deadlines(session, SUBJECT, case_id, waived, outcome="waived", reason=reason)


def _who(ctx: TransitionContext) -> dict[str, Any]:
    return {"by": ctx.principal.name, "by_id": ctx.principal.actor, "at": ctx.now.isoformat()}


def _decide(decision: str, review_type: str | None) -> Callable[[TransitionContext], None]:
    def effect(ctx: TransitionContext) -> None:
        case: CaseReview = ctx.case
        case.decision = decision
        case.review_type = review_type
        case.decision_rationale = ctx.data.get("rationale")
        case.decision_at = ctx.now
        case.decision_by = ctx.principal.name
        ctx.history_data["decision"] = decision
        # DOMAIN.md: screening runs from receipt to the CRG's recommendation
        _meet(ctx, SCREENING, DECISION)
        emails.email_decision(ctx.session, case)

    return effect


def _finish(reason: str) -> Callable[[TransitionContext], None]:
    """The end of a case (closed or withdrawn): what it no longer owes is waived with
    ``reason`` (or recorded missed if already overdue), except duties to the national panel
    that outlive it; agency reports still awaited are waived, so their reminders stop."""

    def effect(ctx: TransitionContext) -> None:
        ctx.case.closed_at = ctx.now
        survive = set(_regime(ctx).survive_closure)
        kinds = [k for k in _regime(ctx).deadline_rules(get_config()) if k not in survive]
        close_unowed(ctx.session, ctx.case.id, kinds, reason, ctx.today)
        waived = [
            agency_requests.waive(ctx.session, req, reason=reason, actor=ctx.principal.actor).id
            for req in repo.open_agency_reports(ctx.session, ctx.case.id)
        ]
        if waived:
            ctx.history_data["agency_reports_waived"] = waived

    return effect


def _request_information(ctx: TransitionContext) -> None:
    ctx.case.information_request_note = ctx.note


def _refer_to_group(ctx: TransitionContext) -> None:
    ctx.case.referred_to_group_at = ctx.now


def _recommend_scr(ctx: TransitionContext) -> None:
    ctx.case.scr_recommendation = {**_who(ctx), "rationale": ctx.data["rationale"]}
    ctx.case.scr_decision = None
    _meet(ctx, SCREENING)  # the CRG's recommendation


def _endorse_scr(ctx: TransitionContext) -> None:
    ctx.case.scr_decision = {**_who(ctx), "outcome": "endorsed", "rationale": ctx.data["rationale"]}
    ctx.case.scr_endorsed_on = ctx.today
    # an earlier decision not to hold an SCR is reversed: telling the panel of it is no
    # longer owed (or was missed, if its date has passed)
    close_unowed(ctx.session, ctx.case.id, [NATIONAL_PANEL_NOTICE],
                 "the Independent Chair later endorsed a Serious Case Review", ctx.today)
    _decide("scr", "scr")(ctx)
    _open(ctx, SCR_COMPLETION)


def _decline_scr(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.scr_decision = {**_who(ctx), "outcome": "declined", "rationale": ctx.data["rationale"]}
    case.decision = None
    case.review_type = None
    ctx.history_data["decision"] = None
    _open(ctx, NATIONAL_PANEL_NOTICE)


def _other_la(ctx: TransitionContext) -> None:
    ctx.case.other_la = ctx.data["other_la"]


def _submit_report(ctx: TransitionContext) -> None:
    ctx.case.report_submitted_at = ctx.now


def _approve_report(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.report_approved_at = ctx.now
    _meet(ctx, SCR_COMPLETION)
    planned = ctx.data.get("planned_publication_on")
    if planned:
        case.planned_publication_on = planned
    if is_scr(case) and case.planned_publication_on and not case.report_sent_to_national_panel_on:
        open_pre_publication(ctx.session, case, ctx.today)


def open_pre_publication(session: Any, case: CaseReview, today: dt.date,
                         publication_on: dt.date | None = None) -> None:
    """The SCR report to the national panel about a week before publication (only an SCR
    owes it: DOMAIN.md)."""
    rule = REGIMES[case.regime].rule(PRE_PUBLICATION)
    on = publication_on or case.planned_publication_on
    assert on is not None
    open_deadline(session, SUBJECT, case.id, rule, min(today, on), due_on=on - dt.timedelta(days=rule.amount))


def _defer_publication(ctx: TransitionContext) -> None:
    ctx.case.publication_deferred_reason = ctx.data["reason"]
    ctx.case.publication_review_on = ctx.data["review_on"]
    _open(ctx, PUBLICATION_REVIEW, due_on=ctx.data["review_on"])


def _resume_publication(ctx: TransitionContext) -> None:
    _meet(ctx, PUBLICATION_REVIEW)


def _publish(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.published_on = ctx.data["published_on"]
    case.published_url = ctx.data["url"]
    if not is_scr(case):
        return
    if case.report_sent_to_national_panel_on is None:
        # published without the report sent to the national panel first: the duty is missed
        # (recorded even when no publication date had been planned)
        if not repo.open_deadline_dues(ctx.session, SUBJECT, case.id, [PRE_PUBLICATION]):
            open_pre_publication(ctx.session, case, ctx.today, publication_on=case.published_on)
        close_deadlines(ctx.session, SUBJECT, case.id, [PRE_PUBLICATION], outcome="missed")


def _not_published(ctx: TransitionContext) -> None:
    ctx.case.not_published_reason = ctx.data["reason"]
    _finish("the report will not be published")(ctx)
    _open(ctx, NATIONAL_PANEL_NOT_PUBLISHED)


def _close(ctx: TransitionContext) -> None:
    note = ctx.data.get("carry_forward_note")
    if note:
        ctx.case.carry_forward_note = note
        carried = repo.carry_forward(ctx.session, ctx.case.id, note)
        ctx.history_data["carried_forward_recommendations"] = carried
    _finish("the case review was closed")(ctx)


def _withdraw(ctx: TransitionContext) -> None:
    ctx.case.withdrawn_reason = ctx.data["reason"]
    _finish("the notification was withdrawn")(ctx)


# ---- guards ---------------------------------------------------------------------------------

def _close_scr_needs_publication(ctx: TransitionContext) -> str | None:
    if ctx.from_state == "report_approved" and is_scr(ctx.case):
        return ("a Serious Case Review is closed by publishing its report or recording a decision "
                "not to publish it")
    return None


def _close_open_recommendations(ctx: TransitionContext) -> str | None:
    n = repo.open_recommendation_count(ctx.session, ctx.case.id)
    if n and not ctx.data.get("carry_forward_note"):
        return (f"{n} recommendation(s) are still open: complete them, or close with a "
                "carry_forward_note to carry them forward")
    return None


# ---- the WT2015 table -----------------------------------------------------------------------

BU = ("business_unit",)
CRG = ("crg_chair",)
IC = ("independent_chair",)
Text = Para(10000)
REASON = {"rationale": Text}

# How the fields of the tables are shown (their types come from the annotations).
FIELD_INFO = {
    "rationale": FieldInfo("Rationale"),
    "note": FieldInfo("Note"),
    "other_la": FieldInfo("Other local authority"),
    "planned_publication_on": FieldInfo("Planned publication date"),
    "reason": FieldInfo("Reason"),
    "review_on": FieldInfo("Date to review the deferral"),
    "published_on": FieldInfo("Date published"),
    "url": FieldInfo("Web address of the report"),
    "carry_forward_note": FieldInfo("Why the open recommendations are carried forward"),
}

WT2015 = Workflow(
    name=WORKFLOW_NAME,
    subject_type=SUBJECT,
    regime="WT2015",
    initial="received",
    field_info=FIELD_INFO,
    states=(
        "received", "screening", "information_requested", "awaiting_decision",
        "scr_recommended", "review_in_progress", "monitoring_other_la_review",
        "report_submitted", "report_approved", "publication_deferred", "published",
        "closed", "withdrawn",
    ),
    terminal=("closed", "withdrawn"),
    transitions=(
        Transition("start_screening", ("received",), "screening", BU, label="Start screening"),
        Transition("request_information", ("screening",), "information_requested", BU,
                   label="Request more information",
                   fields={"note": Text}, effects=(_request_information,)),
        Transition("record_information", ("information_requested",), "screening", BU,
                   label="Record the information received" ),
        Transition("refer_to_group", ("screening",), "awaiting_decision", BU,
                   label="Refer to the Case Review Group",
                   effects=(_refer_to_group,)),
        Transition("recommend_scr", ("awaiting_decision",), "scr_recommended", CRG,
                   label="Recommend a Serious Case Review",
                   fields=REASON, effects=(_recommend_scr,)),
        Transition("commission_management_review", ("awaiting_decision",), "review_in_progress",
                   CRG, label="Commission a management review", fields=REASON,
                   effects=(_decide("management_review", "management_review"),)),
        Transition("commission_single_agency_review", ("awaiting_decision",),
                   "review_in_progress", CRG, label="Commission a single agency review", fields=REASON,
                   effects=(_decide("single_agency_review", "single_agency_review"),)),
        Transition("commission_learning_event", ("awaiting_decision",), "review_in_progress",
                   CRG,
                   label="Commission a learning event",
                   fields=REASON, effects=(_decide("learning_event", "learning_event"),)),
        Transition("refer_to_other_la", ("awaiting_decision",), "monitoring_other_la_review",
                   CRG,
                   label="Refer to another local authority",
                   fields={"rationale": Text, "other_la": Line(200)},
                   effects=(_other_la, _decide("other_la_review", "other_la_review"))),
        Transition("no_further_action", ("awaiting_decision",), "closed", CRG,
                   label="Decide no further action", fields=REASON,
                   effects=(_decide("nfa", None), _finish("no further action was decided"))),
        Transition("endorse_scr", ("scr_recommended",), "review_in_progress", IC,
                   label="Endorse the Serious Case Review", fields=REASON,
                   effects=(_endorse_scr,)),
        Transition("decline_scr", ("scr_recommended",), "awaiting_decision", IC,
                   label="Decline the Serious Case Review", fields=REASON,
                   effects=(_decline_scr,)),
        Transition("submit_report", ("review_in_progress",), "report_submitted", BU,
                   label="Submit the report",
                   effects=(_submit_report,)),
        Transition("return_report", ("report_submitted",), "review_in_progress",
                   ("crg_chair", "independent_chair"), label="Return the report", fields={"note": Text}),
        Transition("approve_report", ("report_submitted",), "report_approved",
                   ("crg_chair", "independent_chair"), label="Approve the report",
                   optional={"planned_publication_on": FutureDate},
                   role_rule=_scr_role("independent_chair", "crg_chair"),
                   role_note="independent_chair for a Serious Case Review, crg_chair otherwise",
                   effects=(_approve_report,)),
        Transition("defer_publication", ("report_approved",), "publication_deferred", IC,
                   label="Defer publication",
                   fields={"reason": Text, "review_on": FutureDate},
                   effects=(_defer_publication,)),
        Transition("resume_publication", ("publication_deferred",), "report_approved", IC,
                   label="Resume publication",
                   effects=(_resume_publication,)),
        Transition("publish", ("report_approved",), "published",
                   ("independent_chair", "crg_chair"), label="Publish the report",
                   fields={"published_on": PastDate, "url": Url},
                   role_rule=_scr_role("independent_chair", "crg_chair"),
                   role_note="independent_chair for a Serious Case Review, crg_chair otherwise",
                   effects=(_publish,)),
        Transition("decide_not_to_publish", ("report_approved",), "closed", IC, label="Decide not to publish",
                   fields={"reason": Text}, effects=(_not_published,)),
        Transition("close", ("published", "monitoring_other_la_review", "report_approved"),
                   "closed", BU, label="Close the case review", optional={"carry_forward_note": Text},
                   guards=(_close_scr_needs_publication, _close_open_recommendations),
                   guard_note=("from report_approved only for reviews that are not SCRs; refused "
                               "while recommendations are open unless carry_forward_note is given"),
                   effects=(_close,)),
        Transition("withdraw",
                   ("received", "screening", "information_requested", "awaiting_decision"),
                   "withdrawn", BU,
                   label="Withdraw the notification", fields={"reason": Text}, effects=(_withdraw,)),
    ),
)

WT2015_STAGES = {
    "received": "received",
    "screening": "under_consideration",
    "information_requested": "under_consideration",
    "awaiting_decision": "under_consideration",
    "scr_recommended": "under_consideration",
    "review_in_progress": "decision_made",
    "monitoring_other_la_review": "decision_made",
    "report_submitted": "decision_made",
    "report_approved": "decision_made",
    "publication_deferred": "decision_made",
    "published": "decision_made",
    "closed": "closed",
    "withdrawn": "closed",
}

REGIMES: dict[str, Regime] = {
    "WT2015": Regime(
        code="WT2015",
        workflow=WT2015,
        deadline_rules=wt2015_rules,
        on_receipt=("screening", "decision"),
        public_stages=WT2015_STAGES,
        survive_closure=(NATIONAL_PANEL_NOTICE, NATIONAL_PANEL_NOT_PUBLISHED),
    ),
}

# What a case review's history calls each action (every regime's table, and the receipt).
HISTORY_LABELS: dict[str, str] = {
    k: v for r in REGIMES.values() for k, v in r.workflow.history_labels(receive="Notification received").items()
}


def regime_of(case: CaseReview) -> Regime:
    return REGIMES[case.regime]


def workflow_of(case: CaseReview) -> Workflow:
    return REGIMES[case.regime].workflow


def current_regime() -> Regime:
    """The regime new notifications follow (``ECR_CASE_REVIEW_REGIME``)."""
    return REGIMES[get_config().regime]


def register() -> None:
    if get_config().regime not in REGIMES:
        raise ValueError(f"ECR_CASE_REVIEW_REGIME must be one of {sorted(REGIMES)}")
    for regime in REGIMES.values():
        register_workflow(regime.workflow)
