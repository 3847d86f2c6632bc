"""Public endpoints of the case review module (no login): the notification form's API and the
notifier's status lookup. Thin: parse, call the service, return."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path

from core.auth.deps import public
from core.db.session import SessionDep
from core.http.ratelimit import public_rate_limited
from core.idempotency.service import IdempotencyDep
from ecr import service
from ecr.schemas import PublicNotificationIn, PublicReceipt, PublicStatus

router = APIRouter(tags=["public"])


@router.post("/public/case-review-notifications", status_code=201,
             response_model=PublicReceipt, dependencies=[Depends(public_rate_limited)])
def post_public_notification(body: PublicNotificationIn, session: SessionDep,
                             idem: IdempotencyDep) -> Any:
    """A case review notification from a professional, with no login. Keep the
    ``status_token``: with the reference it shows the progress of the notification."""
    if (replayed := idem.replay(body)) is not None:
        return replayed
    receipt = service.public_notification(session, body)
    return idem.remember(201, receipt,
                         headers={"Location": f"/api/v1/public/case-review-notifications/"
                                              f"{receipt['reference']}/status"})


@router.get("/public/case-review-notifications/{reference}/status",
            response_model=PublicStatus, dependencies=[Depends(public)])
def get_public_status(
    reference: Annotated[str, Path(max_length=40)], session: SessionDep,
    x_status_token: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """The coarse stage and the decision; a wrong or missing ``X-Status-Token`` is a 404."""
    return service.public_status(session, reference, x_status_token)
