"""Operations the case review module provides to other modules (``core.interop``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from core import interop
from core.errors import ValidationFailed
from ecr import repository as repo
from ecr import service
from ecr.schemas import ChildIn, Line, Para
from ecr.workflow import PastDate, regime_of


class _Incident(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    date: PastDate
    type: str = "death"
    description: Para(10000)


class _Child(ChildIn):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    child_death_reference: Line(40)
    child: _Child
    incident: _Incident
    # the panel's own words: not held to the public form's "a few words" rule
    rationale: Para(10000)
    referred_by: Line(200)


def create_referral(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """A case review notification referred by the Child Death Overview Panel. Repeating the
    call for the same child death returns the notification already made."""
    try:
        data = ReferralIn.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed([
            {"loc": ["referral", *err["loc"]], "msg": err["msg"]} for err in exc.errors()
        ]) from None
    existing = repo.find_referral(session, data.child_death_reference)
    if existing is not None:
        return {"id": existing.id, "reference": existing.reference, "status": existing.status}
    from ecr.schemas import IncidentIn, NotifierIn, PublicNotificationIn

    body = PublicNotificationIn.model_construct(
        notifier=NotifierIn.model_construct(name=data.referred_by, email=None,
                                            agency="Child Death Overview Panel", role=None,
                                            phone=None),
        child=ChildIn.model_construct(**data.child.model_dump()),
        incident=IncidentIn.model_construct(date=data.incident.date, type="death",
                                            description=data.incident.description),
        rationale=data.rationale,
        abuse_or_neglect_suspected=None,
        agencies_involved=[],
    )
    case, _ = service.create_notification(
        session, body, source="cdop_referral", actor="module:child_death",
        actor_name=data.referred_by, with_token=False,
        child_death_reference=data.child_death_reference, referred_by=data.referred_by,
    )
    return {"id": case.id, "reference": case.reference, "status": case.status}


def status(session: Session, payload: dict[str, Any]) -> dict[str, Any] | None:
    reference = payload.get("reference")
    if not isinstance(reference, str) or len(reference) > 40:
        return None
    case = repo.get_by_reference(session, reference)
    if case is None:
        return None
    return {"reference": case.reference, "status": case.status, "decision": case.decision,
            "stage": regime_of(case).public_stages.get(case.status)}


def register() -> None:
    interop.provide("case_review.create_referral", create_referral)
    interop.provide("case_review.status", status)
