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
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
)

from ecr.workflow import FutureDate, IsoDate, PastDate

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    ]


def Para(max_length: int) -> Any:  # noqa: N802 - a type factory
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_no_control_chars),
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
]
Email = Annotated[EmailStr, Field(max_length=254)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40,
                                         pattern=r"^\+?[0-9 ()\-]{3,40}$")]
Sex = Literal["female", "male", "other", "unknown"]
IncidentType = Literal["death", "serious_harm", "other"]
Decision = Literal["scr", "management_review", "single_agency_review", "learning_event",
                   "other_la_review", "nfa"]
ItemStatus = Literal["open", "in_progress", "completed", "carried_forward"]
SECTIONS = ("chronology", "analysis", "learning", "recommendations")
Section = Literal["chronology", "analysis", "learning", "recommendations"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


class PublicReceipt(BaseModel):
    reference: str
    status: Literal["received"]
    status_token: str


class PublicStatus(BaseModel):
    reference: str
    stage: Literal["received", "under_consideration", "decision_made", "closed"]
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


class CaseReviewPatch(Strict):
    """Fields the business unit may edit. The status changes only through transitions."""

    notifier: NotifierPatch | None = None
    child: ChildPatch | None = None
    incident: IncidentPatch | None = None
    abuse_or_neglect_suspected: StrictBool | None = None
    agencies_involved: list[Line(200)] | None = Field(default=None, max_length=30)
    review_type: Literal["management_review", "single_agency_review", "learning_event"] | None = None
    review_methodology: Line(200) | None = None
    lead_reviewer_name: Line(200) | None = None
    review_chair_name: Line(200) | None = None
    terms_of_reference: Para(20000) | None = None
    terms_of_reference_agreed_on: PastDate | None = None
    other_la: Line(200) | None = None
    planned_publication_on: FutureDate | None = None
    report_sent_to_national_panel_on: PastDate | None = None
    national_panel_notified_on: PastDate | None = None


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
    thematic_group_id: int | None
    child_death: ChildDeathLink | None
    referred_by: str | None
    open_recommendations: int


class TransitionOut(BaseModel):
    action: str
    to: str
    fields: list[str]
    optional_fields: list[str] = []
    blocked_reason: str | None = None


class HistoryOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    from_: str | None = Field(alias="from")
    to: str
    note: str | None
    data: dict[str, Any] = {}

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


# ---- thematic links -------------------------------------------------------------------------

class LinkIn(Strict):
    case_id: int = Field(ge=1, le=2**31 - 1)


# ---- agency reports -------------------------------------------------------------------------

class AgencyReportCreate(Strict):
    agency: Line(200)
    contact_email: Email | None = None
    assignee_user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
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
    id: int | None = Field(default=None, ge=1, le=2**31 - 1)
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
    total: int = 0
    met_on_time: int = 0
    met_late: int = 0
    open_overdue: int = 0
    open_not_yet_due: int = 0
    cancelled: int = 0


class CaseReviewReport(BaseModel):
    period: dict[str, dt.date]
    notifications_received: int
    by_source: dict[str, int]
    by_incident_type: dict[str, int]
    outcomes: dict[str, int]
    scr: dict[str, int]
    timeliness: dict[str, TimelinessOut]
    publication: dict[str, int]
