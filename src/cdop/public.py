"""Public routes (no login): the child death notification and the single-use reporting form
link emailed to an agency contact. Parse, call the service, return."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from core.auth.deps import public
from core.db.session import SessionDep
from core.http.ratelimit import public_rate_limited
from core.idempotency.service import IdempotencyDep
from core.settings import Settings
from cdop import config, service
from cdop.schemas import (
    NotificationIn,
    NotificationReceipt,
    PublicFormView,
    PublicSubmittedForm,
    ReportingFormSubmit,
)

router = APIRouter(prefix="/public", tags=["public"])
# anything malformed, used or expired answers 404
Token = Annotated[str, Path(max_length=4096, description="the single-use token from the email")]
AppSettings = Annotated[Settings, Depends(config.use_settings)]


@router.post("/child-death-notifications", status_code=201, response_model=NotificationReceipt,
             dependencies=[Depends(public_rate_limited)])
def notify_child_death(body: NotificationIn, session: SessionDep, idem: IdempotencyDep,
                       settings: AppSettings) -> Any:
    """Notify the death of a child under 18. The notifier is emailed a receipt with the
    reference. Accepts ``Idempotency-Key``."""
    if (replayed := idem.replay(body)) is not None:
        return replayed
    return idem.remember(201, service.public_notification(session, settings, body))


@router.get("/reporting-forms/{token}", response_model=PublicFormView, dependencies=[Depends(public)])
def view_reporting_form(token: Token, session: SessionDep, settings: AppSettings) -> Any:
    """The reporting form a single-use link points at: CDOP reference, agency, due date, the
    definitions of the forms asked for and the child's age band only. A used, expired or
    altered link: 404."""
    return service.open_public_form(session, settings, token)


@router.post("/reporting-forms/{token}", response_model=PublicSubmittedForm,
             dependencies=[Depends(public_rate_limited)])
def submit_reporting_form_by_link(token: Token, body: ReportingFormSubmit, session: SessionDep,
                                  settings: AppSettings) -> Any:
    """Submit the form once (``ReportingFormSubmit``): every question of the forms the request
    asked for, in their versions, answered or marked not known (conditional questions only when
    their condition holds; 422 naming ``answers.form.question``). After that the link is dead
    (404); the coordinator can send a fresh link if needed."""
    return service.submit_public(session, settings, token, body)
