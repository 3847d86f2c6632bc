"""Staff routes of the child death review module (mounted under /api/v1)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, StringConstraints
from pydantic_core import to_json

from core.agency_requests import service as requests
from core.audit import record
from core.auth.deps import require
from core.auth.principal import Principal
from core.db.session import SessionDep
from core.errors import ValidationFailed
from core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from core.settings import Settings
from core.workflow import apply_transition, available_transitions
from cdop import forms, reports, runtime, service
from cdop import repository as repo
from cdop.domain import HOLD_REASONS, STATES, SUBJECT_TYPE
from cdop.schemas import (
    ChildDeathOut,
    ChildDeathPatch,
    ChildDeathSummaryItem,
    ReportingFormCreate,
    ReportingFormOut,
    ReportingFormSubmit,
    StaffNotificationIn,
    WaiveIn,
)
from cdop.workflow import WORKFLOW

router = APIRouter(tags=["child deaths"])

CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Reader = Annotated[Principal, Depends(require("child_death:read"))]
AppSettings = Annotated[Settings, Depends(runtime.use_settings)]


def _json(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``content`` as FastAPI would send it through the route's ``response_model``, without
    validating it again: the service builds its views with exactly the model's fields, in its
    order and with its types (tests/cdop/test_views.py), and ``to_json`` is the serialiser the
    model would use. Saves the validation and its extra threadpool hop per request; the route
    keeps its ``response_model`` for the OpenAPI schema."""
    return Response(to_json(content), status_code=status_code, headers=headers, media_type="application/json")


def _detail_response(session: Any, case: Any, status_code: int = 200,
                     headers: dict[str, str] | None = None, **known: Any) -> Response:
    out = service.detail(session, case, **known)
    return _json(out, status_code, {**(headers or {}), "ETag": f'"{case.version}"'})


@router.get("/child-deaths", response_model=Page[ChildDeathSummaryItem])
def list_child_deaths(
    session: SessionDep,
    principal: Reader,
    status: Annotated[list[Annotated[str, StringConstraints(max_length=30)]] | None, Query(max_length=20)] = None,
    outstanding: bool = False,
    older_than_days: Annotated[int | None, Query(ge=0, le=36500)] = None,
    hold_reason: Annotated[str | None, Query(max_length=30)] = None,
    has_overdue_reports: bool = False,
    agency: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Child deaths, oldest death first, each with what it is waiting on. ``outstanding``: not
    closed, withdrawn or transferred out; ``older_than_days``: days since death;
    ``hold_reason``: an open hold for that reason; ``has_overdue_reports``: a reporting form
    past its due date; ``agency``: a reporting form still awaited from that agency;
    ``q``: reference or child's name."""
    statuses = status or []
    if len(statuses) > 20:
        raise ValidationFailed.field(["query", "status"], "at most 20 values")
    bad = [s for s in statuses if s not in STATES]
    if bad:
        raise ValidationFailed.field(["query", "status"], f"unknown states {bad}; states are {list(STATES)}")
    if hold_reason is not None and hold_reason not in HOLD_REASONS:
        raise ValidationFailed.field(["query", "hold_reason"], f"one of {list(HOLD_REASONS)}")
    today = runtime.today()
    filters = repo.CaseFilters(statuses=statuses, outstanding=outstanding, older_than_days=older_than_days,
                               hold_reason=hold_reason, has_overdue_reports=has_overdue_reports,
                               agency=agency, q=q)
    cases, next_cursor = repo.list_page(session, principal, filters, today, limit, cursor)
    items = service.list_items(session, cases, today)
    record(session, actor=principal.actor, action="child_death.list", subject_type=SUBJECT_TYPE,
           data={"case_ids": [c.id for c in cases]})
    return _json({"items": items, "next_cursor": next_cursor})


@router.get("/child-deaths/outstanding/summary", response_model=dict[str, Any])
def outstanding_summary(session: SessionDep, principal: Reader) -> Response:
    """Outstanding cases by status and time since death, open holds by reason, and overdue
    reporting forms by agency."""
    today = runtime.today()
    bands = ("0-3m", "3-6m", "6-12m", "12m+")
    by_status: dict[str, dict[str, int]] = {}
    for status, band, n in repo.outstanding_counts(session, principal, today):
        by_status.setdefault(status, dict.fromkeys(bands, 0))[band] = n
    totals = dict.fromkeys(bands, 0)
    for row in by_status.values():
        for b, n in row.items():
            totals[b] += n
    record(session, actor=principal.actor, action="child_death.summary", subject_type=SUBJECT_TYPE)
    return _json({
        "as_of": today,
        "bands": list(bands),
        "by_status": by_status,
        "by_band": totals,
        "total": sum(totals.values()),
        "on_hold_by_reason": repo.open_holds_by_reason(session, principal),
        "overdue_reporting_forms_by_agency": repo.overdue_forms_by_agency(session, principal, today),
    })


@router.post("/child-deaths", response_model=ChildDeathOut, status_code=201)
def create_child_death(
    body: StaffNotificationIn, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("child_death:create"))],
) -> Response:
    """A notification entered by the coordinator (the public body, plus ``received_on`` and
    ``case_summary``)."""
    case = service.create_staff_notification(session, settings, body, principal)
    return _detail_response(session, case, 201, {"Location": f"/api/v1/child-deaths/{case.id}"})


