"""The case review workflow as data: one transition table per regime.

Regime WT2015 (Working Together 2015) is the table of API.md; regime CSPR (Working Together
2018 and 2023: serious incident notification, rapid review, local child safeguarding practice
review) is API.md's "Regime CSPR". Each is a :class:`Regime` in ``REGIMES`` with its own
table, decision codes, deadline rules and public stages; each case stores its ``regime`` and
is always driven by that regime's table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import StrictBool

from core.agency_requests import service as agency_requests
from core.deadlines import DeadlineRule, add_working_days, close_deadlines, open_deadline
from core.workflow import FieldInfo, Transition, TransitionContext, Workflow, register_workflow
from ecr import emails
from ecr import repository as repo
from ecr.config import CaseReviewSettings, get_config
from ecr.domain import (
    AGENCY_REPORT_KIND,
    DECISION,
    FINAL_REPORT,
    LCSPR_PUBLICATION,
    PANEL_TOLD_NOT_PUBLISHED,
    RAPID_REVIEW,
    RAPID_REVIEW_RECOMMENDATIONS,
    SERIOUS_INCIDENT_NOTIFICATION,
    NATIONAL_PANEL_NOT_PUBLISHED,
    NATIONAL_PANEL_NOTICE,
    PRE_PUBLICATION,
    PUBLICATION_REVIEW,
    SCR_COMPLETION,
    SCREENING,
    SUBJECT,
    WORKFLOW_NAME,
    is_lcspr,
    is_scr,
)
from ecr.models import CaseReview
from ecr.schemas import Email, FutureDate, Line, Para, PastDate, Url

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
    # the decision codes a case of this regime can reach
    decisions: tuple[str, ...] = ()
    # human words of the regime (emails, the public status page)
    title: str = ""

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


def cspr_rules(cfg: CaseReviewSettings) -> dict[str, DeadlineRule]:
    """The statutory clocks of API.md "Regime CSPR" (working days exclude weekends and England
    and Wales bank holidays)."""
    return {
        SERIOUS_INCIDENT_NOTIFICATION: DeadlineRule(
            SERIOUS_INCIDENT_NOTIFICATION,
            "Notify the serious incident to the national panel (5 working days)", 5, "working_days"),
        RAPID_REVIEW: DeadlineRule(
            RAPID_REVIEW, "Rapid review sent to the national panel (15 working days)", 15,
            "working_days"),
        LCSPR_PUBLICATION: DeadlineRule(
            LCSPR_PUBLICATION, "Local child safeguarding practice review published (6 months)",
            6, "months"),
        FINAL_REPORT: DeadlineRule(
            FINAL_REPORT, "Final report to the national panel and the Secretary of State "
            "(7 working days before publication)", 7, "working_days"),
        PANEL_TOLD_NOT_PUBLISHED: DeadlineRule(
            PANEL_TOLD_NOT_PUBLISHED, "Tell the national panel the report will not be published",
            cfg.national_panel_notice_days, "calendar_days"),
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

# ---- the CSPR table (API.md "Regime CSPR") --------------------------------------------------
# Effects and guards of the actions CSPR adds; the actions it shares with WT2015 keep theirs.

def _lcspr_role(if_lcspr: str, otherwise: str) -> Callable[[Any], tuple[str, ...]]:
    def rule(case: Any) -> tuple[str, ...]:
        return (if_lcspr,) if is_lcspr(case) else (otherwise,)

    return rule


def _open_cspr(session: Any, case: CaseReview, kind: str, start: dt.date,
               due_on: dt.date | None = None) -> None:
    open_deadline(session, SUBJECT, case.id, REGIMES[case.regime].rule(kind), start, due_on=due_on)


def _met_on(ctx: TransitionContext, kind: str, on: dt.date) -> None:
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, [kind], outcome="met", on=on)


_CRITERIA_FIELDS = {
    "abuse_or_neglect_known_or_suspected": "si_abuse_or_neglect",
    "child_died_or_seriously_harmed": "si_died_or_seriously_harmed",
    "looked_after_child": "looked_after_child",
    "death_in_custody_secure_setting_or_mha": "si_death_in_custody",
}


def _notification_dates(ctx: TransitionContext) -> str | None:
    if ctx.precheck:  # about the submitted fields: nothing to say before they are
        return None
    case: CaseReview = ctx.case
    notified = ctx.data["notified_panel_on"]
    if notified < case.received_on:  # API.md: not before receipt, not in the future (PastDate)
        return "notified_panel_on must not be before the notification was received"
    if ctx.data.get("became_aware_on") and ctx.data["became_aware_on"] > notified:
        return "became_aware_on must not be after notified_panel_on"
    return None


def _criteria(ctx: TransitionContext) -> None:
    for name, column in _CRITERIA_FIELDS.items():
        if name in ctx.data:
            setattr(ctx.case, column, ctx.data[name])


def agency_summary_due(notified_panel_on: dt.date, today: dt.date) -> dt.date:
    """When an agency's summary for the rapid review is due: 10 working days after the
    notification to the national panel, inside the rapid review's 15 (never before tomorrow
    unless that is past the rapid review's own date)."""
    rapid = add_working_days(notified_panel_on, 15)
    due = add_working_days(notified_panel_on, 10)
    if due <= today:
        due = min(add_working_days(today, 1), rapid) if rapid > today else rapid
    return due


