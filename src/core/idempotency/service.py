"""Idempotency-Key for public POSTs, stored in the same transaction as what it created.

- replay with the same body: the first response again, nothing new created;
- same key, different body: 422 naming the header;
- a retry while the first request is still in flight: 409 (PostgreSQL advisory lock; SQLite
  serialises writers, so it never sees one in flight).
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.session import SessionDep
from core.errors import Conflict, ValidationFailed
from core.idempotency.models import IdempotencyRecord

MAX_KEY_LENGTH = 200


class Idempotency:
    def __init__(self, request: Request, session: Session) -> None:
        self.session = session
        self.scope = request.url.path[:100]
        raw = request.headers.get("idempotency-key")
        if raw is not None:
            raw = raw.strip()
            if not raw or len(raw) > MAX_KEY_LENGTH or not raw.isprintable():
                raise ValidationFailed.field(
                    ["header", "Idempotency-Key"], f"must be 1 to {MAX_KEY_LENGTH} printable characters"
                )
        self.key = raw
        self.request_hash: str | None = None

    def replay(self, body: BaseModel | dict[str, Any]) -> JSONResponse | None:
        """Call before doing the work: a stored response to return, or None to go ahead."""
        if self.key is None:
            return None
        data = body.model_dump(mode="json") if isinstance(body, BaseModel) else jsonable_encoder(body)
        self.request_hash = hashlib.sha256(
            json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        if self.session.get_bind().dialect.name == "postgresql":
            got = self.session.execute(
                select(func.pg_try_advisory_xact_lock(func.hashtextextended(f"{self.scope}\n{self.key}", 0)))
            ).scalar_one()
            if not got:
                raise Conflict("a request with this Idempotency-Key is still being processed; retry shortly")
        rec = self.session.get(IdempotencyRecord, (self.scope, self.key))
        if rec is None:
            return None
        if rec.request_hash != self.request_hash:
            raise ValidationFailed.field(
                ["header", "Idempotency-Key"], "this key was used with a different request body"
            )
        return JSONResponse(rec.response, status_code=rec.status_code, headers={"Idempotent-Replayed": "true"})

    def remember(self, status_code: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
        """Store the response with the work (same transaction) and return it."""
        content = jsonable_encoder(body)
        if self.key is not None:
            self.session.add(IdempotencyRecord(scope=self.scope, key=self.key,
                                               request_hash=self.request_hash or "",
                                               status_code=status_code, response=content))
            self.session.flush()
        return JSONResponse(content, status_code=status_code, headers=headers)


def get_idempotency(request: Request, session: SessionDep) -> Idempotency:
    return Idempotency(request, session)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]


def purge_expired(session: Session, older_than_hours: int = 48) -> int:
    import datetime as dt

    from sqlalchemy import delete

    from core.db.base import utcnow

    cutoff = utcnow() - dt.timedelta(hours=older_than_hours)
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return int(result.rowcount or 0)