@router.get("/child-deaths/{case_id}", response_model=ChildDeathOut)
def get_child_death(case_id: CaseId, session: SessionDep, principal: Reader) -> Response:
    case = repo.get_case_view(session, principal, case_id)
    out = _detail_response(session, case, meeting_at=case.meeting_at, holds=repo.HOLD_ROWS.parse(case.hold_rows),
                           forms=repo.FORM_ROWS.parse(case.form_rows), has_duplicates=case.has_duplicates)
    record(session, actor=principal.actor, action="child_death.read", subject_type=SUBJECT_TYPE, subject_id=case.id)
    return out


@router.patch("/child-deaths/{case_id}", response_model=ChildDeathOut)
def patch_child_death(
    case_id: CaseId, body: ChildDeathPatch, session: SessionDep,
    principal: Annotated[Principal, Depends(require("child_death:update"))],
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Correct the notification or write the case summary (If-Match). Never ``status``."""
    case = repo.get_case(session, principal, case_id, lock=True)
    service.patch_case(session, case, body, principal, if_match)
    return _detail_response(session, case)


@router.get("/child-deaths/{case_id}/transitions")
def get_transitions(case_id: CaseId, session: SessionDep, principal: Reader) -> list[dict[str, Any]]:
    """The actions this caller may take now, each with any reason it would be refused."""
    case = repo.get_case(session, principal, case_id)
    return available_transitions(session, WORKFLOW, case, principal)


@router.post("/child-deaths/{case_id}/transitions", response_model=ChildDeathOut)
def post_transition(
    case_id: CaseId, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("child_death:transition"))],
    payload: Annotated[dict[str, Any], Body(openapi_examples={"start": {"value": {"action": "start_information_gathering"}}})],
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Apply a workflow action (If-Match): ``{action, note?, ...fields}``; see
    ``GET /workflows/child-death``."""
    case, has_duplicates = repo.get_case_for_transition(session, principal, case_id)
    apply_transition(session, WORKFLOW, case, payload, principal, if_match)
    return _detail_response(session, case, has_duplicates=has_duplicates)


@router.get("/child-deaths/{case_id}/history", response_model=list[dict[str, Any]])
def get_history(case_id: CaseId, session: SessionDep, principal: Reader) -> Response:
    entries = service.history(session, principal, case_id)
    record(session, actor=principal.actor, action="child_death.history", subject_type=SUBJECT_TYPE, subject_id=case_id)
    return _json(entries)


# ---- reporting forms ----


@router.get("/child-deaths/{case_id}/reporting-forms", response_model=list[ReportingFormOut])
def list_reporting_forms(case_id: CaseId, session: SessionDep, principal: Reader) -> list[dict[str, Any]]:
    case = repo.get_case(session, principal, case_id)
    today = runtime.today()
    record(session, actor=principal.actor, action="reporting_form.list", subject_type=SUBJECT_TYPE, subject_id=case.id)
    return [forms.form_out(r, today) for r in requests.list_for(session, SUBJECT_TYPE, [case.id])[case.id]]


@router.post("/child-deaths/{case_id}/reporting-forms", response_model=ReportingFormOut, status_code=201)
def add_reporting_form(
    case_id: CaseId, body: ReportingFormCreate, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("reporting_form:manage"))],
) -> dict[str, Any]:
    """Request a reporting form from one more agency: its contact gets a single-use link, an
    assigned ``agency_author`` can complete it when signed in."""
    case = repo.get_case(session, principal, case_id, lock=True)
    req = forms.add_form(session, settings, case, principal, agency=body.agency,
                         contact_email=str(body.contact_email) if body.contact_email else None,
                         due_on=body.due_on, assignee_user_id=body.assignee_user_id)
    return forms.form_out(req, runtime.today())


