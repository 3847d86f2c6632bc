"""Staff routes of the child death review module (mounted under /api/v1): parse, call the
service, return. Each route names its response model; the list, the detail and the history
send the service's views pre-serialised (``_json``), which tests/cdop/test_views.py and
tests/cdop/test_openapi.py hold to those models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import WithJsonSchema
from pydantic_core import to_json

from core.auth.deps import require
from core.auth.principal import Principal
from core.db.session import SessionDep
from core.pagination import DEFAULT_LIMIT, MAX_LIMIT, CursorQuery
from core.settings import Settings
from cdop import config, service
from cdop.ncmd import NcmdExport, NcmdRecord
from cdop import repository as repo
from cdop.forms import FormDefinition
from cdop.schemas import (
    ActionCancel,
    ActionComplete,
    ActionOut,
    AgencyFormView,
    ChildDeathOut,
    ChildDeathPage,
    ChildDeathPatch,
    ChildDeathReport,
    HistoryEntry,
    HoldReason,
    MyFormsPage,
    OutstandingSummary,
    PanelPapers,
    SinceDeathBand,
    ReportingFormCreate,
    ReportingFormOut,
    ReportingFormSubmit,
    ReviewMeetingIn,
    ReviewMeetingOut,
    StaffNotificationIn,
    State,
    SubmittedForm,
    ChildDeathTransitionOption,
    WaiveIn,
)

router = APIRouter(tags=["child deaths"])

MAX_ID = 2**31 - 1
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormId = Annotated[int, Path(ge=1, le=MAX_ID)]
MeetingId = Annotated[int, Path(ge=1, le=MAX_ID)]
# Required by the service (428 without it, 412 when stale): stated so in OpenAPI, read as
# optional so that its absence is the 428 of the contract, not a 422.
IfMatch = Annotated[str | None, Header(max_length=200, include_in_schema=False)]
NEEDS_IF_MATCH: dict[str, Any] = {"parameters": [{
    "name": "If-Match", "in": "header", "required": True,
    "description": "the ETag you last read (428 without it, 412 when the case has changed)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}]}
Reader = Annotated[Principal, Depends(require("child_death:read"))]
AppSettings = Annotated[Settings, Depends(config.use_settings)]


def _json(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``content`` as FastAPI would send it through the route's ``response_model``, without
    validating it again: the views are built with exactly the model's fields, in its order and
    with its types, and ``to_json`` is the serialiser the model would use."""
    return Response(to_json(content), status_code=status_code, headers=headers, media_type="application/json")


def _etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