def _record_serious_incident_notification(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    notified: dt.date = ctx.data["notified_panel_on"]
    _criteria(ctx)
    if ctx.data.get("became_aware_on") and ctx.data["became_aware_on"] != case.became_aware_on:
        case.became_aware_on = ctx.data["became_aware_on"]
        # the 5 working days run from the day the partners became aware: a new due date
        _open_cspr(ctx.session, case, SERIOUS_INCIDENT_NOTIFICATION, case.became_aware_on)
    case.notified_panel_on = notified
    _met_on(ctx, SERIOUS_INCIDENT_NOTIFICATION, notified)
    _open_cspr(ctx.session, case, RAPID_REVIEW, notified)
    if ctx.data.get("request_agency_summaries") or ctx.data.get("agency_summary_contacts"):
        contacts: dict[str, str] = {k.strip(): str(v) for k, v in
                                    (ctx.data.get("agency_summary_contacts") or {}).items()}
        agencies = list(dict.fromkeys([*(case.agencies_involved or []), *contacts]))
        due = agency_summary_due(notified, ctx.today)
        made = []
        for agency in agencies:
            to = contacts.get(agency)
            req = agency_requests.create_request(
                ctx.session, subject_type=SUBJECT, subject_id=case.id, kind=AGENCY_REPORT_KIND,
                agency=agency, due_on=due, actor=ctx.principal.actor, contact_email=to)
            made.append(req.id)
            if to:
                emails.email_agency_report_request(ctx.session, case, to, agency, due)
        ctx.history_data["agency_summaries_requested"] = made


def _refer_cspr_to_group(ctx: TransitionContext) -> None:
    _criteria(ctx)
    ctx.case.referred_to_group_at = ctx.now
    # not a serious incident: the notification to the national panel is not owed (or was
    # missed, if its date has already passed)
    close_unowed(ctx.session, ctx.case.id, [SERIOUS_INCIDENT_NOTIFICATION],
                 "not a serious incident: referred to the Case Review Group", ctx.today)


def _rapid_review_dates(ctx: TransitionContext) -> str | None:
    if ctx.precheck:  # about the submitted fields: nothing to say before they are
        return None
    case: CaseReview = ctx.case
    if case.notified_panel_on and ctx.data["rapid_review_on"] < case.notified_panel_on:
        return "rapid_review_on must not be before notified_panel_on"
    if ctx.data["sent_to_panel_on"] < ctx.data["rapid_review_on"]:
        return "sent_to_panel_on must not be before rapid_review_on"
    return None


def _complete_rapid_review(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.rapid_review_on = ctx.data["rapid_review_on"]
    case.rapid_review_sent_on = ctx.data["sent_to_panel_on"]
    case.rapid_review_recommendation = ctx.data["recommendation"]
    case.rapid_review_rationale = ctx.data["rationale"]
    case.rapid_review_learning = ctx.data.get("learning_identified")
    # the rapid review is done when it is sent to the national panel
    _met_on(ctx, RAPID_REVIEW, case.rapid_review_sent_on)


def _commission_lcspr(ctx: TransitionContext) -> None:
    _decide("lcspr", "lcspr")(ctx)
    _open(ctx, LCSPR_PUBLICATION)


def _decide_no_lcspr(ctx: TransitionContext) -> None:
    ctx.history_data["lcspr"] = "not commissioned"


def open_final_report(session: Any, case: CaseReview, today: dt.date,
                      publication_on: dt.date | None = None) -> None:
    """An LCSPR's final report to the national panel and the Secretary of State, at least 7
    working days before publication."""
    rule = REGIMES[case.regime].rule(FINAL_REPORT)
    on = publication_on or case.planned_publication_on
    assert on is not None
    due = add_working_days(on, -rule.amount)
    open_deadline(session, SUBJECT, case.id, rule, min(today, due), due_on=due)


def _approve_cspr_report(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.report_approved_at = ctx.now
    planned = ctx.data.get("planned_publication_on")
    if planned:
        case.planned_publication_on = planned
    if is_lcspr(case) and case.planned_publication_on and not case.final_report_sent_on:
        open_final_report(ctx.session, case, ctx.today)


def _final_report_given(ctx: TransitionContext) -> str | None:
    if ctx.precheck:  # about the submitted fields: nothing to say before they are
        return None
    case: CaseReview = ctx.case
    sent = ctx.data.get("final_report_sent_on") or case.final_report_sent_on
    if is_lcspr(case) and sent is None:
        return ("final_report_sent_on is required to publish a local child safeguarding practice "
                "review (the final report sent to the national panel and the Secretary of State)")
    if sent is not None and sent > ctx.data["published_on"]:
        return "final_report_sent_on must not be after published_on"
    return None


def _publish_cspr(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.published_on = ctx.data["published_on"]
    case.published_url = ctx.data["url"]
    if ctx.data.get("final_report_sent_on"):
        case.final_report_sent_on = ctx.data["final_report_sent_on"]
    if not is_lcspr(case):
        return
    _met_on(ctx, LCSPR_PUBLICATION, case.published_on)
    assert case.final_report_sent_on is not None
    # the 7 working days are counted back from the actual publication: met on time when the
    # report went then or earlier, met late when it went closer to publication than that
    open_final_report(ctx.session, case, ctx.today, publication_on=case.published_on)
    _met_on(ctx, FINAL_REPORT, case.final_report_sent_on)


def _not_published_cspr(ctx: TransitionContext) -> None:
    case: CaseReview = ctx.case
    case.not_published_reason = ctx.data["reason"]
    case.panel_told_on = ctx.data["panel_told_on"]
    _finish("the report will not be published")(ctx)
    _open(ctx, PANEL_TOLD_NOT_PUBLISHED)
    _met_on(ctx, PANEL_TOLD_NOT_PUBLISHED, case.panel_told_on)


def _close_lcspr_needs_publication(ctx: TransitionContext) -> str | None:
    if ctx.from_state == "report_approved" and is_lcspr(ctx.case):
        return ("a local child safeguarding practice review is closed by publishing its report or "
                "recording a decision not to publish it")
    return None


CSPR_FIELD_INFO = {
    **FIELD_INFO,
    "notified_panel_on": FieldInfo("Date the national panel was notified"),
    "became_aware_on": FieldInfo("Date the safeguarding partners became aware"),
    "abuse_or_neglect_known_or_suspected": FieldInfo("Abuse or neglect known or suspected"),
    "child_died_or_seriously_harmed": FieldInfo("The child died or was seriously harmed"),
    "looked_after_child": FieldInfo("A looked-after child"),
    "death_in_custody_secure_setting_or_mha": FieldInfo(
        "Death in custody, in a secure setting or under the Mental Health Act"),
    "request_agency_summaries": FieldInfo("Request a summary from each agency involved"),
    "agency_summary_contacts": FieldInfo("Email address for each agency's summary"),
    "rapid_review_on": FieldInfo("Date of the rapid review"),
    "sent_to_panel_on": FieldInfo("Date the rapid review was sent to the national panel"),
    "recommendation": FieldInfo("Recommendation of the rapid review", choices={
        "lcspr": "A local child safeguarding practice review",
        "no_lcspr": "No local child safeguarding practice review",
        "national_review_suggested": "Suggest a national review",
    }),
    "learning_identified": FieldInfo("Learning identified"),
    "final_report_sent_on": FieldInfo(
        "Date the final report was sent to the national panel and the Secretary of State"),
    "panel_told_on": FieldInfo("Date the national panel was told"),
}
assert tuple(CSPR_FIELD_INFO["recommendation"].choices or ()) == RAPID_REVIEW_RECOMMENDATIONS

RapidReviewRecommendation = Literal[RAPID_REVIEW_RECOMMENDATIONS]  # type: ignore[valid-type]
_CRITERIA_INPUTS: dict[str, Any] = {name: StrictBool for name in _CRITERIA_FIELDS}
_SHARED = {t.action: t for t in WT2015.transitions}

CSPR = Workflow(
    name=f"{WORKFLOW_NAME}-cspr",
    subject_type=SUBJECT,
    regime="CSPR",
    initial="received",
    field_info=CSPR_FIELD_INFO,
    states=(
        "received", "screening", "information_requested", "rapid_review", "rapid_review_sent",
        "awaiting_decision", "review_in_progress", "monitoring_other_la_review",
        "monitoring_national_review", "report_submitted", "report_approved",
        "publication_deferred", "published", "closed", "withdrawn",
    ),
    terminal=("closed", "withdrawn"),
    transitions=(
        _SHARED["start_screening"],
        _SHARED["request_information"],
        _SHARED["record_information"],
        Transition("record_serious_incident_notification", ("screening",), "rapid_review", BU,
                   label="Record the serious incident notification to the national panel",
                   fields={"notified_panel_on": PastDate},
                   optional={"became_aware_on": PastDate, **_CRITERIA_INPUTS,
                             "request_agency_summaries": StrictBool,
                             "agency_summary_contacts": dict[Line(200), Email]},
                   guards=(_notification_dates,), guard_status=422,
                   guard_note=("notified_panel_on not before receipt, became_aware_on not after it; "
                               "request_agency_summaries asks each agency involved for a summary "
                               "due inside the rapid review's 15 working days"),
                   effects=(_record_serious_incident_notification,)),
        Transition("refer_to_group", ("screening",), "awaiting_decision", BU,
                   label="Refer to the Case Review Group",
                   optional=_CRITERIA_INPUTS,
                   guard_note="not a serious incident: the group decides other learning",
                   effects=(_refer_cspr_to_group,)),
        Transition("complete_rapid_review", ("rapid_review",), "rapid_review_sent", CRG,
                   label="Record the rapid review",
                   fields={"rapid_review_on": PastDate, "sent_to_panel_on": PastDate,
                           "recommendation": RapidReviewRecommendation, "rationale": Text},
                   optional={"learning_identified": Text},
                   guards=(_rapid_review_dates,), guard_status=422,
                   guard_note="sent_to_panel_on not before rapid_review_on, nor that before the notification",
                   effects=(_complete_rapid_review,)),
        Transition("commission_lcspr", ("rapid_review_sent",), "review_in_progress", IC,
                   label="Commission a local child safeguarding practice review", fields=REASON,
                   effects=(_commission_lcspr,)),
        Transition("refer_to_national_review", ("rapid_review_sent",), "monitoring_national_review",
                   IC, label="Record the national panel's national review", fields=REASON,
                   effects=(_decide("national_review", "national_review"),)),
        Transition("decide_no_lcspr", ("rapid_review_sent",), "awaiting_decision", IC,
                   label="Decide not to commission a local review", fields=REASON,
                   effects=(_decide_no_lcspr,)),
        _SHARED["commission_management_review"],
        _SHARED["commission_single_agency_review"],
        _SHARED["commission_learning_event"],
        _SHARED["refer_to_other_la"],
        _SHARED["no_further_action"],
        _SHARED["submit_report"],
        _SHARED["return_report"],
        Transition("approve_report", ("report_submitted",), "report_approved",
                   ("crg_chair", "independent_chair"), label="Approve the report",
                   optional={"planned_publication_on": FutureDate},
                   role_rule=_lcspr_role("independent_chair", "crg_chair"),
                   role_note="independent_chair for a local child safeguarding practice review, "
                             "crg_chair otherwise",
                   effects=(_approve_cspr_report,)),
        _SHARED["defer_publication"],
        _SHARED["resume_publication"],
        Transition("publish", ("report_approved",), "published",
                   ("independent_chair", "crg_chair"), label="Publish the report",
                   fields={"published_on": PastDate, "url": Url},
                   optional={"final_report_sent_on": PastDate},
                   role_rule=_lcspr_role("independent_chair", "crg_chair"),
                   role_note="independent_chair for a local child safeguarding practice review, "
                             "crg_chair otherwise",
                   guards=(_final_report_given,), guard_status=422,
                   guard_note=("for a local child safeguarding practice review final_report_sent_on "
                               "is required (given here or already recorded)"),
                   effects=(_publish_cspr,)),
        Transition("decide_not_to_publish", ("report_approved",), "closed", IC,
                   label="Decide not to publish",
                   fields={"reason": Text, "panel_told_on": PastDate},
                   effects=(_not_published_cspr,)),
        Transition("close", ("published", "monitoring_other_la_review",
                             "monitoring_national_review", "report_approved"),
                   "closed", BU, label="Close the case review", optional={"carry_forward_note": Text},
                   guards=(_close_lcspr_needs_publication, _close_open_recommendations),
                   guard_note=("from report_approved only for reviews that are not local child "
                               "safeguarding practice reviews; refused while recommendations are "
                               "open unless carry_forward_note is given"),
                   effects=(_close,)),
        _SHARED["withdraw"],
    ),
)

CSPR_STAGES = {
    "received": "received",
    "screening": "under_consideration",
    "information_requested": "under_consideration",
    "rapid_review": "under_consideration",
    "rapid_review_sent": "under_consideration",
    "awaiting_decision": "under_consideration",
    "review_in_progress": "decision_made",
    "monitoring_other_la_review": "decision_made",
    "monitoring_national_review": "decision_made",
    "report_submitted": "decision_made",
    "report_approved": "decision_made",
    "publication_deferred": "decision_made",
    "published": "decision_made",
    "closed": "closed",
    "withdrawn": "closed",
}

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
        decisions=("scr", "management_review", "single_agency_review", "learning_event",
                   "other_la_review", "nfa"),
        title="Working Together 2015 (Serious Case Reviews)",
    ),
    "CSPR": Regime(
        code="CSPR",
        workflow=CSPR,
        deadline_rules=cspr_rules,
        on_receipt=(SERIOUS_INCIDENT_NOTIFICATION,),
        public_stages=CSPR_STAGES,
        survive_closure=(PANEL_TOLD_NOT_PUBLISHED,),
        decisions=("lcspr", "national_review", "management_review", "single_agency_review",
                   "learning_event", "other_la_review", "nfa"),
        title="Working Together 2018 and 2023 (child safeguarding practice reviews)",
    ),
}

# What a case review's history calls each action (every regime's table, and the receipt).
HISTORY_LABELS: dict[str, str] = {
    k: v for r in REGIMES.values() for k, v in r.workflow.history_labels(receive="Notification received").items()
}
# an action of several regimes is called the same in each (the history names it once)
assert all(t.label == HISTORY_LABELS[t.action] for r in REGIMES.values() for t in r.workflow.transitions), \
    "an action shared by two regimes has two labels"


@dataclass(frozen=True)
class _AnyRegime:
    transitions: tuple[Transition, ...]


def body_tables() -> list[Any]:
    """What the transition body's JSON Schema describes: each action once, an action of several
    regimes with the fields every regime requires as required and the others optional (e.g.
    ``decide_not_to_publish``: ``panel_told_on`` is required under CSPR only)."""
    merged: dict[str, Transition] = {}
    for regime in REGIMES.values():
        for t in regime.workflow.transitions:
            seen = merged.get(t.action)
            if seen is None:
                merged[t.action] = t
                continue
            everything = {**seen.fields, **seen.optional, **t.fields, **t.optional}
            required = {k: v for k, v in seen.fields.items() if k in t.fields}
            merged[t.action] = Transition(
                t.action, seen.sources, seen.target, seen.roles, fields=required,
                optional={k: v for k, v in everything.items() if k not in required})
    return [_AnyRegime(tuple(merged.values()))]


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
