from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, JsonValue
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.audit.service import record, verify
from core.auth.deps import require
from core.auth.principal import Principal
from core.db.session import SessionDep
from core.pagination import MAX_BIGINT_ID, CursorQuery, Page, decode_id_cursor, encode_cursor
from core.types import DateTimeText

router = APIRouter(tags=["audit"])


class AuditEventOut(BaseModel):
    id: int
    seq: int | None = Field(description="place in the hash chain; null until the sealer chains the event")
    at: dt.datetime
    actor: str
    action: str
    subject_type: str | None
    subject_id: str | None
    request_id: str | None
    data: dict[str, JsonValue] = Field(
        description="identifiers, field names and state names only: never case content")
    hash: str | None


def _utc(value: dt.datetime) -> dt.datetime:
    """A time without an offset is taken as UTC (the API's timestamps are all UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@router.get("/audit", response_model=Page[AuditEventOut])
def list_audit(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("audit:read"))],
    case: Annotated[str | None, Query(max_length=64, description="subject id, or type:id")] = None,
    subject_type: Annotated[str | None, Query(max_length=50)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    from_: Annotated[DateTimeText | None, Query(alias="from")] = None,
    to: Annotated[DateTimeText | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if case:
        if ":" in case:
            st, sid = case.split(":", 1)
            stmt = stmt.where(AuditEvent.subject_type == st, AuditEvent.subject_id == sid)
        else:
            stmt = stmt.where(AuditEvent.subject_id == case)
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if from_:
        stmt = stmt.where(AuditEvent.at >= _utc(from_))
    if to:
        stmt = stmt.where(AuditEvent.at < _utc(to))
    if cursor:
        stmt = stmt.where(AuditEvent.id < decode_id_cursor(cursor, MAX_BIGINT_ID))
    rows = list(session.execute(stmt).scalars())
    items = rows[:limit]
    record(session, actor=principal.actor, action="audit.read", data={"count": len(items)})
    return {
        "items": [AuditEventOut.model_validate(r, from_attributes=True) for r in items],
        "next_cursor": encode_cursor(items[-1].id) if len(rows) > limit else None,
    }


class VerifyOut(BaseModel):
    ok: bool
    events_checked: int
    unsealed: int = Field(0, description="events recorded but not chained yet (deferred sealing): not checked")
    oldest_unsealed_at: dt.datetime | None = None
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str | None = None


@router.get("/audit/verify", response_model=VerifyOut, response_model_exclude_none=True)
def verify_audit(
    session: SessionDep, principal: Annotated[Principal, Depends(require("audit:read"))]
) -> dict[str, Any]:
    return verify(session).as_dict()