@router.get("/child-deaths", response_model=ChildDeathPage)
def list_child_deaths(
    session: SessionDep,
    principal: Reader,
    status: Annotated[list[State] | None, Query(max_length=20)] = None,
    outstanding: bool = False,
    older_than_days: Annotated[int | None, Query(ge=0, le=36500)] = None,
    since_death_band: SinceDeathBand | None = None,
    hold_reason: HoldReason | None = None,
    hold_overdue: bool = False,
    has_overdue_reports: bool = False,
    overdue: bool = False,
    overdue_kind: Annotated[str | None, Query(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")] = None,
    awaiting_external_outcome: bool = False,
    agency: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """Child deaths, oldest death first, each with what it is waiting on. ``outstanding``: not
    closed, withdrawn or transferred out; ``older_than_days``: at least that many days since
    death; ``since_death_band``: a band of the summary (0-3m, 3-6m, 6-12m, 12m+);
    ``hold_reason``: an open hold for that reason; ``hold_overdue``: an open hold whose expected
    date has passed; ``has_overdue_reports``: a reporting form
    past its due date; ``overdue``: a clock (stored deadline: notification, review meeting,
    panel, hold review, or another of the case's deadlines) still open past its due date;
    ``overdue_kind``: such a clock of this kind (the summary's ``overdue_clocks``); ``agency``: a reporting form still awaited from that agency;
    ``awaiting_external_outcome``: transferred out, the home area's panel outcome not yet
    recorded (``overdue_kind=external_outcome``: only those past its due date);
    ``q``: reference or child's name."""
    filters = repo.CaseFilters(statuses=list(status or []), outstanding=outstanding,
                               older_than_days=older_than_days, since_death_band=since_death_band,
                               hold_reason=hold_reason, hold_overdue=hold_overdue,
                               has_overdue_reports=has_overdue_reports, agency=agency, q=q,
                               overdue_clocks=overdue, overdue_kind=overdue_kind,
                               awaiting_external_outcome=awaiting_external_outcome)
    return _json(service.list_page(session, principal, filters, limit, cursor))


@router.get("/child-deaths/outstanding/summary", response_model=OutstandingSummary)
def outstanding_summary(session: SessionDep, principal: Reader) -> Response:
    """Outstanding cases by status and time since death, open holds by reason, and overdue
    reporting forms by agency."""
    return _json(service.outstanding_summary(session, principal))


@router.post("/child-deaths", response_model=ChildDeathOut, status_code=201)
def create_child_death(
    body: StaffNotificationIn, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("child_death:create"))],
) -> Response:
    """A notification entered by the coordinator (the public body, plus ``received_on`` and
    ``case_summary``)."""
    case, out = service.create_staff_notification(session, settings, body, principal)
    return _json(out, 201, {**_etag(case.version), "Location": f"/api/v1/child-deaths/{case.id}"})


@router.get("/child-deaths/{case_id}", response_model=ChildDeathOut)
def get_child_death(case_id: CaseId, session: SessionDep, principal: Reader) -> Response:
    version, out = service.read_case(session, principal, case_id)
    return _json(out, headers=_etag(version))


@router.patch("/child-deaths/{case_id}", response_model=ChildDeathOut, openapi_extra=NEEDS_IF_MATCH)
def patch_child_death(
    case_id: CaseId, body: ChildDeathPatch, session: SessionDep,
    principal: Annotated[Principal, Depends(require("child_death:update"))],
    if_match: IfMatch = None,
) -> Response:
    """Correct the notification or write the case summary (If-Match). Never ``status``."""
    case, out = service.patch_case(session, principal, case_id, body, if_match)
    return _json(out, headers=_etag(case.version))


@router.get("/child-deaths/{case_id}/transitions", response_model=list[ChildDeathTransitionOption])
def get_transitions(case_id: CaseId, session: SessionDep, principal: Reader, response: Response) -> Any:
    """The actions this caller may take now, each with any reason it would be refused."""
    case, out = service.transitions_for(session, principal, case_id)
    response.headers["ETag"] = case.etag
    return out


@router.post("/child-deaths/{case_id}/transitions", response_model=ChildDeathOut,
             openapi_extra=NEEDS_IF_MATCH)
def post_transition(
    case_id: CaseId, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("child_death:transition"))],
    payload: Annotated[dict[str, Any], WithJsonSchema(service.TRANSITION_BODY_SCHEMA),
                       Body(examples=[{"action": "start_information_gathering"}])],
    if_match: IfMatch = None,
) -> Response:
    """Apply a workflow action (If-Match): ``{action, note?, ...fields}``; see
    ``GET /workflows/child-death``."""
    case, out = service.transition(session, principal, case_id, payload, if_match)
    return _json(out, headers=_etag(case.version))


@router.get("/child-deaths/{case_id}/history", response_model=list[HistoryEntry])
def get_history(case_id: CaseId, session: SessionDep, principal: Reader) -> Response:
    return _json(service.history(session, principal, case_id))


# ---- review meetings (JAR, CDRM) ----


@router.get("/child-deaths/{case_id}/review-meetings", response_model=list[ReviewMeetingOut])
def list_review_meetings(case_id: CaseId, session: SessionDep, principal: Reader) -> Any:
    """The Joint Agency Response and child death review meetings recorded for the case."""
    return service.list_review_meetings(session, principal, case_id)


@router.post("/child-deaths/{case_id}/review-meetings", response_model=ReviewMeetingOut, status_code=201)
def record_review_meeting(
    case_id: CaseId, body: ReviewMeetingIn, session: SessionDep,
    principal: Annotated[Principal, Depends(require("child_death:update"))],
) -> Any:
    """Record a Joint Agency Response (``jar``) or child death review meeting (``cdrm``) held:
    ``held_on`` (not in the future, not before the death), the ``agencies`` present (1 to 30)
    and its ``outcome``. A CDRM meets the case's review meeting clock on the day it was held;
    ``mark_ready_for_panel`` needs one (or ``cdrm_not_required_reason``). A case closed,
    withdrawn or transferred out: 409."""
    return service.record_review_meeting(session, principal, case_id, body)


# ---- reporting forms ----


FormDefinitionReader = Annotated[Principal, Depends(require("form_definition:read"))]


