"""The national data export (API.md "National data"): one documented, versioned JSON record per
child death, for entry into the National Child Mortality Database (NCMD).

What it is: the case's notification, responsibility and transfers, review meetings, reporting
forms (each form asked for, by definition and version, with its answers and the questions not
known) and the panel's analysis (category, modifiable factors, domain scores, factors, the
event leading to death, learning, actions), in the shape of the models below, which
``openapi/ncmd-record.v1.schema.json`` states (``python -m cdop.ncmd`` prints it; a test holds
the committed file to these models and real exports to the committed file). What it is not: a
connection to NCMD, or a claim that NCMD accepts this document as it is; staff enter (or map)
it into NCMD's own forms.

The record is an allow-list: built field by field from these models (``extra="forbid"``
everywhere: every object is closed), so a column added to a case never leaks into an export.
The answers of a reporting form are the one open map: by question key, as the form's
definition of that version names them (``GET /forms/definitions``).

Version 1. A change that removes or renames a field, or changes its meaning, is version 2 in a
new schema file; adding an optional field is not a new version only if the file changes with it.

``records`` builds many records with one query per table (cases, reporting forms, review
meetings, actions), whatever their number: no query per case. The service audits each export.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from cdop import forms as form_defs
from cdop import repository as repo
from cdop.domain import CATEGORIES, SCORES_TEXT, SUBJECT, in_our_area, responsible_area
from cdop.models import ChildDeath, ReviewMeeting
from core.agency_requests import service as requests

SCHEMA_NAME = "ecr-ncmd-export"
SCHEMA_VERSION = 1
SCHEMA_FILE = "openapi/ncmd-record.v1.schema.json"
# a bulk export covers at most this many days of analyses
MAX_PERIOD_DAYS = 366


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


Score = Annotated[int, Field(ge=0, le=2, description=SCORES_TEXT)]
AnswerValue = str | bool | int | float | list[str]


class NcmdCase(_Closed):
    id: int = Field(description="this service's id of the child death")
    reference: str = Field(description="the CDOP reference, CD-YYYY-NNNN")
    status: str = Field(description="the review's status in this service when exported")
    received_on: dt.date = Field(description="the day the notification was received")
    source: Literal["public", "staff"] = Field(description="the public form, or entered by staff")


class NcmdChild(_Closed):
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: Literal["female", "male", "indeterminate", "not_known"] | None
    ethnicity: str | None
    nhs_number: str | None = Field(description="10 digits, when provided")
    nhs_number_status: Literal["provided", "not_available", "non_resident_in_england", "not_given"]
    address: str | None
    local_authority: str | None = Field(description="where the child normally lived")
    looked_after: bool | None
    looked_after_by: str | None = Field(description="the local authority looking after the child")


class NcmdDeath(_Closed):
    date: dt.date
    time: str | None = Field(description="HH:MM, 24-hour clock")
    place: Literal["hospital", "home", "hospice", "other_residence", "public_place", "abroad", "other"]
    place_detail: str | None
    expected: bool
    jar_triggered: bool | None = Field(description="whether a Joint Agency Response was triggered")
    coroner_involved: bool | None
    age_at_death_days: int
    age_at_death_years: int


class NcmdNotifier(_Closed):
    name: str
    role: str | None
    agency: str


class NcmdNotification(_Closed):
    child: NcmdChild
    death: NcmdDeath
    notifier: NcmdNotifier
    agencies: list[str] = Field(description="the agencies notified as knowing the child")


class NcmdTransferredFrom(_Closed):
    area: str
    received_on: dt.date | None


class NcmdExternalOutcome(_Closed):
    received_on: dt.date
    category: int | None = Field(description="category of death, 1 to 10, as the home panel gave it")
    modifiable: Literal["yes", "no", "insufficient_information"] | None


class NcmdTransferredOut(_Closed):
    home_area: str
    transferred_on: dt.date | None
    outcome: NcmdExternalOutcome | None = Field(description="the home area's panel outcome, once received")


class NcmdResponsibility(_Closed):
    responsible_area: str | None = Field(description="where the child normally lived, or for a looked-after "
                                         "child the area looking after them; null when not known")
    in_panel_area: bool | None = Field(description="whether that area is one the panel covers "
                                       "(ECR_CDOP_AREAS); null when not known")
    transferred_from: NcmdTransferredFrom | None
    transferred_out: NcmdTransferredOut | None


class NcmdReviewMeeting(_Closed):
    kind: Literal["jar", "cdrm"] = Field(description="Joint Agency Response, or child death review meeting")
    held_on: dt.date
    agencies: list[str]
    outcome: str


class NcmdFormAnswers(_Closed):
    form: str = Field(description="the form definition's key (GET /forms/definitions)")
    version: int = Field(description="the version of the definition the form was requested with")
    title: str
    answers: dict[str, AnswerValue] = Field(description="by question key of that definition")
    not_known: list[str] = Field(description="question keys answered 'not known'")


class NcmdReportingForm(_Closed):
    agency: str
    status: Literal["requested", "submitted", "waived"]
    due_on: dt.date
    submitted_on: dt.date | None
    waived_reason: str | None
    forms: list[NcmdFormAnswers] = Field(description="each form asked for, in the request's order")


class NcmdDomainScores(_Closed):
    A: Score
    B: Score
    C: Score
    D: Score


class NcmdFactor(_Closed):
    domain: Literal["A", "B", "C", "D"]
    factor: str
    score: Score
    comment: str | None


class NcmdAction(_Closed):
    description: str
    owner_agency: str
    due_on: dt.date | None
    status: Literal["open", "completed", "cancelled"]
    completed_on: dt.date | None


class NcmdAnalysis(_Closed):
    reviewed_on: dt.date = Field(description="the day the panel's analysis was recorded (UTC)")
    category: int = Field(ge=1, le=10)
    category_label: str
    modifiable: Literal["yes", "no", "insufficient_information"]
    domain_scores: NcmdDomainScores
    factors: list[NcmdFactor]
    event_leading_to_death: str | None
    learning: str
    learning_points: list[str]
    actions: list[NcmdAction]
    referred_for_case_review: bool


class NcmdRecord(_Closed):
    """One child death as a structured record for entry into the National Child Mortality
    Database (schema ``ecr-ncmd-export``, version 1). Dates are ISO 8601 (YYYY-MM-DD), times
    of day HH:MM, instants ISO 8601 in UTC. This is this service's document: no connection to
    NCMD is made and no compatibility with NCMD's own formats is claimed beyond it."""

    schema_: Literal["ecr-ncmd-export"] = Field(alias="schema")
    version: Literal[1]
    exported_at: dt.datetime
    case: NcmdCase
    notification: NcmdNotification
    responsibility: NcmdResponsibility
    review_meetings: list[NcmdReviewMeeting]
    reporting_forms: list[NcmdReportingForm]
    analysis: NcmdAnalysis | None = Field(description="null until the panel has recorded its analysis")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class NcmdExport(_Closed):
    """``GET /exports/ncmd``: the records of the child deaths whose panel analysis was recorded
    in the period (``from`` to ``to`` inclusive, by the UTC day of ``record_analysis``), oldest
    analysis first."""

    schema_: Literal["ecr-ncmd-export"] = Field(alias="schema")
    version: Literal[1]
    from_: dt.date = Field(alias="from")
    to: dt.date
    basis: str
    exported_at: dt.datetime
    count: int
    records: list[NcmdRecord]

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


