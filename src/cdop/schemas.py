"""Input and output models. Inputs forbid unknown fields and bound every string and list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    JsonValue,
    StrictInt,
    StringConstraints,
)

from cdop.domain import SCORES_TEXT, parse_nhs_number
from cdop.forms.model import FormDefinition
from core.workflow.schema import TransitionOption

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
TimeOfDay = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


def _nhs(value: str) -> str:
    parse_nhs_number(value)  # raises ValueError with a message naming the problem
    return value.strip()


# 10 digits (spaces between them allowed), or one of the two answers; the check digit is
# checked as well (modulus 11), which a pattern cannot state
NHS_PATTERN = (r"^\s*(?:(?:[0-9] *){10}|[Nn]ot\s+[Aa]vailable|NOT\s+AVAILABLE"
               r"|[Nn]on[- ][Rr]esident\s+in\s+[Ee]ngland|NON[- ]RESIDENT\s+IN\s+ENGLAND)\s*$")
# the pattern is stated in the schema; the validator checks it with a message for the user
NhsNumber = Annotated[str, StringConstraints(max_length=40), AfterValidator(_nhs),
                      Field(json_schema_extra={"pattern": NHS_PATTERN})]
Sex = Literal["female", "male", "indeterminate", "not_known"]
Place = Literal["hospital", "home", "hospice", "other_residence", "public_place", "abroad", "other"]
HoldReason = Literal["inquest", "criminal_proceedings", "case_review", "other"]
State = Literal[
    "notified", "information_gathering", "on_hold", "ready_for_panel", "scheduled_for_panel",
    "reviewed", "closed", "withdrawn", "transferred_out",
]
FormStatus = Literal["requested", "submitted", "waived"]
SinceDeathBand = Literal["0-3m", "3-6m", "6-12m", "12m+"]
Modifiable = Literal["yes", "no", "insufficient_information"]
SectionKey = Literal[
    "agency_involvement", "health", "family_and_environment", "parenting_capacity",
    "service_provision", "other_information",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NotifierIn(_In):
    name: Short
    email: Email
    agency: Short
    role: Short | None = None
    phone: Phone | None = None


class ChildIn(_In):
    first_name: Name
    last_name: Name
    date_of_birth: dt.date
    sex: Sex | None = None
    ethnicity: Short | None = None
    nhs_number: NhsNumber | None = Field(
        default=None,
        description="10 digits (spaces allowed) with a valid check digit, or 'not available', "
        "or 'non-resident in England'",
    )
    address: Address | None = None
    local_authority: Short | None = Field(default=None, description="where the child normally lived")
    looked_after: bool | None = Field(default=None, description="a looked-after child (the area "
                                      "looking after them is responsible for the review)")
    looked_after_by: Short | None = Field(default=None, description="the local authority looking "
                                          "after the child")


class DeathIn(_In):
    date: dt.date
    time: TimeOfDay | None = Field(default=None, description="HH:MM, 24-hour clock")
    place: Place
    place_detail: Short | None = None
    expected: bool
    jar_triggered: bool | None = None
    coroner_involved: bool | None = None


class AgencyIn(_In):
    name: Short
    contact_email: Email | None = None


class NotificationIn(_In):
    """The public child death notification (API.md)."""

    notifier: NotifierIn
    child: ChildIn
    death: DeathIn
    agencies: list[AgencyIn] = Field(default_factory=list, max_length=30)


class TransferredFromIn(_In):
    """The area whose CDOP transferred the death to us."""

    area: Short = Field(description="the local authority (CDOP) that transferred the death")
    contact_email: Email | None = Field(default=None, description="its CDOP's email address")
    received_on: dt.date = Field(description="when the transfer was received (not in the future, "
                                 "not before the death)")


class StaffNotificationIn(NotificationIn):
    """A notification entered by the coordinator (e.g. received by phone)."""

    received_on: dt.date | None = Field(default=None, description="when it was received, if earlier than today")
    case_summary: LongText | None = None
    transferred_from: TransferredFromIn | None = Field(
        default=None, description="a death transferred to us by another area's CDOP")


class ChildDeathPatch(_In):
    """Fields the coordinator may correct; never ``status`` (use the transitions)."""

    # null clears a field that may be empty; the others (no null in their schema) cannot be cleared
    case_summary: LongText | None = None
    first_name: Name = Field(default=None)  # type: ignore[assignment]
    last_name: Name = Field(default=None)  # type: ignore[assignment]
    date_of_birth: dt.date = Field(default=None)  # type: ignore[assignment]
    sex: Sex | None = None
    ethnicity: Short | None = None
    nhs_number: NhsNumber | None = None
    address: Address | None = None
    local_authority: Short | None = None
    looked_after: bool | None = None
    looked_after_by: Short | None = None
    date_of_death: dt.date = Field(default=None)  # type: ignore[assignment]
    time_of_death: TimeOfDay | None = None
    place_of_death: Place = Field(default=None)  # type: ignore[assignment]
    place_detail: Short | None = None
    expected: bool = Field(default=None)  # type: ignore[assignment]
    jar_triggered: bool | None = None
    coroner_involved: bool | None = None


Score = Annotated[StrictInt, Field(ge=0, le=2, description=SCORES_TEXT)]


class DomainScores(_In):
    """The score of each domain (DOMAIN.md, the panel's analysis): 0 = information not available,
    1 = no factors identified, or factors identified but unlikely to have contributed to the death,
    2 = factors identified that may have contributed to the death (``cdop.domain.SCORE_LABELS``).
    A domain's score is at least the highest score of its factors."""

    A: Score
    B: Score
    C: Score
    D: Score


DomainKey = Literal["A", "B", "C", "D"]


class FactorIn(_In):
    """A factor the panel identified in one domain, scored as the domains are."""

    domain: DomainKey
    factor: Reason
    score: Score
    comment: Reason | None = None


class ActionIn(_In):
    """An action agreed at the panel: what, which agency owns it (and an email address to
    remind, if known), by when. Tracked to completion as a ``cdop_actions`` row."""

    description: Reason
    owner_agency: Short
    owner_email: Email | None = Field(default=None, description="where reminders go (default: "
                                      "the panel's contact address)")
    due_on: dt.date = Field(description="not in the past")


class ActionComplete(_In):
    completed_on: dt.date | None = Field(default=None, description="default today; not in the future")
    evidence: Reason = Field(description="what was done, and where the evidence is")


class ActionCancel(_In):
    reason: Reason


LearningPoint = Reason


FormKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
NotKnownKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}(\.[a-z][a-z0-9_]{0,59})?$")]


