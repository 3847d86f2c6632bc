"""The case review workflow as data: one transition table per regime.

Regime WT2015 (Working Together 2015) is the table of API.md. A later regime (e.g. WT2018
Child Safeguarding Practice Reviews) is added as another :class:`Regime` in ``REGIMES`` with
its own table, deadline rules and public stages; each case stores its ``regime`` and is always
driven by that regime's table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints
from sqlalchemy import func, select

from core.deadlines import DeadlineRule, close_deadlines, open_deadline
from core.workflow import Text, Transition, TransitionContext, Workflow, register_workflow
from ecr.config import CaseReviewSettings, get_config
from ecr.models import ActionItem, CaseReview, Recommendation

SUBJECT = "case_review"
WORKFLOW_NAME = "case-review"
OPEN_ITEM_STATUSES = ("open", "in_progress")


# ---- field types used by the table (a bad value is a 422 naming the field) -------------------

def iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` strings (or dates): no timestamps, no other formats."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a real calendar date") from None


def _not_future(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValueError("must not be in the future")
    if value.year < 1900:
        raise ValueError("must be after 1900")
    return value


def _not_past(value: dt.date) -> dt.date:
    if value < dt.date.today():
        raise ValueError("must be today or later")
    if value.year > dt.date.today().year + 20:
        raise ValueError("is too far in the future")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(iso_date)]
PastDate = Annotated[dt.date, BeforeValidator(iso_date), AfterValidator(_not_future)]
FutureDate = Annotated[dt.date, BeforeValidator(iso_date), AfterValidator(_not_past)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://[^\s/$.?#][^\s]*$"),
]


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


def is_scr(case: CaseReview) -> bool:
    return case.decision == "scr"


def _scr_role(if_scr: str, otherwise: str) -> Callable[[Any], tuple[str, ...]]:
    def rule(case: Any) -> tuple[str, ...]:
        return (if_scr,) if is_scr(case) else (otherwise,)

    return rule


def wt2015_rules(cfg: CaseReviewSettings) -> dict[str, DeadlineRule]:
    return {
        "screening": DeadlineRule("screening", "Screening and referral to the Case Review Group",
                                  cfg.screening_working_days, "working_days"),
        "decision": DeadlineRule("decision", "Decision on the notification",
                                 cfg.decision_months, "months"),
        "scr_completion": DeadlineRule("scr_completion", "Serious Case Review completed",
                                       cfg.scr_completion_months, "months"),
        "national_panel_notice": DeadlineRule(
            "national_panel_notice", "Tell the national panel of the decision not to hold an SCR",
            cfg.national_panel_notice_days, "calendar_days"),
        "national_panel_not_published": DeadlineRule(
            "national_panel_notice", "Tell the national panel the report will not be published",
            cfg.national_panel_notice_days, "calendar_days"),
        "pre_publication": DeadlineRule(
            "pre_publication", "Send the report to the national panel before publication",
            cfg.pre_publication_notice_days, "calendar_days"),
        "publication_review": DeadlineRule(
            "publication_review", "Review the deferred publication", 0, "calendar_days"),
    }


# ---- effects --------------------------------------------------------------------------------

def _regime(ctx: TransitionContext) -> Regime:
    return REGIMES[ctx.case.regime]


def _open(ctx: TransitionContext, kind: str, start: dt.date | None = None,
          due_on: dt.date | None = None) -> None:
    rule = _regime(ctx).rule(kind)
    open_deadline(ctx.session, SUBJECT, ctx.case.id, rule, start or ctx.today, due_on=due_on)


def _meet(ctx: TransitionContext, *kinds: str) -> None:
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, kinds, met=True)


def _cancel(ctx: TransitionContext, *kinds: str) -> None:
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, kinds, met=False)


def _who(ctx: TransitionContext) -> dict[str, Any]:
    return {"by": ctx.principal.name, "by_id": ctx.principal.actor, "at": ctx.now.isoformat()}


def _decide(decision: str, review_type: str | None) -> Callable[[TransitionContext], None]:
    def effect(ctx: TransitionContext) -> None:
        from ecr.notify import email_decision

        case: CaseReview = ctx.case
        case.decision = decision
        case.review_type = review_type
        case.decision_rationale = ctx.data.get("rationale")
        case.decision_at = ctx.now
        case.decision_by = ctx.principal.name
        ctx.history_data["decision"] = decision
        _meet(ctx, "screening", "decision")
        email_decision(ctx.session, case)

    return effect


def _finish(ctx: TransitionContext) -> None:
    ctx.case.closed_at = ctx.now
    survive = set(_regime(ctx).survive_closure)
    kinds = [k for k in _all_kinds(ctx) if k not in survive]
    _cancel(ctx, *kinds)


def _all_kinds(ctx: TransitionContext) -> list[str]:
    return sorted({r.kind for r in _regime(ctx).deadline_rules(get_config()).values()})


def _refer_to_group(ctx: TransitionContext) -> None:
    ctx.case.referred_to_group_at = ctx.now
    _meet(ctx, "screening")


def _request_information(ctx: TransitionContext) -> None:
    ctx.case.information_request_note = ctx.note


def _recommend_scr(ctx: TransitionContext) -> None:
    ctx.case.scr_recommendation = {**_who(ctx), "rationale": ctx.data["rationale"]}
    ctx.case.scr_decision = None


def _endorse_scr(ctx: TransitionContext) -> None:
    ctx.case.scr_decision = {**_who(ctx), "outcome": "endorsed", "rationale": ctx.data["rationale"]}
    ctx.case.scr_endorsed_on = ctx.today
    _cancel(ctx, "national_panel_notice")
    _decide("scr", "scr")(ctx)
    _open(ctx, "scr_completion")


def _decline_scr(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.scr_decision = {**_who(ctx), "outcome": "declined", "rationale": ctx.data["rationale"]}
    case.decision = None
    case.review_type = None
    ctx.history_data["decision"] = None
    _open(ctx, "national_panel_notice")


def _other_la(ctx: TransitionContext) -> None:
    ctx.case.other_la = ctx.data["other_la"]


def _submit_report(ctx: TransitionContext) -> None:
    ctx.case.report_submitted_at = ctx.now


def _approve_report(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.report_approved_at = ctx.now
    _meet(ctx, "scr_completion")
    planned = ctx.data.get("planned_publication_on")
    if planned:
        case.planned_publication_on = planned
    if case.planned_publication_on and not case.report_sent_to_national_panel_on:
        open_pre_publication(ctx.session, case, ctx.today)


def open_pre_publication(session: Any, case: CaseReview, today: dt.date) -> None:
    rule = REGIMES[case.regime].rule("pre_publication")
    due = case.planned_publication_on - dt.timedelta(days=rule.amount)
    open_deadline(session, SUBJECT, case.id, rule, today, due_on=due)


def _defer_publication(ctx: TransitionContext) -> None:
    ctx.case.publication_deferred_reason = ctx.data["reason"]
    ctx.case.publication_review_on = ctx.data["review_on"]
    _open(ctx, "publication_review", due_on=ctx.data["review_on"])


def _resume_publication(ctx: TransitionContext) -> None:
    _meet(ctx, "publication_review")


def _publish(ctx: TransitionContext) -> None:
    ctx.case.published_on = ctx.data["published_on"]
    ctx.case.published_url = ctx.data["url"]
    _cancel(ctx, "pre_publication")


def _not_published(ctx: TransitionContext) -> None:
    ctx.case.not_published_reason = ctx.data["reason"]
    _finish(ctx)
    _open(ctx, "national_panel_not_published")


def _close(ctx: TransitionContext) -> None:
    note = ctx.data.get("carry_forward_note")
    if note:
        ctx.case.carry_forward_note = note
        carried = carry_forward(ctx.session, ctx.case.id, note)
        ctx.history_data["carried_forward_recommendations"] = carried
    _finish(ctx)


def _withdraw(ctx: TransitionContext) -> None:
    ctx.case.withdrawn_reason = ctx.data["reason"]
    _finish(ctx)


# ---- guards ---------------------------------------------------------------------------------

def open_recommendation_count(session: Any, case_id: int) -> int:
    open_items = (
        select(ActionItem.recommendation_id)
        .where(ActionItem.status.in_(OPEN_ITEM_STATUSES))
    )
    return int(session.scalar(
        select(func.count()).select_from(Recommendation).where(
            Recommendation.case_id == case_id,
            Recommendation.status.in_(OPEN_ITEM_STATUSES) | Recommendation.id.in_(open_items),
        )
    ) or 0)


def carry_forward(session: Any, case_id: int, note: str) -> list[int]:
    from sqlalchemy import update

    recs = list(session.execute(
        select(Recommendation).where(Recommendation.case_id == case_id).order_by(Recommendation.id)
    ).scalars())
    ids = [r.id for r in recs]
    carried = []
    open_item_recs = set(session.execute(
        select(ActionItem.recommendation_id).where(
            ActionItem.recommendation_id.in_(ids), ActionItem.status.in_(OPEN_ITEM_STATUSES))
    ).scalars()) if ids else set()
    for rec in recs:
        if rec.status in OPEN_ITEM_STATUSES or rec.id in open_item_recs:
            rec.status = "carried_forward"
            rec.carry_forward_note = note
            carried.append(rec.number)
    if ids:
        session.execute(
            update(ActionItem)
            .where(ActionItem.recommendation_id.in_(ids), ActionItem.status.in_(OPEN_ITEM_STATUSES))
            .values(status="carried_forward", note=note),
            execution_options={"synchronize_session": False},
        )
    return carried


def _close_scr_needs_publication(ctx: TransitionContext) -> str | None:
    if ctx.from_state == "report_approved" and is_scr(ctx.case):
        return ("a Serious Case Review is closed by publishing its report or recording a decision "
                "not to publish it")
    return None


def _close_open_recommendations(ctx: TransitionContext) -> str | None:
    n = open_recommendation_count(ctx.session, ctx.case.id)
    if n and not ctx.data.get("carry_forward_note"):
        return (f"{n} recommendation(s) are still open: complete them, or close with a "
                "carry_forward_note to carry them forward")
    return None


# ---- the WT2015 table -----------------------------------------------------------------------

BU = ("business_unit",)
CRG = ("crg_chair",)
IC = ("independent_chair",)
REASON = {"rationale": Text}

WT2015 = Workflow(
    name=WORKFLOW_NAME,
    subject_type=SUBJECT,
    regime="WT2015",
    initial="received",
    states=(
        "received", "screening", "information_requested", "awaiting_decision",
        "scr_recommended", "review_in_progress", "monitoring_other_la_review",
        "report_submitted", "report_approved", "publication_deferred", "published",
        "closed", "withdrawn",
    ),
    terminal=("closed", "withdrawn"),
    transitions=(
        Transition("start_screening", ("received",), "screening", BU),
        Transition("request_information", ("screening",), "information_requested", BU,
                   fields={"note": Text}, effects=(_request_information,)),
        Transition("record_information", ("information_requested",), "screening", BU),
        Transition("refer_to_group", ("screening",), "awaiting_decision", BU,
                   effects=(_refer_to_group,)),
        Transition("recommend_scr", ("awaiting_decision",), "scr_recommended", CRG,
                   fields=REASON, effects=(_recommend_scr,)),
        Transition("commission_management_review", ("awaiting_decision",), "review_in_progress",
                   CRG, fields=REASON,
                   effects=(_decide("management_review", "management_review"),)),
        Transition("commission_single_agency_review", ("awaiting_decision",),
                   "review_in_progress", CRG, fields=REASON,
                   effects=(_decide("single_agency_review", "single_agency_review"),)),
        Transition("commission_learning_event", ("awaiting_decision",), "review_in_progress",
                   CRG, fields=REASON, effects=(_decide("learning_event", "learning_event"),)),
        Transition("refer_to_other_la", ("awaiting_decision",), "monitoring_other_la_review",
                   CRG, fields={"rationale": Text, "other_la": ShortText},
                   effects=(_other_la, _decide("other_la_review", "other_la_review"))),
        Transition("no_further_action", ("awaiting_decision",), "closed", CRG, fields=REASON,
                   effects=(_decide("nfa", None), _finish)),
        Transition("endorse_scr", ("scr_recommended",), "review_in_progress", IC, fields=REASON,
                   effects=(_endorse_scr,)),
        Transition("decline_scr", ("scr_recommended",), "awaiting_decision", IC, fields=REASON,
                   effects=(_decline_scr,)),
        Transition("submit_report", ("review_in_progress",), "report_submitted", BU,
                   effects=(_submit_report,)),
        Transition("return_report", ("report_submitted",), "review_in_progress",
                   ("crg_chair", "independent_chair"), fields={"note": Text}),
        Transition("approve_report", ("report_submitted",), "report_approved",
                   ("crg_chair", "independent_chair"),
                   optional={"planned_publication_on": FutureDate},
                   role_rule=_scr_role("independent_chair", "crg_chair"),
                   role_note="independent_chair for a Serious Case Review, crg_chair otherwise",
                   effects=(_approve_report,)),
        Transition("defer_publication", ("report_approved",), "publication_deferred", IC,
                   fields={"reason": Text, "review_on": FutureDate},
                   effects=(_defer_publication,)),
        Transition("resume_publication", ("publication_deferred",), "report_approved", IC,
                   effects=(_resume_publication,)),
        Transition("publish", ("report_approved",), "published",
                   ("independent_chair", "crg_chair"),
                   fields={"published_on": PastDate, "url": Url},
                   role_rule=_scr_role("independent_chair", "crg_chair"),
                   role_note="independent_chair for a Serious Case Review, crg_chair otherwise",
                   effects=(_publish,)),
        Transition("decide_not_to_publish", ("report_approved",), "closed", IC,
                   fields={"reason": Text}, effects=(_not_published,)),
        Transition("close", ("published", "monitoring_other_la_review", "report_approved"),
                   "closed", BU, optional={"carry_forward_note": Text},
                   guards=(_close_scr_needs_publication, _close_open_recommendations),
                   guard_note=("from report_approved only for reviews that are not SCRs; refused "
                               "while recommendations are open unless carry_forward_note is given"),
                   effects=(_close,)),
        Transition("withdraw",
                   ("received", "screening", "information_requested", "awaiting_decision"),
                   "withdrawn", BU, fields={"reason": Text}, effects=(_withdraw,)),
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
        survive_closure=("national_panel_notice",),
    ),
}

CLOSED_STATES = ("closed", "withdrawn")


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