@router.get("/forms/definitions", response_model=list[FormDefinition], tags=["forms"])
def list_form_definitions(principal: FormDefinitionReader, all_versions: bool = False) -> Any:
    """The reporting form and the supplementary reporting forms the service ships: the latest
    version of each (``all_versions=true``: every version). A request records the versions it
    asked for; its answers are checked against those, whatever ships later."""
    return service.form_definitions(all_versions=all_versions)


@router.get("/forms/definitions/{key}/{version}", response_model=FormDefinition, tags=["forms"])
def get_form_definition(
    key: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,59}$")],
    version: Annotated[int, Path(ge=1, le=10_000)], principal: FormDefinitionReader,
) -> Any:
    """One version of one form; none shipped: 404."""
    return service.form_definition(key, version)


@router.get("/child-deaths/{case_id}/reporting-forms", response_model=list[ReportingFormOut])
def list_reporting_forms(case_id: CaseId, session: SessionDep, principal: Reader) -> Any:
    return service.list_forms(session, principal, case_id)


@router.post("/child-deaths/{case_id}/reporting-forms", response_model=ReportingFormOut, status_code=201)
def add_reporting_form(
    case_id: CaseId, body: ReportingFormCreate, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("reporting_form:manage"))],
) -> Any:
    """Request a reporting form from one more agency: its contact gets a single-use link, an
    assigned ``agency_author`` can complete it when signed in."""
    return service.add_form(session, settings, principal, case_id, body)


@router.post("/child-deaths/{case_id}/reporting-forms/{form_id}/waive", response_model=ReportingFormOut)
def waive_reporting_form(
    case_id: CaseId, form_id: FormId, body: WaiveIn, session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:manage"))],
) -> Any:
    return service.waive_form(session, principal, case_id, form_id, body.reason)


@router.post("/child-deaths/{case_id}/reporting-forms/{form_id}/resend", response_model=ReportingFormOut)
def resend_reporting_form_link(
    case_id: CaseId, form_id: FormId, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("reporting_form:manage"))],
) -> Any:
    """Email the contact a fresh single-use link (the earlier one stops working)."""
    return service.resend_form(session, settings, principal, case_id, form_id)


@router.post("/child-deaths/{case_id}/reporting-forms/{form_id}/submit", response_model=SubmittedForm)
def submit_reporting_form(
    case_id: CaseId, form_id: FormId, body: ReportingFormSubmit, session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:submit"))],
) -> Any:
    """Submit a form (``ReportingFormSubmit``): every question of the forms the request asked
    for, in their versions, answered or not known (conditional questions only when their
    condition holds; 422 naming ``answers.form.question``): the assigned agency author (any
    other author: 404), or the coordinator entering a form received another way."""
    return service.submit_assigned(session, principal, case_id, form_id, body)


