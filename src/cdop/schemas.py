"""Input and output models. Inputs forbid unknown fields and bound every string and list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictInt,
    StringConstraints,
)

from cdop.domain import parse_nhs_number

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


NhsNumber = Annotated[str, StringConstraints(max_length=40), AfterValidator(_nhs)]
Sex = Literal["female", "male", "indeterminate", "not_known"]
Place = Literal["hospital", "home", "hospice", "other_residence", "public_place", "abroad", "other"]
HoldReason = Literal["inquest", "criminal_proceedings", "case_review", "other"]
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
    local_authority: Short | None = None


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


class StaffNotificationIn(NotificationIn):
    """A notification entered by the coordinator (e.g. received by phone)."""

    received_on: dt.date | None = Field(default=None, description="when it was received, if earlier than today")
    case_summary: LongText | None = None


class ChildDeathPatch(_In):
    """Fields the coordinator may correct; never ``status`` (use the transitions)."""

    case_summary: LongText | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    ethnicity: Short | None = None
    nhs_number: NhsNumber | None = None
    address: Address | None = None
    local_authority: Short | None = None
    date_of_death: dt.date | None = None
    time_of_death: TimeOfDay | None = None
    place_of_death: Place | None = None
    place_detail: Short | None = None
    expected: bool | None = None
    jar_triggered: bool | None = None
    coroner_involved: bool | None = None


class DomainScores(_In):
    """0 = information not available, 1 = no factors or unlikely to have contributed,
    2 = may have contributed."""

    A: Annotated[StrictInt, Field(ge=0, le=2)]
    B: Annotated[StrictInt, Field(ge=0, le=2)]
    C: Annotated[StrictInt, Field(ge=0, le=2)]
    D: Annotated[StrictInt, Field(ge=0, le=2)]


class ActionIn(_In):
    description: Reason
    owner: Short | None = None
    due_on: dt.date | None = None


LearningPoint = Reason


class ReportingFormCreate(_In):
    agency: Short
    contact_email: Email | None = None
    due_on: dt.date | None = None
    assignee_user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ReportingFormSubmit(_In):
    answers: dict[SectionKey, LongText] = Field(default_factory=dict, max_length=6)
    not_known: list[SectionKey] = Field(default_factory=list, max_length=6)


class WaiveIn(_In):
    reason: Reason


# ---- outputs (for OpenAPI; the service builds plain dicts) ----


class NotificationReceipt(BaseModel):
    reference: str
    status: str


class HoldOut(BaseModel):
    id: int
    reason: str
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
    reason: str


class ReportingFormOut(BaseModel):
    id: int
    agency: str
    contact_email: str | None = None
    assignee_user_id: int | None = None
    due_on: dt.date
    status: str
    overdue: bool
    answers: dict[str, Any]
    not_known: list[str]
    submitted_at: dt.datetime | None = None
    submitted_by: str | None = None
    waived_reason: str | None = None
    waived_at: dt.datetime | None = None
    reminders_sent: int = 0
    last_reminder_at: dt.datetime | None = None


class ChildDeathSummaryItem(BaseModel):
    """A line of the outstanding list: what the case is waiting on."""

    id: int
    reference: str
    status: str
    child: dict[str, Any]
    date_of_death: dt.date
    days_since_death: int
    since_death_band: str
    received_at: dt.datetime
    expected: bool
    open_holds: list[HoldOut]
    open_reporting_forms: int
    overdue_reporting_forms: list[OverdueFormOut]
    possible_duplicates: list[str]
    panel_meeting_id: int | None = None
    case_review_reference: str | None = None
    waiting_on: list[str]


class ChildDeathOut(BaseModel):
    id: int
    reference: str
    status: str
    status_changed_at: dt.datetime
    received_at: dt.datetime
    source: str
    child: dict[str, Any]
    death: dict[str, Any]
    notifier: dict[str, Any]
    agencies: list[dict[str, Any]]
    case_summary: str | None = None
    days_since_death: int
    out_of_area: dict[str, Any] | None = None
    withdrawn_reason: str | None = None
    panel_meeting_id: int | None = None
    holds: list[HoldOut]
    reporting_forms: list[ReportingFormOut]
    possible_duplicates: list[DuplicateOut]
    analysis: dict[str, Any] | None = None
    case_review: dict[str, Any] | None = None
    waiting_on: list[str]
    closed_at: dt.datetime | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
