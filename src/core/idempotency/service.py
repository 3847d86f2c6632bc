"""Idempotency-Key for public POSTs, stored in the same transaction as what it created.

- replay with the same body: the first response again (status, body and headers such as
  ``Location``, plus ``Idempotent-Replayed: true``), nothing new created;
- same key, different body: 422 naming the header;
- a retry while the first request is still in flight: 409 (PostgreSQL: a transaction-scoped
  advisory lock on the key, held until the first request commits or rolls back; SQLite
  serialises writers with BEGIN IMMEDIATE, so the retry waits and then replays).

Keys are scoped to the request path. A path that carries a secret (a single-use link token)
is stored as its route template plus a hash, never in clear. Records older than
``RETENTION_HOURS`` are purged by the periodic job ``idempotency.purge``.
"""

from __future__ import annotations

import datetime as dt
import base64
import hashlib
import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from cryptography.fernet import Fernet, InvalidToken
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from core.db.base import utcnow
from core.db.session import SessionDep
from core.errors import Conflict, ValidationFailed
from core.idempotency.models import IdempotencyRecord

_RECORDS = IdempotencyRecord.__table__
_FIND = select(_RECORDS.c.request_hash, _RECORDS.c.status_code, _RECORDS.c.response).where(
    _RECORDS.c.scope == bindparam("scope"), _RECORDS.c.key == bindparam("key"))
_INSERT = _RECORDS.insert()
# transaction-scoped: held until the request commits or rolls back, and only by this key
_TRY_LOCK = select(func.pg_try_advisory_xact_lock(func.hashtextextended(bindparam("lock_key"), 0)))
MAX_KEY_LENGTH = 200
MAX_SCOPE_LENGTH = 100
RETENTION_HOURS = 48
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers worth giving back on a replay (never Set-Cookie or anything per-request).
_KEPT_HEADERS = {"location", "etag", "content-location"}
_STORED_FORMAT = "ecr-idem-v2"
# Responses are sealed (Fernet, key derived from ECR_SECRET_KEY): a replayed receipt may hold a
# status token, which must not sit in the database in clear.
_SEALED_FORMAT = "ecr-idem-v3"


@lru_cache(maxsize=8)
def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(b"ecr-idempotency-responses\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def request_scope(request: Request) -> str:
    """The path, or for a path with parameters the route template and a hash of the path.
    (Parameters are told by the template, not by comparing it with the path: the template of a
    route in an included router does not carry the router's prefix.)"""
    path = request.url.path
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    if template and "{" in template:
        digest = hashlib.sha256(path.encode()).hexdigest()[:32]
        scope = f"{template}#{digest}"
        if len(scope) <= MAX_SCOPE_LENGTH:
            return scope
    if len(path) <= MAX_SCOPE_LENGTH:
        return path
    return f"{path[:MAX_SCOPE_LENGTH - 65]}#{hashlib.sha256(path.encode()).hexdigest()}"


def body_hash(body: BaseModel | dict[str, Any] | Any) -> str:
    data = body.model_dump(mode="json") if isinstance(body, BaseModel) else jsonable_encoder(body)
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class Idempotency:
    def __init__(self, request: Request, session: Session) -> None:
        self.session = session
        self.fernet = _fernet(request.app.state.settings.secret_key)
        self.scope = request_scope(request)
        raw = request.headers.get("idempotency-key")
        if raw is not None:
            raw = raw.strip()
            if not raw or len(raw) > MAX_KEY_LENGTH or not raw.isprintable() or not raw.isascii():
                raise ValidationFailed.field(
                    ["header", "Idempotency-Key"],
                    f"must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
                )
        self.key = raw
        self.request_hash: str | None = None

    def replay(self, body: BaseModel | dict[str, Any]) -> JSONResponse | None:
        """Call before doing the work: a stored response to return, or None to go ahead."""
        if self.key is None:
            return None
        self.request_hash = body_hash(body)
        # Core statements on the session's connection (no ORM identity map for a row that is
        # only read once). The advisory lock is per key: distinct keys never wait for each other.
        conn = self.session.connection()
        if conn.dialect.name == "postgresql":
            got = conn.execute(_TRY_LOCK, {"lock_key": f"{self.scope}\n{self.key}"}).scalar_one()
            if not got:
                raise Conflict(
                    "a request with this Idempotency-Key is still being processed; retry shortly",
                    headers={"Retry-After": "1"},
                )
        rec = conn.execute(_FIND, {"scope": self.scope, "key": self.key}).first()
        if rec is None:
            return None
        if rec.request_hash != self.request_hash:
            raise ValidationFailed.field(
                ["header", "Idempotency-Key"], "this key was used with a different request body"
            )
        stored = rec.response
        headers: dict[str, str] = {}
        content: Any = stored
        if isinstance(stored, dict) and stored.get("format") == _SEALED_FORMAT:
            try:
                stored = json.loads(self.fernet.decrypt(str(stored.get("sealed", "")).encode()))
            except (InvalidToken, ValueError):
                # e.g. the secret key was rotated: the first answer cannot be given back.
                raise Conflict("this Idempotency-Key was used before and its answer can no longer "
                               "be replayed; send the request with a new key") from None
            content, headers = stored.get("body"), dict(stored.get("headers") or {})
        elif isinstance(stored, dict) and stored.get("format") == _STORED_FORMAT:
            content, headers = stored.get("body"), dict(stored.get("headers") or {})
        headers[REPLAYED_HEADER] = "true"
        return JSONResponse(content, status_code=rec.status_code, headers=headers)

    def remember(self, status_code: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
        """Store the response with the work (same transaction) and return it."""
        content = jsonable_encoder(body)
        if self.key is not None:
            kept = {k: v for k, v in (headers or {}).items() if k.lower() in _KEPT_HEADERS}
            self.session.flush()  # the work first (objects a caller left pending), then the key
            self.session.connection().execute(_INSERT, {
                "scope": self.scope, "key": self.key, "request_hash": self.request_hash or "",
                "status_code": status_code,
                "response": {"format": _SEALED_FORMAT, "sealed": self.fernet.encrypt(
                    json.dumps({"body": content, "headers": kept}).encode()).decode()},
            })
        return JSONResponse(content, status_code=status_code, headers=headers)


async def get_idempotency(request: Request, session: SessionDep) -> Idempotency:
    # SessionDep exactly: the same (function-scoped) session as the endpoint's, so the key is
    # stored in the same transaction as the notification. async: it does no I/O (the session's
    # first statement is in replay(), in the endpoint's thread), so no threadpool hop.
    return Idempotency(request, session)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]


def purge_expired(session: Session, older_than_hours: int = RETENTION_HOURS) -> int:
    cutoff = utcnow() - dt.timedelta(hours=older_than_hours)
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_job(session: Session, _today: dt.date) -> int:
    """Periodic job (registered by create_app): drop records past the retention period."""
    return purge_expired(session)