class ReportingFormCreate(_In):
    agency: Short
    contact_email: Email | None = None
    due_on: dt.date | None = Field(default=None, description="not in the past; default: "
                                   "ECR_REPORTING_FORM_DUE_WORKING_DAYS working days from today")
    assignee_user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    forms: list[FormKey] | None = Field(
        default=None, min_length=1, max_length=20,
        description="the forms asked for, by key (GET /forms/definitions): the latest version of "
                    "each is recorded on the request; default: the reporting form only")


class ReportingFormSubmit(_In):
    """The answers to the forms a request asked for: the reporting form's by question key at
    the top level, each supplementary form's under its key (``{"health": "...", "sudi_sudc":
    {"sleep_position": "back"}}``); ``not_known``: question keys, ``form.question`` for a
    supplementary form. Checked against the versions the request was made with."""

    answers: dict[FormKey, JsonValue] = Field(
        default_factory=dict, max_length=60,
        description="each answer: text; yes/no as a JSON boolean; a number; a date (YYYY-MM-DD) "
                    "or a choice's value as text; the values ticked of a multiple choice question "
                    "as a list; checked against the question (422 naming answers.form.question)")
    not_known: list[NotKnownKey] = Field(default_factory=list, max_length=300)


class WaiveIn(_In):
    reason: Reason


