"""HTTP endpoints of the case review module for staff: thin (parse, call the service,
return), every route declares its permission. The public endpoints are in public.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from pydantic import WithJsonSchema

from core.auth.deps import require
from core.auth.principal import Principal
from core.db.session import SessionDep
from core.workflow.schema import TransitionOption
from core.pagination import DEFAULT_LIMIT, MAX_INT_ID, MAX_LIMIT, CursorQuery, Page
from ecr import service
from ecr import repository as repo
from ecr.domain import DECISIONS
from ecr.schemas import (
    AgencyReportCreate,
    AgencyReportOut,
    AgencyReportSubmit,
    CaseReviewOut,
    CaseReviewPatch,
    CaseReviewReport,
    CaseReviewSummary,
    HistoryOut,
    IsoDate,
    LinkIn,
    RecommendationCreate,
    RecommendationOut,
    RecommendationPatch,
    StaffNotificationIn,
    WaiveIn,
)
from ecr.workflow import REGIMES

router = APIRouter(tags=["case reviews"])

# the states of every regime (a case keeps the regime it began with)
State = Literal[tuple(dict.fromkeys(s for r in REGIMES.values() for s in r.workflow.states))]  # type: ignore[valid-type]
DecisionFilter = Literal[(*DECISIONS, "pending")]  # type: ignore[valid-type]
# If-Match is required (API.md: 428 without it, 412 when stale). Read as optional so that a
# missing header is the 428 of the contract rather than a 422; OpenAPI states it required.
IfMatch = Annotated[str | None, Header(max_length=200, include_in_schema=False)]
NEEDS_IF_MATCH: dict[str, Any] = {"parameters": [{
    "name": "If-Match", "in": "header", "required": True,
    "description": "the ETag you last read (428 without it, 412 when the resource has changed)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}]}
Id = Annotated[int, Path(ge=1, le=MAX_INT_ID)]


CanRead = Annotated[Principal, Depends(require("case_review:read"))]
CanCreate = Annotated[Principal, Depends(require("case_review:create"))]
CanUpdate = Annotated[Principal, Depends(require("case_review:update"))]
CanTransition = Annotated[Principal, Depends(require("case_review:transition"))]
CanManageReviews = Annotated[Principal, Depends(require("case_review:manage_reviews"))]
CanReport = Annotated[Principal, Depends(require("case_review:report"))]
CanReadAgencyReport = Annotated[Principal, Depends(require("agency_report:read"))]
CanSubmitAgencyReport = Annotated[Principal, Depends(require("agency_report:submit"))]


# ---- case reviews -------------------------------------------------------------------------

@router.get("/case-reviews", response_model=Page[CaseReviewSummary])
def list_case_reviews(
    session: SessionDep,
    principal: CanRead,
    status: Annotated[list[State], Query(max_length=20)] = [],  # type: ignore[valid-type]  # noqa: B006
    decision: DecisionFilter | None = None,
    overdue: bool | None = None,
    received_from: Annotated[IsoDate | None, Query()] = None,
    received_to: Annotated[IsoDate | None, Query()] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    meeting_id: Annotated[int | None, Query(ge=1, le=MAX_INT_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    filters = repo.CaseFilters(status=list(dict.fromkeys(status)), decision=decision,
                               overdue=overdue, received_from=received_from,
                               received_to=received_to, q=q.strip() if q else None,
                               meeting_id=meeting_id)
    return service.list_page(session, principal, filters, limit, cursor)


@router.post("/case-reviews", status_code=201, response_model=CaseReviewOut)
def create_case_review(body: StaffNotificationIn, session: SessionDep, response: Response,
                       principal: CanCreate) -> dict[str, Any]:
    """A notification that arrived by another channel (email, phone, letter)."""
    case, out = service.create_staff(session, body, principal)
    response.headers["ETag"] = case.etag
    response.headers["Location"] = f"/api/v1/case-reviews/{case.id}"
    return out


@router.get("/case-reviews/{case_id}", response_model=CaseReviewOut)
def get_case_review(case_id: Id, session: SessionDep, response: Response,
                    principal: CanRead) -> dict[str, Any]:
    case, out = service.read_case(session, principal, case_id)
    response.headers["ETag"] = case.etag
    return out


@router.patch("/case-reviews/{case_id}", response_model=CaseReviewOut, openapi_extra=NEEDS_IF_MATCH)
def patch_case_review(case_id: Id, body: CaseReviewPatch, session: SessionDep,
                      response: Response, principal: CanUpdate,
                      if_match: IfMatch = None) -> dict[str, Any]:
    """Edit the case's fields (never its status). Needs ``If-Match``."""
    case, out = service.patch_case(session, principal, case_id, body, if_match)
    response.headers["ETag"] = case.etag
    return out


