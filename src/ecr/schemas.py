"""Input and output models of the case review API.

Inputs are strict: ``extra="forbid"``, every string bounded, lists bounded, dates only as
``YYYY-MM-DD`` and never in the future where they record something that happened.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
)

from core.pagination import MAX_INT_ID
from ecr.domain import (
    DECISIONS,
    INCIDENT_TYPES,
    ITEM_STATUSES,
    PUBLIC_STAGES,
    REGIME_CODES,
    REVIEWS_RUN_LOCALLY,
    SECTIONS,
    SEXES,
    TIMELINESS_KEYS,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What the validators below enforce, stated in OpenAPI as patterns (JSON Schema regexes): no
# control characters (a single line also no tab or line break), and some text that is not
# whitespace (values are stripped before their length is checked).
_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
_PARA_CHARS = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_PARA_PATTERN = rf"^{_PARA_CHARS}*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{_PARA_CHARS}*$"
# at least three words of two or more letters (what ``_meaningful`` counts)
_WORDS_PATTERN = r"[^\W\d_]{2,}[\W\d_]+[^\W\d_]{2,}[\W\d_]+[^\W\d_]{2,}"


# ---- field types (used by the schemas below and by the workflow table) -----------------------

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


_DATE = {"format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
IsoDate = Annotated[dt.date, BeforeValidator(iso_date), Field(json_schema_extra=_DATE)]
PastDate = Annotated[
    dt.date, BeforeValidator(iso_date), AfterValidator(_not_future),
    Field(description="a date (YYYY-MM-DD) from 1900 to today", json_schema_extra=_DATE),
]
FutureDate = Annotated[
    dt.date, BeforeValidator(iso_date), AfterValidator(_not_past),
    Field(description="a date (YYYY-MM-DD) from today to 20 years ahead", json_schema_extra=_DATE),
]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://[^\s\x00-\x1f\x7f/$.?#][^\s\x00-\x1f\x7f]*$"),
]
Id = Annotated[int, Field(ge=1, le=MAX_INT_ID)]


def _no_control_chars(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("must be a single line")
    return value


def Line(max_length: int) -> Any:  # noqa: N802 - a type factory
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_no_control_chars),
        AfterValidator(_single_line),
        Field(json_schema_extra={"pattern": _LINE_PATTERN}),
    ]


def Para(max_length: int) -> Any:  # noqa: N802 - a type factory
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_no_control_chars),
        Field(json_schema_extra={"pattern": _PARA_PATTERN}),
    ]


def _meaningful(value: str) -> str:
    words = re.findall(r"[^\W\d_]{2,}", value)
    if len(words) < 3:
        raise ValueError("explain in a few words (at least three) why a review may be needed")
    return value


Rationale = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10000),
    AfterValidator(_no_control_chars),
    AfterValidator(_meaningful),
    Field(description="why a review may be needed, in a few words (at least three)",
          json_schema_extra={"pattern": _WORDS_PATTERN}),
]
Email = Annotated[EmailStr, Field(max_length=254)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40,
                                         pattern=r"^\+?[0-9 ()\-]{3,40}$")]
Sex = Literal[SEXES]  # type: ignore[valid-type]
IncidentType = Literal[INCIDENT_TYPES]  # type: ignore[valid-type]
Decision = Literal[DECISIONS]  # type: ignore[valid-type]
ItemStatus = Literal[ITEM_STATUSES]  # type: ignore[valid-type]
Section = Literal[SECTIONS]  # type: ignore[valid-type]
LocalReviewType = Literal[REVIEWS_RUN_LOCALLY]  # type: ignore[valid-type]
RegimeCode = Literal[REGIME_CODES]  # type: ignore[valid-type]


class Strict(BaseModel):
    """Request bodies take the types their OpenAPI schema states (no "5" for 5)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


# ---- notifications --------------------------------------------------------------------------

class NotifierIn(Strict):
    name: Line(200)
    email: Email
    agency: Line(200)
    role: Line(200) | None = None
    phone: Phone | None = None


class ChildIn(Strict):
    first_name: Line(100)
    last_name: Line(100)
    date_of_birth: PastDate | None = None
    sex: Sex | None = None
    ethnicity: Line(100) | None = None
    address: Para(500) | None = None
    local_authority: Line(200) | None = None


class IncidentIn(Strict):
    date: PastDate
    type: IncidentType
    description: Para(10000)


class PublicNotificationIn(Strict):
    """What the public form posts (no login)."""

    notifier: NotifierIn
    child: ChildIn
    incident: IncidentIn
    rationale: Rationale
    abuse_or_neglect_suspected: StrictBool
    agencies_involved: list[Line(200)] = Field(default_factory=list, max_length=30)