# ---- outputs: what each route returns (views.py builds them with exactly these fields) ----


class NotificationReceipt(BaseModel):
    reference: str
    status: State


class HoldOut(BaseModel):
    id: int
    reason: HoldReason
    expected_on: dt.date
    note: str | None = None
    placed_at: dt.datetime
    placed_by: str
    released_at: dt.datetime | None = None
    released_by: str | None = None


class OverdueFormOut(BaseModel):
    id: int
    agency: str
    due_on: dt.date
    days_overdue: int


class DuplicateOut(BaseModel):
    id: int
    reference: str
    reason: Literal["nhs_number", "name_and_dates"]


class FormRefOut(BaseModel):
    """A form a request asked for, in the version shipped when it was asked."""

    key: str
    version: int
    title: str


class ReportingFormOut(BaseModel):
    id: int
    agency: str
    contact_email: str | None = None
    assignee_user_id: int | None = None
    due_on: dt.date
    status: FormStatus
    overdue: bool
    answers: dict[str, JsonValue] = Field(description="as ReportingFormSubmit: the reporting form's "
                                          "answers by question, each supplementary form's under its key")
    not_known: list[str]
    submitted_at: dt.datetime | None = None
    submitted_by: str | None = None
    waived_reason: str | None = None
    waived_at: dt.datetime | None = None
    reminders_sent: int = 0
    last_reminder_at: dt.datetime | None = None
    forms: list[FormRefOut] = Field(default_factory=list, description="the forms asked for, each in "
                                    "the version its answers are checked against")


class ChildSummaryOut(BaseModel):
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str | None = None


class ChildDeathSummaryItem(BaseModel):
    """A line of the outstanding list: what the case is waiting on."""

    id: int
    reference: str
    status: State
    child: ChildSummaryOut
    date_of_death: dt.date
    days_since_death: int
    since_death_band: SinceDeathBand
    received_at: dt.datetime
    expected: bool
    open_holds: list[HoldOut]
    open_reporting_forms: int
    overdue_reporting_forms: list[OverdueFormOut]
    possible_duplicates: list[str]
    panel_meeting_id: int | None = None
    case_review_reference: str | None = None
    waiting_on: list[str]


class ChildDeathPage(BaseModel):
    items: list[ChildDeathSummaryItem]
    next_cursor: str | None = None


class ChildOut(BaseModel):
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str | None = None
    ethnicity: str | None = None
    nhs_number: str | None = None
    nhs_number_status: Literal["provided", "not_available", "non_resident_in_england", "not_given"]
    address: str | None = None
    local_authority: str | None = None
    looked_after: bool | None = None
    looked_after_by: str | None = None


class DeathOut(BaseModel):
    date: dt.date
    time: str | None = None
    place: str
    place_detail: str | None = None
    expected: bool
    jar_triggered: bool | None = None
    coroner_involved: bool | None = None
    age_at_death_days: int
    age_at_death_years: int


class NotifierOut(BaseModel):
    name: str
    email: str
    agency: str
    role: str | None = None
    phone: str | None = None


class AgencyOut(BaseModel):
    name: str
    contact_email: str | None = None


class ExternalOutcomeOut(BaseModel):
    """The home area's panel outcome of a death transferred out."""

    received_on: dt.date
    category: int
    category_label: str
    modifiable: Modifiable
    note: str | None = None
    recorded_at: dt.datetime
    recorded_by: str | None = None


class OutOfAreaOut(BaseModel):
    """A death transferred out to the home area's CDOP, followed up until its panel's outcome."""

    home_area: str
    home_cdop_email: str | None = None
    home_cdop_contact_name: str | None = None
    home_cdop_phone: str | None = None
    transferred_on: dt.date | None = None
    outcome_due_on: dt.date | None = Field(default=None, description="the open deadline for the home "
                                           "panel's outcome (null once it is recorded)")
    outcome_overdue: bool = False
    outcome: ExternalOutcomeOut | None = None