@router.post("/child-deaths/{case_id}/reporting-forms/{form_id}/waive", response_model=ReportingFormOut)
def waive_reporting_form(
    case_id: CaseId, form_id: FormId, body: WaiveIn, session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:manage"))],
) -> dict[str, Any]:
    case = repo.get_case(session, principal, case_id, lock=True)
    req = requests.get_for_subject(session, SUBJECT_TYPE, case.id, form_id, lock=True)
    requests.waive(session, req, reason=body.reason, actor=principal.actor)
    return forms.form_out(req, runtime.today())


@router.post("/child-deaths/{case_id}/reporting-forms/{form_id}/resend", response_model=ReportingFormOut)
def resend_reporting_form_link(
    case_id: CaseId, form_id: FormId, session: SessionDep, settings: AppSettings,
    principal: Annotated[Principal, Depends(require("reporting_form:manage"))],
) -> dict[str, Any]:
    """Email the contact a fresh single-use link (the earlier one stops working)."""
    case = repo.get_case(session, principal, case_id)
    req = requests.get_for_subject(session, SUBJECT_TYPE, case.id, form_id, lock=True)
    forms.resend_link(session, settings, case, req)
    record(session, actor=principal.actor, action="reporting_form.resend", subject_type=SUBJECT_TYPE,
           subject_id=case.id, data={"request_id": req.id})
    return forms.form_out(req, runtime.today())


class SubmittedForm(BaseModel):
    reference: str
    form_id: int
    agency: str
    status: str
    submitted_at: dt.datetime | None


@router.post("/child-deaths/{case_id}/reporting-forms/{form_id}/submit", response_model=SubmittedForm)
def submit_reporting_form(
    case_id: CaseId, form_id: FormId, body: ReportingFormSubmit, session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:submit"))],
) -> dict[str, Any]:
    """Submit a form ``{answers: {section: text}, not_known: [section]}``, every section
    answered or not known: the assigned agency author (any other author: 404), or the
    coordinator entering a form received another way."""
    req, case = forms.get_assigned(session, principal, case_id, form_id)
    forms.submit_form(session, req, body, principal.actor)
    return {"reference": case.reference, "form_id": req.id, "agency": req.agency,
            "status": req.status, "submitted_at": req.submitted_at}


@router.get("/reporting-forms/mine")
def my_reporting_forms(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("reporting_form:submit"))],
    open_only: bool = True,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Reporting forms assigned to the caller (CDOP reference and age band only)."""
    after = None
    if cursor:
        (value,) = decode_cursor(cursor, 1)
        if not isinstance(value, int):
            raise ValidationFailed.field(["query", "cursor"], "invalid cursor")
        after = value
    rows = forms.my_forms(session, principal, runtime.today(), open_only=open_only, limit=limit, after_id=after)
    record(session, actor=principal.actor, action="reporting_form.mine", subject_type=SUBJECT_TYPE,
           data={"request_ids": [r["form_id"] for r in rows[:limit]]})
    next_cursor = encode_cursor(rows[limit - 1]["form_id"]) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor}


# ---- reports ----


@router.get("/reports/child-deaths", responses={200: {"content": {"text/csv": {}}}})
def child_death_report(
    request: Request, session: SessionDep,
    principal: Annotated[Principal, Depends(require("child_death:report"))],
    from_: Annotated[dt.date | None, Query(alias="from")] = None,
    to: Annotated[dt.date | None, Query()] = None,
) -> Any:
    """The annual statistics of DOMAIN.md for a period (default: this calendar year); CSV with
    ``Accept: text/csv``."""
    today = runtime.today()
    start = from_ or dt.date(today.year, 1, 1)
    end = to or dt.date(today.year, 12, 31)
    if end < start:
        raise ValidationFailed.field(["query", "to"], "'to' is before 'from'")
    if (end - start).days > 3660:
        raise ValidationFailed.field(["query", "from"], "the period is limited to ten years")
    stats = reports.child_death_statistics(session, start, end)
    record(session, actor=principal.actor, action="child_death.report", subject_type=SUBJECT_TYPE,
           data={"from": start.isoformat(), "to": end.isoformat()})
    if "text/csv" in request.headers.get("accept", ""):
        return PlainTextResponse(
            reports.to_csv(stats), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="child-deaths-{start}-{end}.csv"'},
        )
    return stats
