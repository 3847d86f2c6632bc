"""The child death review workflow as a table (API.md), with its guards and effects.

Effects never call ``core.audit.record``: an extra audit event is queued with ``ctx.record``
and the engine records it with the transition's actor. Only ``service`` applies the table."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool, StrictInt
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from core import interop
from core.agency_requests import service as requests
from core.agency_requests.models import AgencyRequest
from core.auth.models import User
from core.deadlines import DeadlineRule, add_working_days, close_deadlines, open_deadline
from core.errors import ValidationFailed
from core.meetings.models import AgendaItem
from core.settings import Settings
from core.workflow import FieldInfo, Text, Transition, TransitionContext, Workflow, register_workflow
from cdop import actions, config, emails
from cdop import clocks
from cdop import forms as form_defs
from cdop import repository as repo
from cdop.domain import (
    ANALYSIS_DOMAINS,
    CATEGORIES,
    EXTERNAL_OUTCOME_KIND,
    FORM_KIND,
    HOLD_REASON_LABELS,
    MEETING_KIND,
    MODIFIABLE_LABELS,
    SCORE_LABELS,
    SCORES_TEXT,
    STATES,
    SUBJECT,
    TERMINAL_STATES,
    WORKFLOW_NAME,
)
from cdop.models import ChildDeath, ChildDeathHold
from cdop.schemas import (
    ActionIn,
    DomainScores,
    FactorIn,
    Email,
    HoldReason,
    LearningPoint,
    Modifiable,
    Phone,
    Reason,
    Short,
)

COORDINATOR = ("cdop_coordinator",)
CHAIR = ("cdop_chair",)


def _not_past(value: dt.date) -> dt.date:
    if value < config.today():
        raise ValueError("the expected date must not be in the past")
    return value


NotPastDate = Annotated[dt.date, AfterValidator(_not_past)]
MeetingId = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
Category = Annotated[StrictInt, Field(ge=1, le=10, description="category of death, 1 to 10")]

# ---- reporting forms, as the effects and the service create and close them ----


def create_forms(session: Session, settings: Settings, case: ChildDeath, wanted: list[tuple[str, str | None]], *,
                 due_on: dt.date, assignee: User | None = None,
                 forms: list[form_defs.FormRef] | None = None) -> list[AgencyRequest]:
    """One reporting form per ``(agency, contact email)``, inserted in one flush, each contact
    emailed its single-use link and the assignee (if any) told. The caller audits them.
    ``forms``: the form versions asked for (default: the latest reporting form), recorded on
    each request so its answers are always checked against them."""
    asked = [r.model_dump() for r in (forms or form_defs.refs_for_keys(None))]
    created = [
        AgencyRequest(subject_type=SUBJECT, subject_id=case.id, kind=FORM_KIND, agency=name,
                      contact_email=contact_email, assignee_user_id=assignee.id if assignee else None,
                      due_on=due_on, status="requested", answers={}, not_known=[], forms=asked)
        for name, contact_email in wanted
    ]
    session.add_all(created)
    session.flush()  # one INSERT of every form where the database returns their ids in order
    for req in created:
        if req.contact_email:
            emails.form_link(session, settings, case, req)
        if assignee is not None:
            emails.form_assigned(session, settings, case, req, assignee.email)
    return created


def waive_open_forms(session: Session, case: ChildDeath, reason: str, actor: str) -> int:
    """Waive every awaited form of the case (its link dies, no more reminders)."""
    n = 0
    for req in repo.forms_of_case(session, case.id):
        if req.status == "requested":
            requests.waive(session, req, reason=reason, actor=actor)
            n += 1
    return n


# ---- guards: return a reason to refuse, or None ----


def _all_forms_in(ctx: TransitionContext) -> str | None:
    agencies = repo.open_form_agencies(ctx.session, ctx.case.id)
    if agencies:
        return (f"reporting forms are still outstanding from: {', '.join(agencies)} "
                f"(each must be submitted or waived)")
    return None


CDRM_MISSING = ("no child death review meeting (CDRM) has been recorded: record the CDRM "
                "(Review meetings), or say why none is needed (cdrm_not_required_reason)")


def _cdrm_or_reason(ctx: TransitionContext) -> str | None:
    """A CDRM recorded, or the reason none is needed. The precheck does not block: the reason
    is a field of the action, so the form is offered and a submission with neither is a 422
    naming ``cdrm_not_required_reason`` (the field's label says when it is needed)."""
    if ctx.precheck or ctx.data.get("cdrm_not_required_reason") or clocks.has_cdrm(ctx.session, ctx.case.id):
        return None
    raise ValidationFailed.field(["body", "cdrm_not_required_reason"], CDRM_MISSING)


def _future_panel(ctx: TransitionContext) -> str | None:
    now = config.now()
    if ctx.precheck:
        if repo.future_panel_exists(ctx.session, MEETING_KIND, now):
            return None
        return "no future CDOP panel meeting has been arranged"
    meeting = repo.get_meeting(ctx.session, ctx.data["meeting_id"])
    if meeting is None or meeting.kind != MEETING_KIND:
        raise ValidationFailed.field(["body", "meeting_id"], "no CDOP panel meeting with this id")
    if meeting.scheduled_for <= now:
        return (f"panel meeting {meeting.id} took place on {meeting.scheduled_for.date().isoformat()}: "
                f"choose a future CDOP panel meeting")
    return None


def _analysis_consistent(ctx: TransitionContext) -> str | None:
    """A domain's score is at least the highest score of its factors (a factor that may have
    contributed makes the domain one where factors may have contributed, at least); each
    action's due date is not in the past. 422 naming the field."""
    if ctx.precheck:
        return None
    errors: list[dict[str, Any]] = []
    scores = ctx.data["domain_scores"]
    for domain in ANALYSIS_DOMAINS:
        highest = max((f["score"] for f in ctx.data.get("factors") or [] if f["domain"] == domain), default=0)
        if scores[domain] < highest:
            errors.append({"loc": ["body", "domain_scores", domain],
                           "msg": f"domain {domain} has a factor scored {highest}: its score must be at "
                                  f"least {highest} ({SCORE_LABELS[highest].lower()})"})
    today = config.today()
    for i, action in enumerate(ctx.data.get("actions") or []):
        if action["due_on"] < today:
            errors.append({"loc": ["body", "actions", i, "due_on"], "msg": "the due date is in the past"})
    if errors:
        raise ValidationFailed(errors)
    return None


def _referral_possible(ctx: TransitionContext) -> str | None:
    if ctx.data.get("refer_to_case_review") and not interop.is_provided("case_review.create_referral"):
        return ("the case review module is not enabled in this service, so the case cannot be "
                "referred to the Case Review Group from here; record the analysis without a "
                "referral and refer it by other means")
    return None


# ---- effects ----


def _start_gathering(ctx: TransitionContext) -> None:
    """One reporting form per agency of the notification that has none yet, asking for the
    reporting form only: which supplementary forms apply depends on what the joint agency
    response finds, so the coordinator asks for them (POST .../reporting-forms with ``forms``)."""

    existing = repo.agencies_with_forms(ctx.session, ctx.case.id)
    wanted: list[tuple[str, str | None]] = []
    for agency in ctx.case.agencies or []:
        name = str(agency.get("name", "")).strip()
        if not name or name.lower() in existing:
            continue
        existing.add(name.lower())
        wanted.append((name, agency.get("contact_email")))
    created: list[AgencyRequest] = []
    if wanted:
        due_on = add_working_days(config.today(), config.get_config().reporting_form_due_working_days)
        created = create_forms(ctx.session, config.settings(), ctx.case, wanted, due_on=due_on)
    for req in created:
        ctx.record(f"{FORM_KIND}.request", data={"request_id": req.id})
    ctx.history_data["reporting_forms_requested"] = len(created)


def external_outcome_rule() -> DeadlineRule:
    """The home panel's outcome of a death transferred out is due this many months after the
    transfer (``ECR_CDOP_EXTERNAL_OUTCOME_MONTHS``, default 6); unmet, it is overdue."""
    return DeadlineRule(EXTERNAL_OUTCOME_KIND, "Home area's panel outcome",
                        config.get_config().cdop_external_outcome_months, "months")


def _transfer_out(ctx: TransitionContext) -> None:
    case = ctx.case
    case.home_area = ctx.data["home_area"]
    case.home_cdop_email = ctx.data.get("home_cdop_email")
    case.home_cdop_contact_name = ctx.data.get("home_cdop_contact_name")
    case.home_cdop_phone = ctx.data.get("home_cdop_phone")
    case.non_resident = True
    case.transferred_out_on = config.today()
    waive_open_forms(ctx.session, case, "the case was transferred to the home CDOP", ctx.principal.actor)
    ctx.session.flush()
    due = open_deadline(ctx.session, SUBJECT, case.id, external_outcome_rule(), case.transferred_out_on)
    ctx.history_data["outcome_due_on"] = due.due_on.isoformat()
    emails.transferred_out(ctx.session, config.settings(), case)


def transferred_on(case: Any) -> dt.date:
    """The day the case was transferred out (before migration 0012: its last status change)."""
    return case.transferred_out_on or case.status_changed_at.date()


def _outcome_date_ok(ctx: TransitionContext) -> str | None:
    if ctx.precheck:
        return None
    received = ctx.data["outcome_received_on"]
    loc = ["body", "outcome_received_on"]
    if received > config.today():
        raise ValidationFailed.field(loc, "the date the outcome was received is in the future")
    if received < transferred_on(ctx.case):
        raise ValidationFailed.field(loc, f"the date the outcome was received is before the transfer "
                                          f"({transferred_on(ctx.case).isoformat()})")
    return None


def _record_external_outcome(ctx: TransitionContext) -> None:
    case, data = ctx.case, ctx.data
    case.external_outcome_received_on = data["outcome_received_on"]
    case.external_category = data["category"]
    case.external_modifiable = data["modifiable"]
    case.external_outcome_note = ctx.note
    case.external_outcome_recorded_at = ctx.now
    case.external_outcome_recorded_by = ctx.principal.name or ctx.principal.actor
    ctx.session.flush()
    # met on the day the outcome was received (on time or late against its due date); a
    # correction later finds it already met
    met = close_deadlines(ctx.session, SUBJECT, case.id, [EXTERNAL_OUTCOME_KIND], outcome="met",
                          on=data["outcome_received_on"])
    ctx.history_data["deadline_met"] = bool(met)


def _withdraw(ctx: TransitionContext) -> None:
    ctx.case.withdrawn_reason = ctx.data["reason"]
    waive_open_forms(ctx.session, ctx.case, "the notification was withdrawn", ctx.principal.actor)


_HOLDS = ChildDeathHold.__table__
# Built once (per call only the parameters change), run on the session's connection once the
# case's UPDATE is flushed (as Session.execute would): nothing reads a hold back as an entity.
_INSERT_HOLD = _HOLDS.insert()
_RELEASE = (update(_HOLDS)
            .where(_HOLDS.c.child_death_id == bindparam("case_id"), _HOLDS.c.released_at.is_(None))
            .values(released_at=bindparam("now", type_=_HOLDS.c.released_at.type),
                    released_by=bindparam("actor", type_=_HOLDS.c.released_by.type)))
_RELEASE_RETURNING = _RELEASE.returning(_HOLDS.c.id)
_OPEN_HOLD_IDS = select(_HOLDS.c.id).where(_HOLDS.c.child_death_id == bindparam("case_id"),
                                           _HOLDS.c.released_at.is_(None))


def _place_hold(ctx: TransitionContext) -> None:
    ctx.session.flush()
    ctx.history_data["hold_id"] = ctx.session.connection().execute(_INSERT_HOLD, {
        "child_death_id": ctx.case.id, "reason": ctx.data["hold_reason"],
        "expected_on": ctx.data["expected_on"], "note": ctx.note, "placed_at": ctx.now,
        "placed_by": ctx.principal.actor,
    }).inserted_primary_key[0]


def _release_hold(ctx: TransitionContext) -> None:
    # One UPDATE of the open holds (RETURNING their ids where the database has it).
    ctx.session.flush()
    conn = ctx.session.connection()
    params = {"case_id": ctx.case.id, "now": ctx.now, "actor": ctx.principal.actor}
    if conn.dialect.update_returning:
        released = conn.execute(_RELEASE_RETURNING, params).scalars().all()
    else:
        released = conn.execute(_OPEN_HOLD_IDS, params).scalars().all()
        conn.execute(_RELEASE, params)
    ctx.history_data["released_holds"] = sorted(released)


def _schedule(ctx: TransitionContext) -> None:
    # Lock the meeting row (PostgreSQL) so two cases scheduled at once get distinct positions.
    meeting = repo.get_meeting(ctx.session, ctx.data["meeting_id"], lock=True)
    assert meeting is not None  # checked by the guard
    if not any(a.subject_type == SUBJECT and a.subject_id == ctx.case.id for a in meeting.agenda):
        meeting.agenda.append(AgendaItem(
            subject_type=SUBJECT, subject_id=ctx.case.id,
            position=max((a.position for a in meeting.agenda), default=0) + 1,
            added_at=ctx.now, added_by=ctx.principal.actor,
        ))
        meeting.updated_at = ctx.now
        ctx.record("meeting.agenda_add", subject_type="meeting", subject_id=meeting.id,
                   data={"case_id": ctx.case.id})
    ctx.case.panel_meeting_id = meeting.id


def _defer(ctx: TransitionContext) -> None:
    # The agenda item and the history stay: the case was discussed (or listed) at that meeting.
    ctx.history_data["meeting_id"] = ctx.case.panel_meeting_id
    ctx.case.panel_meeting_id = None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


# the case review module's vocabulary for sex
_REFERRAL_SEX = {"female": "female", "male": "male", "indeterminate": "other", "not_known": "unknown"}


def _record_analysis(ctx: TransitionContext) -> None:
    case, data = ctx.case, ctx.data
    case.category = data["category"]
    case.modifiable = data["modifiable"]
    case.domain_scores = _jsonable(data["domain_scores"])
    case.learning = data["learning"]
    case.learning_points = _jsonable(data.get("learning_points") or [])
    case.factors = _jsonable(data.get("factors") or [])
    case.event_leading_to_death = data.get("event_leading_to_death")
    ctx.session.flush()
    created = actions.create(ctx.session, case, data.get("actions") or [], actor=ctx.principal.actor,
                             today=config.today())
    ctx.history_data["action_ids"] = [a.id for a in created]
    case.refer_to_case_review = data["refer_to_case_review"]
    case.analysed_at = ctx.now
    case.analysed_by = ctx.principal.actor
    clocks.on_analysis(ctx)  # the panel clock is met
    if not data["refer_to_case_review"] or case.case_review_reference:
        return
    payload = {
        "child_death_reference": case.reference,
        "child": {"first_name": case.first_name, "last_name": case.last_name,
                  "date_of_birth": case.date_of_birth.isoformat(),
                  "sex": _REFERRAL_SEX.get(case.sex or "", None)},
        "incident": {
            "date": case.date_of_death.isoformat(), "type": "death",
            "description": (f"Death of a child reviewed by the Child Death Overview Panel "
                            f"({case.reference}). Category of death: {data['category']} "
                            f"({CATEGORIES[data['category']]}). Modifiable factors: "
                            f"{data['modifiable'].replace('_', ' ')}."),
        },
        "rationale": data.get("referral_rationale") or data["learning"],
        "referred_by": ctx.principal.name or ctx.principal.actor,
    }
    result = interop.call(ctx.session, "case_review.create_referral", payload) or {}
    case.case_review_reference = result.get("reference")
    ctx.history_data["case_review_reference"] = case.case_review_reference
    ctx.record("child_death.refer_to_case_review", data={"case_review_reference": case.case_review_reference})


def _close(ctx: TransitionContext) -> None:
    ctx.case.closed_at = ctx.now
    # A form requested after the case was listed for a panel is no longer awaited once the review
    # is closed. So no terminal case ever has a requested form (withdraw and transfer_out waive
    # theirs too), and overdue-form counts need no join to the open cases.
    waive_open_forms(ctx.session, ctx.case, "the review was closed", ctx.principal.actor)


TRANSITIONS = (
    Transition("start_information_gathering", ("notified",), "information_gathering", COORDINATOR,
               label="Start gathering information",
               effects=(_start_gathering,)),
    Transition("transfer_out", ("notified", "information_gathering"), "transferred_out", COORDINATOR,
               label="Transfer to the home area's CDOP",
               fields={"home_area": Short},
               optional={"home_cdop_email": Email, "home_cdop_contact_name": Short, "home_cdop_phone": Phone},
               effects=(_transfer_out, clocks.on_transfer_out),
               guard_note="the home panel's outcome is then due within ECR_CDOP_EXTERNAL_OUTCOME_MONTHS "
                          "(default 6) months"),
    Transition("record_external_outcome", ("transferred_out",), "transferred_out", COORDINATOR,
               label="Record the home area's panel outcome",
               fields={"outcome_received_on": dt.date, "category": Category, "modifiable": Modifiable},
               guards=(_outcome_date_ok,), effects=(_record_external_outcome,), guard_status=422,
               guard_note="received on or after the transfer, not in the future; the note is kept "
                          "with the outcome"),
    Transition("withdraw", ("notified",), "withdrawn", COORDINATOR,
               label="Withdraw the notification", fields={"reason": Reason},
               effects=(_withdraw, clocks.on_withdraw)),
    Transition("place_on_hold", ("information_gathering", "ready_for_panel"), "on_hold", COORDINATOR,
               label="Place on hold",
               fields={"hold_reason": HoldReason, "expected_on": NotPastDate},
               effects=(_place_hold, clocks.on_hold_placed),
               guard_note="the hold is overdue for review once its expected date passes"),
    Transition("review_hold", ("on_hold",), "on_hold", COORDINATOR, label="Review the hold",
               fields={"expected_on": NotPastDate, "note": Text}, effects=(clocks.on_hold_reviewed,),
               guard_note="a new expected date for the open hold, and what the review found"),
    Transition("release_hold", ("on_hold",), "information_gathering", COORDINATOR, label="Release the hold",
               effects=(_release_hold, clocks.on_hold_released),
               guard_note="the panel review's due date moves on by the days spent on hold"),
    Transition("mark_ready_for_panel", ("information_gathering",), "ready_for_panel", COORDINATOR,
               label="Mark ready for the panel",
               optional={"cdrm_not_required_reason": Reason},
               guards=(_all_forms_in, _cdrm_or_reason), effects=(clocks.on_ready_for_panel,),
               guard_note="every reporting form submitted or waived, and a child death review meeting "
                          "(CDRM) recorded unless cdrm_not_required_reason says why none is needed"),
    Transition("schedule_for_panel", ("ready_for_panel",), "scheduled_for_panel", COORDINATOR,
               label="Schedule for a panel meeting",
               fields={"meeting_id": MeetingId}, guards=(_future_panel,), effects=(_schedule,),
               guard_note="a future cdop_panel meeting; the case is added to its agenda"),
    Transition("defer_at_panel", ("scheduled_for_panel",), "ready_for_panel",
               ("cdop_coordinator", "cdop_chair"),
               label="Defer to a later panel", fields={"note": Text}, effects=(_defer,)),
    Transition("record_analysis", ("scheduled_for_panel",), "reviewed", CHAIR,
               label="Record the panel's analysis",
               fields={"category": Category, "modifiable": Modifiable, "domain_scores": DomainScores,
                       "learning": Text, "refer_to_case_review": StrictBool},
               optional={"factors": Annotated[list[FactorIn], Field(max_length=60)],
                         "event_leading_to_death": Text,
                         "learning_points": Annotated[list[LearningPoint], Field(max_length=50)],
                         "actions": Annotated[list[ActionIn], Field(max_length=50)],
                         "referral_rationale": Text},
               guards=(_analysis_consistent, _referral_possible), effects=(_record_analysis,),
               guard_note="each domain scored at least as its highest factor; actions not due in the "
                          "past; a referral needs the case review module"),
    Transition("close", ("reviewed",), "closed", COORDINATOR, label="Close the review",
               effects=(_close, clocks.on_close)),
)

# How the fields of the table are shown (their types come from the annotations, except these).
FIELD_INFO = {
    "home_area": FieldInfo("Home area (local authority)"),
    "home_cdop_email": FieldInfo("Email address of the home area's CDOP"),
    "home_cdop_contact_name": FieldInfo("Contact at the home area's CDOP"),
    "home_cdop_phone": FieldInfo("Telephone number of the home area's CDOP"),
    "outcome_received_on": FieldInfo("Date the outcome was received"),
    "reason": FieldInfo("Reason"),
    "cdrm_not_required_reason": FieldInfo("Why no child death review meeting (CDRM) is needed "
                                          "(only if none has been recorded)"),
    "hold_reason": FieldInfo("Reason for the hold", choices=HOLD_REASON_LABELS),
    "expected_on": FieldInfo("Expected date"),
    "meeting_id": FieldInfo("Panel meeting", type="meeting"),
    "note": FieldInfo("Note"),
    "category": FieldInfo("Category of death", type="choice", choices=CATEGORIES),
    "modifiable": FieldInfo("Modifiable factors", choices=MODIFIABLE_LABELS),
    "domain_scores": FieldInfo(f"Domain scores (A to D): {SCORES_TEXT}"),
    "factors": FieldInfo(f"Factors in each domain (domain A to D, factor, score: {SCORES_TEXT}, comment)"),
    "event_leading_to_death": FieldInfo("The event that led to the death"),
    "learning": FieldInfo("Learning"),
    "refer_to_case_review": FieldInfo("Refer for a case review"),
    "learning_points": FieldInfo("Learning points"),
    "actions": FieldInfo("Actions (description, owner agency, due date), tracked to completion"),
    "referral_rationale": FieldInfo("Why the case is referred for a case review"),
}

WORKFLOW = Workflow(
    name=WORKFLOW_NAME, subject_type=SUBJECT, states=STATES, transitions=TRANSITIONS,
    initial="notified", terminal=TERMINAL_STATES, regime="CDR2018", field_info=FIELD_INFO,
)


def register() -> Workflow:
    return register_workflow(WORKFLOW)


# What a child death's history calls each action (the table's, and the notification).
HISTORY_LABELS: dict[str, str] = WORKFLOW.history_labels(
    notify="Death notified",
    record_jar="Joint Agency Response meeting recorded",
    record_cdrm="Child death review meeting recorded",
)