class TransferredFromOut(BaseModel):
    area: str
    contact_email: str | None = None
    received_on: dt.date | None = None


class DomainScoresOut(BaseModel):
    A: int
    B: int
    C: int
    D: int


class FactorOut(BaseModel):
    domain: DomainKey
    factor: str
    score: int
    comment: str | None = None


ActionStatus = Literal["open", "completed", "cancelled"]


class ActionOut(BaseModel):
    """An action agreed at the panel and where it stands. ``version``: its ETag is
    ``"{version}"`` (If-Match of complete and cancel)."""

    id: int
    description: str
    owner_agency: str
    owner_email: str | None = None
    due_on: dt.date | None = None
    status: ActionStatus
    overdue: bool = Field(description="open and past its due date")
    completed_on: dt.date | None = None
    evidence: str | None = None
    cancelled_reason: str | None = None
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    reminders_sent: int
    last_reminder_at: dt.datetime | None = None
    version: int


class AnalysisOut(BaseModel):
    category: int | None = None
    category_label: str | None = None
    modifiable: Modifiable | None = None
    domain_scores: DomainScoresOut | None = None
    factors: list[FactorOut]
    event_leading_to_death: str | None = None
    learning: str | None = None
    learning_points: list[str]
    actions: list[ActionOut]
    refer_to_case_review: bool | None = None
    recorded_at: dt.datetime
    recorded_by: str | None = None


class CaseReviewLinkOut(BaseModel):
    reference: str
    id: int | None = Field(default=None, description="the case review's id (GET /case-reviews/{id}), when the module is on")
    status: str | None = None
    decision: str | None = None


# ---- review meetings and clocks (2018 statutory guidance) ----

ReviewMeetingKind = Literal["jar", "cdrm"]
AgencyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ReviewMeetingIn(_In):
    """A Joint Agency Response (``jar``) or child death review meeting (``cdrm``) held."""

    kind: ReviewMeetingKind = Field(description="jar: Joint Agency Response; cdrm: child death review meeting")
    held_on: dt.date = Field(description="not in the future, not before the death")
    agencies: list[AgencyName] = Field(min_length=1, max_length=30,
                                       description="the agencies present, each named once (1 to 30)")
    outcome: LongText = Field(description="what the meeting concluded")


class ReviewMeetingOut(BaseModel):
    id: int
    kind: ReviewMeetingKind
    kind_label: str
    held_on: dt.date
    agencies: list[str]
    outcome: str
    recorded_at: dt.datetime
    recorded_by: str


ClockKind = Annotated[str, Field(description="cdop_notification, cdop_cdrm, cdop_panel, cdop_hold_review, "
                                             "or another module's deadline kind")]


class ClockOut(BaseModel):
    """A clock of the case (a stored deadline): its due date and, once it ended, its outcome."""

    kind: ClockKind
    label: str
    start_on: dt.date
    due_on: dt.date
    outcome: Literal["met_on_time", "met_late", "missed", "waived"] | None = Field(
        description="null while it runs")
    overdue: bool = Field(description="still running and past its due date (never while paused)")
    paused: bool = Field(default=False, description=(
        "the panel clock while the case is on hold: not overdue; when the hold is released its "
        "due date moves on by the days on hold"))
    closed_on: dt.date | None = None
    waived_reason: str | None = None


class OverdueClockCount(BaseModel):
    kind: ClockKind
    label: str
    count: int