@router.get("/case-reviews/{case_id}/transitions", response_model=list[TransitionOption])
def get_transitions(case_id: Id, session: SessionDep, response: Response,
                    principal: CanRead) -> list[dict[str, Any]]:
    case, out = service.transitions_for(session, principal, case_id)
    response.headers["ETag"] = case.etag
    return out


@router.post("/case-reviews/{case_id}/transitions", response_model=CaseReviewOut,
             openapi_extra=NEEDS_IF_MATCH)
def post_transition(
    case_id: Id, session: SessionDep, response: Response,
    principal: CanTransition,
    payload: Annotated[dict[str, Any], WithJsonSchema(service.TRANSITION_BODY_SCHEMA),
                       Body(examples=[{"action": "start_screening"},
                                      {"action": "recommend_scr", "rationale": "..."}])],
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Take an action of the workflow (see ``GET /workflows/case-review``). Needs ``If-Match``."""
    case, out = service.transition(session, principal, case_id, payload, if_match)
    response.headers["ETag"] = case.etag
    return out


@router.get("/case-reviews/{case_id}/history", response_model=list[HistoryOut])
def get_history(case_id: Id, session: SessionDep,
                principal: CanRead) -> list[dict[str, Any]]:
    return service.history(session, principal, case_id)


@router.post("/case-reviews/{case_id}/links", response_model=CaseReviewOut)
def link_case(case_id: Id, body: LinkIn, session: SessionDep, response: Response,
              principal: CanManageReviews) -> dict[str, Any]:
    """Review this notification together with another one (a thematic review)."""
    case, out = service.link_cases(session, principal, case_id, body.case_id)
    response.headers["ETag"] = case.etag
    return out


@router.delete("/case-reviews/{case_id}/links/{other_id}", response_model=CaseReviewOut)
def unlink_case(case_id: Id, other_id: Id, session: SessionDep, response: Response,
                principal: CanManageReviews) -> dict[str, Any]:
    case, out = service.unlink_case(session, principal, case_id, other_id)
    response.headers["ETag"] = case.etag
    return out


# ---- agency reports -----------------------------------------------------------------------

@router.post("/case-reviews/{case_id}/agency-reports", status_code=201,
             response_model=AgencyReportOut)
def request_agency_report(case_id: Id, body: AgencyReportCreate, session: SessionDep,
                          principal: CanManageReviews) -> dict[str, Any]:
    return service.request_agency_report(session, principal, case_id, body)


@router.get("/case-reviews/{case_id}/agency-reports", response_model=list[AgencyReportOut])
def list_agency_reports(case_id: Id, session: SessionDep,
                        principal: CanRead) -> list[dict[str, Any]]:
    return service.list_agency_reports(session, principal, case_id)


@router.get("/case-reviews/{case_id}/agency-reports/{report_id}", response_model=AgencyReportOut)
def get_agency_report(case_id: Id, report_id: Id, session: SessionDep,
                      principal: CanReadAgencyReport) -> dict[str, Any]:
    return service.read_agency_report(session, principal, case_id, report_id)


@router.post("/case-reviews/{case_id}/agency-reports/{report_id}/submit",
             response_model=AgencyReportOut)
def submit_agency_report(case_id: Id, report_id: Id, body: AgencyReportSubmit,
                         session: SessionDep,
                         principal: CanSubmitAgencyReport) -> dict[str, Any]:
    """By the assigned agency author (another author gets 404) or the business unit."""
    return service.submit_agency_report(session, principal, case_id, report_id, body)


@router.get("/agency-reports/mine", response_model=Page[AgencyReportOut])
def my_agency_reports(
    session: SessionDep, principal: CanSubmitAgencyReport,
    open_only: bool = True,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Any:
    """The case review agency reports assigned to the caller (the agency author's list; the
    business unit has none assigned): still awaited unless ``open_only=false``."""
    return service.my_agency_reports(session, principal, open_only=open_only, limit=limit, cursor=cursor)


@router.put("/agency-reports/mine/{report_id}/draft", response_model=AgencyReportOut)
def save_my_agency_report_draft(report_id: Id, body: AgencyReportSubmit, session: SessionDep,
                                principal: CanSubmitAgencyReport) -> Any:
    """Save a draft of an agency report assigned to the caller: any of its sections (answered or
    not known), replacing the previous draft; nothing is submitted. Submitted or waived: 409;
    someone else's report or a closed case: 404."""
    return service.save_my_agency_report_draft(session, principal, report_id, body)


@router.post("/case-reviews/{case_id}/agency-reports/{report_id}/waive",
             response_model=AgencyReportOut)
def waive_agency_report(case_id: Id, report_id: Id, body: WaiveIn, session: SessionDep,
                        principal: CanManageReviews) -> dict[str, Any]:
    return service.waive_agency_report(session, principal, case_id, report_id, body.reason)


# ---- recommendations ----------------------------------------------------------------------

@router.post("/case-reviews/{case_id}/recommendations", status_code=201,
             response_model=RecommendationOut)
def create_recommendation(case_id: Id, body: RecommendationCreate, session: SessionDep,
                          response: Response,
                          principal: CanManageReviews) -> dict[str, Any]:
    rec, out = service.create_recommendation(session, principal, case_id, body)
    response.headers["ETag"] = rec.etag
    return out


@router.get("/case-reviews/{case_id}/recommendations", response_model=list[RecommendationOut])
def list_recommendations(case_id: Id, session: SessionDep,
                         principal: CanRead) -> list[dict[str, Any]]:
    return service.list_recommendations(session, principal, case_id)


@router.patch("/case-reviews/{case_id}/recommendations/{rec_id}", response_model=RecommendationOut,
              openapi_extra=NEEDS_IF_MATCH)
def patch_recommendation(case_id: Id, rec_id: Id, body: RecommendationPatch,
                         session: SessionDep, response: Response,
                         principal: CanManageReviews,
                         if_match: IfMatch = None) -> dict[str, Any]:
    """Update a recommendation and its action plan (items with an ``id`` are updated, items
    without one are added). Needs ``If-Match`` with the recommendation's ETag."""
    rec, out = service.patch_recommendation(session, principal, case_id, rec_id, body, if_match)
    response.headers["ETag"] = rec.etag
    return out


# ---- reports ------------------------------------------------------------------------------

@router.get("/reports/case-reviews", response_model=CaseReviewReport,
            responses={200: {"content": {"text/csv": {}}}})
def case_review_report(
    request: Request, session: SessionDep, principal: CanReport,
    from_: Annotated[IsoDate, Query(alias="from")],
    to: Annotated[IsoDate, Query()],
) -> Any:
    """Figures for notifications received in the period (inclusive); CSV with
    ``Accept: text/csv``."""
    report = service.case_review_report(session, principal, from_, to)
    if "text/csv" in request.headers.get("accept", ""):
        return Response(service.report_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="case-reviews-{from_}-{to}.csv"'})
    return report
