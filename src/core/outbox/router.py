from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from core.auth.deps import require
from core.db.session import SessionDep
from core.outbox.models import OutboxMessage
from core.pagination import CursorQuery, Page, decode_id_cursor, encode_cursor

router = APIRouter(tags=["operations"])
OutboxStatus = Literal["pending", "sent", "failed"]


class OutboxOut(BaseModel):
    """Delivery state only: staff see that an email failed and why, not its content."""

    id: int
    topic: str | None
    status: OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


@router.get("/outbox", response_model=Page[OutboxOut], dependencies=[Depends(require("outbox:read"))])
def list_outbox(
    session: SessionDep,
    status: Annotated[OutboxStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit + 1)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if cursor:
        stmt = stmt.where(OutboxMessage.id < decode_id_cursor(cursor))
    rows = list(session.execute(stmt).scalars())
    return {"items": rows[:limit], "next_cursor": encode_cursor(rows[limit - 1].id) if len(rows) > limit else None}