class ChildDeathOut(BaseModel):
    id: int
    reference: str
    status: State
    status_changed_at: dt.datetime
    received_at: dt.datetime
    source: Literal["public", "staff"]
    child: ChildOut
    death: DeathOut
    notifier: NotifierOut
    agencies: list[AgencyOut]
    case_summary: str | None = None
    days_since_death: int
    out_of_area: OutOfAreaOut | None = None
    responsible_area: str | None = Field(default=None, description="where the child normally lived, "
                                         "or the area looking after a looked-after child; null if not known")
    in_our_area: bool | None = Field(default=None, description="whether the responsible area is one "
                                     "of ECR_CDOP_AREAS; null when either is not known")
    transferred_from: TransferredFromOut | None = None
    withdrawn_reason: str | None = None
    panel_meeting_id: int | None = None
    holds: list[HoldOut]
    reporting_forms: list[ReportingFormOut]
    possible_duplicates: list[DuplicateOut]
    analysis: AnalysisOut | None = None
    case_review: CaseReviewLinkOut | None = None
    waiting_on: list[str]
    cdrm_not_required_reason: str | None = None
    review_meetings: list[ReviewMeetingOut]
    clocks: list[ClockOut]
    closed_at: dt.datetime | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class OutstandingSummary(BaseModel):
    """Outstanding cases by status and time since death, open holds by reason, overdue
    reporting forms by agency."""

    as_of: dt.date
    bands: list[SinceDeathBand]
    by_status: dict[State, dict[SinceDeathBand, int]]
    by_band: dict[SinceDeathBand, int]
    total: int
    on_hold_by_reason: dict[HoldReason, int]
    holds_past_expected_by_reason: dict[HoldReason, int] = Field(
        description="open holds whose expected date has passed (list: hold_overdue=true)")
    overdue_reporting_forms_by_agency: dict[str, int]
    overdue_clocks: list[OverdueClockCount] = Field(
        default_factory=list, description="open clocks past their due date, by kind (list: overdue=true)")


class ChildDeathTransitionOption(TransitionOption):
    """An action the caller may take now, with why a guard would refuse it (or null)."""

    to: State


class HistoryEntry(BaseModel):
    at: dt.datetime
    actor: str
    actor_id: str
    action: str
    label: str = Field(description="human words for the action, e.g. \"Start screening\"")
    from_: State | None = Field(alias="from")
    to: State
    note: str | None = None
    data: dict[str, JsonValue]

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class FormSection(BaseModel):
    key: SectionKey
    title: str
    help: str


class AgencyFormView(BaseModel):
    """What an agency contact or author sees of a reporting form: no identifier beyond the
    CDOP reference."""

    reference: str
    form_id: int
    case_id: int = Field(description="the child death's id, for the author's submit address "
                         "(POST /child-deaths/{case_id}/reporting-forms/{form_id}/submit); it opens "
                         "nothing else to an agency author")
    agency: str
    due_on: dt.date
    status: FormStatus
    overdue: bool
    child_age_band: str
    sections: list[FormSection] = Field(description="the reporting form's sections (version 1) "
                                        "when it was asked for; `forms` has every form asked for")
    answers: dict[str, JsonValue]
    not_known: list[str]
    submitted_at: dt.datetime | None = None
    forms: list[FormDefinition] = Field(default_factory=list, description="the definition of each "
                                        "form asked for, in the version the answers are checked against")


class PublicFormView(BaseModel):
    """The form a single-use link opens (as ``AgencyFormView`` without the form's and case's ids)."""

    reference: str
    agency: str
    due_on: dt.date
    status: FormStatus
    overdue: bool
    child_age_band: str
    sections: list[FormSection] = Field(description="the reporting form's sections (version 1) "
                                        "when it was asked for; `forms` has every form asked for")
    answers: dict[str, JsonValue]
    not_known: list[str]
    submitted_at: dt.datetime | None = None
    forms: list[FormDefinition] = Field(default_factory=list, description="the definition of each "
                                        "form asked for, in the version the answers are checked against")


class MyFormsPage(BaseModel):
    items: list[AgencyFormView]
    next_cursor: str | None = None


class SubmittedForm(BaseModel):
    reference: str
    form_id: int
    agency: str
    status: FormStatus
    submitted_at: dt.datetime | None