@router.get("/reporting-forms/mine", response_model=MyFormsPage)
def my_reporting_forms(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:submit"))],
    open_only: bool = True,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Any:
    """Reporting forms assigned to the caller (CDOP reference and age band only)."""
    return service.my_forms(session, principal, open_only=open_only, limit=limit, cursor=cursor)


@router.get("/reporting-forms/mine/{form_id}", response_model=AgencyFormView)
def my_reporting_form(
    form_id: FormId, session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:submit"))],
) -> Any:
    """One reporting form assigned to the caller, open or not (as in ``/reporting-forms/mine``);
    a form assigned to someone else, or none: 404."""
    return service.my_form(session, principal, form_id)


@router.put("/reporting-forms/mine/{form_id}/draft", response_model=AgencyFormView)
def save_my_reporting_form_draft(
    form_id: FormId, body: ReportingFormSubmit, session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:submit"))],
) -> Any:
    """Save a draft of a form assigned to the caller: any of its sections (answered or not
    known), replacing the previous draft; nothing is submitted. Submitted or waived: 409;
    someone else's form or a closed case: 404."""
    return service.save_my_draft(session, principal, form_id, body)


# ---- the actions agreed at the panel ----

ActionId = Annotated[int, Path(ge=1, le=MAX_ID)]
NEEDS_ACTION_IF_MATCH: dict[str, Any] = {"parameters": [{
    "name": "If-Match", "in": "header", "required": True,
    "description": "the action's ETag (\"{version}\" of the action; 428 without it, 412 when it has changed)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}]}
Coordinator = Annotated[Principal, Depends(require("child_death:update"))]


@router.get("/child-deaths/{case_id}/actions", response_model=list[ActionOut])
def list_actions(case_id: CaseId, session: SessionDep, principal: Reader) -> Any:
    """The actions agreed at the panel (``record_analysis``) and where each stands: open,
    completed (when, the evidence) or cancelled (why); ``overdue`` when open past its due date."""
    return service.list_actions(session, principal, case_id)


@router.post("/child-deaths/{case_id}/actions/{action_id}/complete", response_model=ActionOut,
             openapi_extra=NEEDS_ACTION_IF_MATCH)
def complete_action(case_id: CaseId, action_id: ActionId, body: ActionComplete, session: SessionDep,
                    principal: Coordinator, response: Response, if_match: IfMatch = None) -> Any:
    """Mark an open action done (coordinator; If-Match), with what was done: its deadline is met
    on ``completed_on``. Also after the review is closed. Not open: 409."""
    action, out = service.complete_action(session, principal, case_id, action_id, body, if_match)
    response.headers["ETag"] = action.etag
    return out


@router.post("/child-deaths/{case_id}/actions/{action_id}/cancel", response_model=ActionOut,
             openapi_extra=NEEDS_ACTION_IF_MATCH)
def cancel_action(case_id: CaseId, action_id: ActionId, body: ActionCancel, session: SessionDep,
                  principal: Coordinator, response: Response, if_match: IfMatch = None) -> Any:
    """An open action no longer to be done (coordinator; If-Match), with the reason: its
    deadline is waived with it. Not open: 409."""
    action, out = service.cancel_action(session, principal, case_id, action_id, body, if_match)
    response.headers["ETag"] = action.etag
    return out


# ---- the national data export (NCMD) ----

Exporter = Annotated[Principal, Depends(require("child_death:export"))]


@router.get("/child-deaths/{case_id}/ncmd", response_model=NcmdRecord, tags=["child deaths", "exports"])
def ncmd_record(case_id: CaseId, session: SessionDep, principal: Exporter) -> Response:
    """The case as one ``ecr-ncmd-export`` record, version 1 (``openapi/ncmd-record.v1.schema.json``),
    for entry into the National Child Mortality Database: notification, responsibility and
    transfers, review meetings, reporting forms with their answers, and the panel's analysis.
    Coordinator only (identifiable data); every export audited. Nothing is sent to NCMD."""
    return _json(service.ncmd_record(session, principal, case_id))


@router.get("/exports/ncmd", response_model=NcmdExport, tags=["child deaths", "exports"])
def ncmd_export(
    session: SessionDep, principal: Exporter,
    from_: Annotated[dt.date | None, Query(alias="from")] = None,
    to: Annotated[dt.date | None, Query()] = None,
) -> Response:
    """The ``ecr-ncmd-export`` records of the child deaths whose panel analysis was recorded in
    the period (``from`` to ``to`` inclusive, UTC days; default this calendar year so far; at most
    366 days), oldest analysis first. Coordinator only; one audit event naming every case."""
    return _json(service.ncmd_export(session, principal, from_, to))


# ---- panel papers ----


@router.get("/meetings/{meeting_id}/papers", response_model=PanelPapers, tags=["meetings"])
def get_papers(
    meeting_id: MeetingId, session: SessionDep,
    principal: Annotated[Principal, Depends(require("meeting:papers"))],
) -> Any:
    """The anonymised papers of a CDOP panel meeting, for its members, the coordinator and the
    chair: per agenda case the reference, age at death, sex, expected or not, status, the
    scrubbed case summary and reporting form answers, and the scrubbed minutes. Never a name,
    address, NHS number or date of birth."""
    return service.papers(session, principal, meeting_id)


# ---- reports ----


@router.get("/reports/child-deaths", response_model=ChildDeathReport,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def child_death_report(
    request: Request, session: SessionDep,
    principal: Annotated[Principal, Depends(require("child_death:report"))],
    from_: Annotated[dt.date | None, Query(alias="from")] = None,
    to: Annotated[dt.date | None, Query()] = None,
) -> Any:
    """The annual statistics of DOMAIN.md for a period (default: this calendar year, at most ten
    years, ``to`` not before ``from``); CSV with ``Accept: text/csv``."""
    stats = service.report(session, principal, from_, to)
    if "text/csv" in request.headers.get("accept", ""):
        return PlainTextResponse(
            service.report_csv(stats), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="child-deaths-{stats["from"]}-{stats["to"]}.csv"'},
        )
    return stats
