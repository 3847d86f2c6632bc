"""Public routes (no login): the child death notification and the single-use reporting form
link emailed to an agency contact."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from core.audit import record
from core.auth.deps import public
from core.db.session import SessionDep
from core.http.ratelimit import public_rate_limited
from core.idempotency.service import IdempotencyDep
from core.settings import Settings
from cdop import forms, runtime, service
from cdop.domain import SUBJECT_TYPE
from cdop.schemas import NotificationIn, NotificationReceipt, ReportingFormSubmit

router = APIRouter(prefix="/public", tags=["public"])
Token = Annotated[str, Path()]  # anything malformed, used or expired answers 404
AppSettings = Annotated[Settings, Depends(runtime.use_settings)]


@router.post("/child-death-notifications", status_code=201, response_model=NotificationReceipt,
             dependencies=[Depends(public_rate_limited)])
def notify_child_death(body: NotificationIn, session: SessionDep, idem: IdempotencyDep,
                       settings: AppSettings) -> Any:
    """Notify the death of a child under 18. The notifier is emailed a receipt with the
    reference. Accepts ``Idempotency-Key``."""
    if (replayed := idem.replay(body)) is not None:
        return replayed
    case = service.create_notification(session, settings, body, source="public", actor="public")
    return idem.remember(201, {"reference": case.reference, "status": case.status})


@router.get("/reporting-forms/{token}", dependencies=[Depends(public)])
def view_reporting_form(token: Token, session: SessionDep, settings: AppSettings) -> dict[str, Any]:
    """The reporting form a single-use link points at: CDOP reference, agency, due date,
    sections and the child's age band only. A used, expired or altered link: 404."""
    req, case = forms.resolve_public(session, settings, token)
    record(session, actor=forms.link_actor(req), action="reporting_form.link_opened",
           subject_type=SUBJECT_TYPE, subject_id=case.id, data={"request_id": req.id})
    view = forms.agency_view(case, req, runtime.today())
    view.pop("form_id", None)
    return view


@router.post("/reporting-forms/{token}", dependencies=[Depends(public_rate_limited)])
def submit_reporting_form_by_link(token: Token, body: ReportingFormSubmit, session: SessionDep,
                                  settings: AppSettings) -> dict[str, Any]:
    """Submit the form once: ``{answers: {section: text}, not_known: [section]}``, every
    section answered or marked not known. After that the link is dead (404); the coordinator
    can send a fresh link if needed."""
    req, case = forms.resolve_public(session, settings, token, lock=True)
    forms.submit_form(session, req, body, forms.link_actor(req))
    return {"reference": case.reference, "agency": req.agency, "status": req.status,
            "submitted_at": req.submitted_at}