class PublicSubmittedForm(BaseModel):
    reference: str
    agency: str
    status: FormStatus
    submitted_at: dt.datetime | None


# ---- the annual statistics ----


class CategoryRow(BaseModel):
    category: int
    label: str
    reviews: int
    modifiable: int
    modifiable_percent: float | None
    insufficient_information: int


class ModifiableTotal(BaseModel):
    yes: int
    percent: float | None


class ReportBasis(BaseModel):
    notifications: str
    reviews: str
    holds: str


class LocalAuthorityRow(BaseModel):
    local_authority: str | None = Field(description="as notified; null: not recorded")
    notifications: int
    in_our_area: bool | None


class OutOfAreaRow(BaseModel):
    """A death transferred out (the home panel's outcome) or in (our panel's) in the period."""

    id: int
    reference: str
    direction: Literal["out", "in"]
    area: str = Field(description="the home area (out) or the area that transferred it (in)")
    transferred_on: dt.date | None
    status: State
    outcome: Literal["recorded", "awaiting"]
    outcome_received_on: dt.date | None
    category: int | None
    category_label: str | None
    modifiable: Modifiable | None
    due_on: dt.date | None = Field(description="out: when the home panel's outcome is due, while awaited")
    overdue: bool


class ChildDeathReport(BaseModel):
    from_: dt.date = Field(alias="from")
    to: dt.date
    notifications_received: int
    notifications_withdrawn: int
    reviews_completed: int
    by_category: list[CategoryRow]
    modifiable: ModifiableTotal
    insufficient_information: int
    referred_for_case_review: int
    by_age_band: dict[str, int]
    expected_vs_unexpected: dict[Literal["expected", "unexpected"], int]
    place_of_death: dict[str, int]
    non_resident: int
    transferred_out: int
    transferred_in: int
    by_local_authority: list[LocalAuthorityRow] = Field(
        description="notifications received in the period (not withdrawn) by local authority of residence")
    out_of_area: list[OutOfAreaRow] = Field(
        description="deaths transferred out in the period, and deaths transferred in received in it")
    holds_placed: dict[HoldReason, int]
    holds_open_at_end: dict[HoldReason, int]
    basis: ReportBasis

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


# ---- the anonymised panel papers: an allow-list of what a panel member may see ----


class AgeAtDeath(BaseModel):
    value: int
    unit: Literal["days", "months", "years"]
    text: str


class PanelAnswer(BaseModel):
    question: str = Field(description="the question's label in the definition")
    answer: str = Field(description="in words (a choice's label, Yes or No, the text scrubbed), or 'Not known'")


class PanelSupplementaryForm(BaseModel):
    """A supplementary form's answers on the papers, question by question in the definition's
    order; answers that are dates are left out (they would date the death)."""

    form: str
    version: int
    title: str
    answers: list[PanelAnswer]


class PanelForm(BaseModel):
    """An agency's reporting form on the papers: its status, and when submitted its answers
    (scrubbed) per known section, and the supplementary forms' answers."""

    agency: str
    status: FormStatus
    answers: dict[SectionKey, str]
    not_known: list[SectionKey]
    supplementary: list[PanelSupplementaryForm] = Field(default_factory=list)


class PanelCase(BaseModel):
    reference: str
    age_at_death: AgeAtDeath
    sex: str | None
    expected: bool
    status: State
    case_summary: str | None
    reporting_forms: list[PanelForm]


class PanelPapers(BaseModel):
    """``GET /meetings/{id}/papers``: the anonymised pack of a CDOP panel meeting. Built field by
    field from this allow-list; the free text in it (case summaries, form answers, minutes) is
    scrubbed of every agenda case's identifiers."""

    meeting_id: int
    kind: Literal["cdop_panel"]
    scheduled_for: dt.datetime
    anonymised: Literal[True]
    minutes: str | None
    cases: list[PanelCase]