BASIS = "child deaths whose panel analysis (record_analysis) was recorded from 'from' to 'to' inclusive (UTC days)"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one record, as committed in ``openapi/ncmd-record.v1.schema.json``."""
    schema = NcmdRecord.model_json_schema(mode="serialization", by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://ecr.example/schemas/ncmd-record.v1.schema.json",
        "title": "ecr-ncmd-export record, version 1",
        **{k: v for k, v in schema.items() if k != "title"},
    }


# ---- building records: one query per table, whatever the number of cases ----


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(dt.UTC).date() if value is not None and value.tzinfo else (value.date() if value else None)


def _meetings_of(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(ReviewMeeting.child_death_id, ReviewMeeting.kind, ReviewMeeting.held_on, ReviewMeeting.agencies,
                   ReviewMeeting.outcome)
            .where(ReviewMeeting.child_death_id.in_(list(ids)))
            .order_by(ReviewMeeting.child_death_id, ReviewMeeting.held_on, ReviewMeeting.id)).all()
        for case_id, kind, held_on, agencies, outcome in rows:
            out[case_id].append({"kind": kind, "held_on": held_on, "agencies": [str(a) for a in agencies or []],
                                 "outcome": outcome})
    return out


def _form(req: Any) -> dict[str, Any]:
    return {
        "agency": req.agency, "status": req.status, "due_on": req.due_on,
        "submitted_on": _date(req.submitted_at), "waived_reason": req.waived_reason,
        "forms": [{"form": f["form"], "version": f["version"], "title": f["title"],
                   "answers": f["answers"], "not_known": list(f["not_known"])}
                  for f in form_defs.answers_by_form(req)],
    }


def _analysis(case: ChildDeath, actions: list[Any]) -> dict[str, Any] | None:
    if case.analysed_at is None or case.category is None:
        return None
    return {
        "reviewed_on": _date(case.analysed_at), "category": case.category,
        "category_label": CATEGORIES.get(case.category, ""), "modifiable": case.modifiable,
        "domain_scores": {k: (case.domain_scores or {}).get(k, 0) for k in ("A", "B", "C", "D")},
        "factors": [{"domain": f["domain"], "factor": f["factor"], "score": f["score"], "comment": f.get("comment")}
                    for f in case.factors or []],
        "event_leading_to_death": case.event_leading_to_death,
        "learning": case.learning or "", "learning_points": list(case.learning_points or []),
        "actions": [{"description": a.description, "owner_agency": a.owner_agency, "due_on": a.due_on,
                     "status": a.status, "completed_on": a.completed_on} for a in actions],
        "referred_for_case_review": bool(case.refer_to_case_review),
    }


def _responsibility(case: ChildDeath, our_areas: tuple[str, ...]) -> dict[str, Any]:
    area = responsible_area(case.local_authority, case.looked_after, case.looked_after_by)
    outcome = None
    if case.external_outcome_received_on is not None:
        outcome = {"received_on": case.external_outcome_received_on, "category": case.external_category,
                   "modifiable": case.external_modifiable}
    return {
        "responsible_area": area, "in_panel_area": in_our_area(area, our_areas),
        "transferred_from": ({"area": case.transferred_from_area, "received_on": case.transferred_from_received_on}
                             if case.transferred_from_area else None),
        "transferred_out": ({"home_area": case.home_area, "transferred_on": case.transferred_out_on,
                             "outcome": outcome} if case.status == "transferred_out" and case.home_area else None),
    }


def _record(case: ChildDeath, forms: list[Any], meetings: list[dict[str, Any]], actions: list[Any],
            exported_at: dt.datetime, our_areas: tuple[str, ...]) -> dict[str, Any]:
    return {
        "schema": SCHEMA_NAME, "version": SCHEMA_VERSION, "exported_at": exported_at,
        "case": {"id": case.id, "reference": case.reference, "status": case.status,
                 "received_on": _date(case.received_at), "source": case.source},
        "notification": {
            "child": {"first_name": case.first_name, "last_name": case.last_name,
                      "date_of_birth": case.date_of_birth, "sex": case.sex, "ethnicity": case.ethnicity,
                      "nhs_number": case.nhs_number, "nhs_number_status": case.nhs_number_status,
                      "address": case.address, "local_authority": case.local_authority,
                      "looked_after": case.looked_after, "looked_after_by": case.looked_after_by},
            "death": {"date": case.date_of_death, "time": case.time_of_death, "place": case.place_of_death,
                      "place_detail": case.place_detail, "expected": case.expected,
                      "jar_triggered": case.jar_triggered, "coroner_involved": case.coroner_involved,
                      "age_at_death_days": case.age_at_death_days, "age_at_death_years": case.age_at_death_years},
            "notifier": {"name": case.notifier_name, "role": case.notifier_role, "agency": case.notifier_agency},
            "agencies": [str(a.get("name", "")) for a in case.agencies or [] if isinstance(a, dict) and a.get("name")],
        },
        "responsibility": _responsibility(case, our_areas),
        "review_meetings": meetings,
        "reporting_forms": [_form(r) for r in forms],
        "analysis": _analysis(case, actions),
    }


def records(session: Session, cases: Sequence[ChildDeath], exported_at: dt.datetime,
            our_areas: tuple[str, ...]) -> list[dict[str, Any]]:
    """The records of these cases (in their order): one query each for their reporting forms,
    review meetings and actions."""
    ids = [c.id for c in cases]
    forms = requests.list_for(session, SUBJECT, ids)
    meetings = _meetings_of(session, ids)
    actions = repo.actions_of(session, ids)
    return [_record(c, forms.get(c.id, []), meetings.get(c.id, []), actions.get(c.id, []), exported_at, our_areas)
            for c in cases]


def analysed_between(session: Session, start: dt.date, end: dt.date) -> list[ChildDeath]:
    """The cases whose analysis was recorded from ``start`` to ``end`` (UTC days), oldest first
    (the index on ``analysed_at``)."""
    lo = dt.datetime.combine(start, dt.time(), dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    return list(session.execute(
        select(ChildDeath).where(ChildDeath.analysed_at >= lo, ChildDeath.analysed_at < hi)
        .order_by(ChildDeath.analysed_at, ChildDeath.id)).scalars())


def schema_text() -> str:
    """The committed file's text (written by `ecr openapi`, checked by `ecr openapi --check`)."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m cdop.ncmd > openapi/ncmd-record.v1.schema.json
    print(schema_text(), end="")