class StaffNotificationIn(PublicNotificationIn):
    """A notification that arrived by another channel, entered by the business unit."""

    received_on: PastDate | None = None
    regime: RegimeCode | None = Field(
        default=None, description="the regime the case follows for life (default: the "
        "deployment's ECR_CASE_REVIEW_REGIME), e.g. WT2015 for a historic notification")
    became_aware_on: PastDate | None = Field(
        default=None, description="CSPR: the day the safeguarding partners became aware of the "
        "incident (the 5 working days to notify the national panel run from it; default: receipt)")


class PublicReceipt(BaseModel):
    reference: str
    status: Literal["received"]
    status_token: str


class PublicStatus(BaseModel):
    reference: str
    stage: Literal[PUBLIC_STAGES]  # type: ignore[valid-type]
    decision: str | None = None
    decision_label: str | None = None


# ---- PATCH ----------------------------------------------------------------------------------

class NotifierPatch(Strict):
    name: Line(200) | None = None
    email: Email | None = None
    agency: Line(200) | None = None
    role: Line(200) | None = None
    phone: Phone | None = None


class ChildPatch(Strict):
    first_name: Line(100) | None = None
    last_name: Line(100) | None = None
    date_of_birth: PastDate | None = None
    sex: Sex | None = None
    ethnicity: Line(100) | None = None
    address: Para(500) | None = None
    local_authority: Line(200) | None = None


class IncidentPatch(Strict):
    date: PastDate | None = None
    type: IncidentType | None = None
    description: Para(10000) | None = None


class SeriousIncidentCriteria(Strict):
    """The serious incident criteria (Working Together 2023), captured on screening."""

    abuse_or_neglect_known_or_suspected: StrictBool | None = None
    child_died_or_seriously_harmed: StrictBool | None = None
    looked_after_child: StrictBool | None = None
    death_in_custody_secure_setting_or_mha: StrictBool | None = None


class CaseReviewPatch(Strict):
    """Fields the business unit may edit. The status changes only through transitions."""

    notifier: NotifierPatch | None = None
    child: ChildPatch | None = None
    incident: IncidentPatch | None = None
    abuse_or_neglect_suspected: StrictBool | None = None
    agencies_involved: list[Line(200)] | None = Field(default=None, max_length=30)
    review_type: LocalReviewType | None = None
    review_methodology: Line(200) | None = None
    lead_reviewer_name: Line(200) | None = None
    review_chair_name: Line(200) | None = None
    terms_of_reference: Para(20000) | None = None
    terms_of_reference_agreed_on: PastDate | None = None
    other_la: Line(200) | None = None
    planned_publication_on: FutureDate | None = None
    report_sent_to_national_panel_on: PastDate | None = None
    national_panel_notified_on: PastDate | None = None
    national_panel_told_not_published_on: PastDate | None = None
    # regime CSPR only
    became_aware_on: PastDate | None = None
    serious_incident_criteria: SeriousIncidentCriteria | None = None
    panel_response_on: PastDate | None = None
    panel_agrees: StrictBool | None = None
    panel_response_note: Para(10000) | None = None
    final_report_sent_on: PastDate | None = None
    regime: str | None = Field(default=None, max_length=20,
                               description="never changes: any value is refused (422)")


# ---- outputs --------------------------------------------------------------------------------

class DeadlineOut(BaseModel):
    kind: str
    label: str
    start_on: dt.date
    due_on: dt.date
    overdue: bool


class LinkedCase(BaseModel):
    id: int
    reference: str


class ChildDeathLink(BaseModel):
    reference: str
    id: int | None = Field(default=None, description="the child death's id (GET /child-deaths/{id}), when the module is on")
    status: str | None = None


class CaseReviewSummary(BaseModel):
    id: int
    reference: str
    regime: str
    status: str
    stage: str
    decision: str | None
    review_type: str | None
    received_on: dt.date
    source: str
    child_name: str
    incident_type: str
    deadlines: list[DeadlineOut]
    overdue: bool
    linked_cases: list[LinkedCase]
    child_death_reference: str | None
    version: int


class CaseReviewOut(CaseReviewSummary):
    received_at: dt.datetime
    status_changed_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    notifier: dict[str, Any]
    child: dict[str, Any]
    incident: dict[str, Any]
    rationale: str
    abuse_or_neglect_suspected: bool | None
    agencies_involved: list[str]
    information_request_note: str | None
    referred_to_group_at: dt.datetime | None
    decision_label: str | None
    decision_rationale: str | None
    decision_at: dt.datetime | None
    decision_by: str | None
    other_la: str | None
    scr_recommendation: dict[str, Any] | None
    scr_decision: dict[str, Any] | None
    national_panel_notified_on: dt.date | None
    review: dict[str, Any]
    publication: dict[str, Any]
    closed_at: dt.datetime | None
    carry_forward_note: str | None
    withdrawn_reason: str | None
    thematic_review_id: int | None
    child_death: ChildDeathLink | None
    referred_by: str | None
    open_recommendations: int
    serious_incident: dict[str, Any] | None = Field(
        description="CSPR: the criteria, the notification to the national panel, the rapid "
        "review and the panel's response (null under WT2015)")
    ofsted_and_secretary_of_state_to_be_told: bool = Field(
        description="a looked-after child died: Ofsted and the Secretary of State are told too")


class HistoryOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    label: str = Field(description="human words for the action, e.g. \"Start screening\"")
    from_: str | None = Field(alias="from")
    to: str
    note: str | None
    data: dict[str, Any] = {}

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


# ---- thematic links -------------------------------------------------------------------------

class LinkIn(Strict):
    case_id: Id


# ---- agency reports -------------------------------------------------------------------------

class AgencyReportCreate(Strict):
    agency: Line(200)
    contact_email: Email | None = None
    assignee_user_id: Id | None = None
    due_on: FutureDate


class AgencyReportAnswers(Strict):
    chronology: Para(50000) | None = None
    analysis: Para(50000) | None = None
    learning: Para(50000) | None = None
    recommendations: Para(50000) | None = None


class AgencyReportSubmit(Strict):
    answers: AgencyReportAnswers
    not_known: list[Section] = Field(default_factory=list, max_length=len(SECTIONS))


class WaiveIn(Strict):
    reason: Para(2000)


class AgencyReportOut(BaseModel):
    id: int
    case_id: int
    case_reference: str
    agency: str
    contact_email: str | None
    assignee_user_id: int | None
    due_on: dt.date
    status: str
    overdue: bool
    answers: dict[str, Any]
    not_known: list[str]
    submitted_at: dt.datetime | None
    waived_reason: str | None
    waived_at: dt.datetime | None
    reminders_sent: int
    last_reminder_at: dt.datetime | None
    version: int


# ---- recommendations ------------------------------------------------------------------------

class ActionItemIn(Strict):
    description: Para(5000)
    owner_agency: Line(200)
    due_on: IsoDate | None = None
    status: ItemStatus = "open"
    completed_on: PastDate | None = None
    note: Para(2000) | None = None


class ActionItemPatch(Strict):
    id: Id | None = None
    description: Para(5000) | None = None
    owner_agency: Line(200) | None = None
    due_on: IsoDate | None = None
    status: ItemStatus | None = None
    completed_on: PastDate | None = None
    note: Para(2000) | None = None


class RecommendationCreate(Strict):
    text: Para(5000)
    status: ItemStatus = "open"
    actions: list[ActionItemIn] = Field(default_factory=list, max_length=50)


class RecommendationPatch(Strict):
    text: Para(5000) | None = None
    status: ItemStatus | None = None
    carry_forward_note: Para(2000) | None = None
    actions: list[ActionItemPatch] | None = Field(default=None, max_length=50)


class ActionItemOut(BaseModel):
    id: int
    description: str
    owner_agency: str
    due_on: dt.date | None
    status: str
    completed_on: dt.date | None
    note: str | None
    overdue: bool


class RecommendationOut(BaseModel):
    id: int
    case_id: int
    number: int
    text: str
    status: str
    carry_forward_note: str | None
    actions: list[ActionItemOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


# ---- reports --------------------------------------------------------------------------------

class TimelinessOut(BaseModel):
    """How the deadlines of one kind ended (or stand) for the notifications of the period."""

    total: int = 0
    met_on_time: int = 0
    met_late: int = 0
    missed: int = 0
    waived: int = 0
    open_overdue: int = 0
    open_not_yet_due: int = 0


assert tuple(k for k in TimelinessOut.model_fields if k != "total") == TIMELINESS_KEYS


class CaseReviewReport(BaseModel):
    period: dict[str, dt.date]
    notifications_received: int
    by_source: dict[str, int]
    by_incident_type: dict[str, int]
    outcomes: dict[str, int]
    scr: dict[str, int]
    timeliness: dict[str, TimelinessOut]
    publication: dict[str, int]
    by_regime: dict[str, int]
    cspr: dict[str, int] = Field(description="regime CSPR cases of the period (API.md)")


# ---- the referral from the child death module (core.interop) --------------------------------

class ReferralIncident(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    date: PastDate
    type: str = "death"
    description: Para(10000)


class ReferralChild(ChildIn):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    child_death_reference: Line(40)
    child: ReferralChild
    incident: ReferralIncident
    # the panel's own words: not held to the public form's "a few words" rule
    rationale: Para(10000)
    referred_by: Line(200)
