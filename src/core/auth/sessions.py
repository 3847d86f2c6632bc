"""Server-side browser sessions of the staff app (API.md v1.1, "Browser sessions").

The browser holds a random session token in an HttpOnly, SameSite=Strict cookie; the server
stores only its SHA-256 hash (``core_auth_sessions``). Each request with the cookie reads the
session and its user in one statement and checks, in this order: the session exists and was
not ended, its absolute and idle limits, the user is active and their roles (and password
epoch) are those of the sign-in (:func:`user_fingerprint`), and for an unsafe method the
``X-CSRF-Token`` header. Bearer tokens are unaffected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from core.auth.identity import principal_for_user
from core.auth.models import AuthSession, User
from core.auth.principal import Principal
from core.db.base import UTCDateTime, utcnow
from core.errors import CsrfFailed, Unauthorized
from core.settings import Settings

COOKIE_NAME = "ecr_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_seen_at is written at most this often per session (one write per request otherwise);
# the idle limit is therefore honoured to within this many seconds.
TOUCH_EVERY = dt.timedelta(seconds=60)

_sessions = AuthSession.__table__
_users = User.__table__
_SESSION_ROW = (
    select(
        _sessions.c.id.label("session_id"), _sessions.c.last_seen_at, _sessions.c.expires_at,
        _sessions.c.csrf_token, _sessions.c.user_fingerprint, _sessions.c.ended_at,
        _users.c.id, _users.c.email, _users.c.name, _users.c.roles, _users.c.agency,
        _users.c.is_active, _users.c.tokens_valid_after,
    )
    .join(_users, _users.c.id == _sessions.c.user_id)
    .where(_sessions.c.token_hash == bindparam("token_hash"))
)
_TOUCH = (update(_sessions).where(_sessions.c.id == bindparam("b_id"))
          .values(last_seen_at=bindparam("b_now", type_=UTCDateTime())))


@dataclass(frozen=True)
class BrowserSession:
    id: int
    csrf_token: str
    expires_at: dt.datetime  # the earlier of the absolute limit and the idle limit


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def user_fingerprint(user: Any) -> str:
    """What must not change for a session to go on: roles, active flag, password epoch."""
    valid_after = user.tokens_valid_after
    payload = {
        "roles": sorted(str(r) for r in (user.roles or ())),
        "active": bool(user.is_active),
        "valid_after": valid_after.astimezone(dt.UTC).isoformat() if valid_after else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _idle(settings: Settings) -> dt.timedelta:
    return dt.timedelta(minutes=settings.session_idle_minutes)


def start_session(session: Session, settings: Settings, user: User) -> tuple[str, AuthSession]:
    """A new session for ``user``; returns the cookie's token (never stored) and the row."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = AuthSession(
        token_hash=hash_token(token), user_id=user.id, created_at=now, last_seen_at=now,
        expires_at=now + dt.timedelta(hours=settings.session_absolute_hours),
        csrf_token=secrets.token_urlsafe(32), user_fingerprint=user_fingerprint(user),
    )
    session.add(row)
    session.flush()
    return token, row


def end_session(session: Session, token: str) -> int | None:
    """Ends the session of ``token`` if it is open; returns its id."""
    now = utcnow()
    row = session.execute(
        select(_sessions.c.id).where(_sessions.c.token_hash == hash_token(token), _sessions.c.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    session.execute(update(_sessions).where(_sessions.c.id == row.id).values(ended_at=now))
    return int(row.id)


def end_user_sessions(session: Session, user_id: int) -> None:
    """Ends every open session of the user (deactivated, roles or password changed)."""
    session.execute(update(_sessions).where(_sessions.c.user_id == user_id, _sessions.c.ended_at.is_(None))
                    .values(ended_at=utcnow()))


def authenticate_session(session: Session, settings: Settings, token: str, method: str,
                         csrf_header: str | None) -> tuple[Principal, BrowserSession]:
    """The principal of a session cookie (see the module's docstring for the checks)."""
    if not token or len(token) > 200:
        raise Unauthorized("no valid session: sign in again")
    row = session.connection().execute(_SESSION_ROW, {"token_hash": hash_token(token)}).one_or_none()
    if row is None or row.ended_at is not None:
        raise Unauthorized("no valid session: sign in again")
    now = utcnow()
    idle_until = row.last_seen_at + _idle(settings)
    if now >= row.expires_at or now >= idle_until:
        raise Unauthorized("the session has expired: sign in again")
    if not row.is_active or not hmac.compare_digest(row.user_fingerprint, user_fingerprint(row)):
        # Deactivated, or roles changed since sign-in: the session is over.
        raise Unauthorized("the session has ended: sign in again")
    if method.upper() not in SAFE_METHODS:
        if not csrf_header or not hmac.compare_digest(csrf_header.encode(), row.csrf_token.encode()):
            raise CsrfFailed(f"an unsafe request with the session cookie needs the {CSRF_HEADER} header "
                             "from GET /api/v1/auth/session")
    if now - row.last_seen_at >= TOUCH_EVERY:
        session.connection().execute(_TOUCH, {"b_id": row.session_id, "b_now": now})
        idle_until = now + _idle(settings)
    info = BrowserSession(id=row.session_id, csrf_token=row.csrf_token,
                          expires_at=min(row.expires_at, idle_until))
    return principal_for_user(row), info


def set_session_cookie(response: Any, settings: Settings, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME, token, max_age=settings.session_absolute_hours * 3600, path="/",
        secure=settings.env != "development", httponly=True, samesite="strict",
    )


def clear_session_cookie(response: Any, settings: Settings) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", secure=settings.env != "development",
                           httponly=True, samesite="strict")


# A session row is of no use once it has ended or expired (sign-in and sign-out are in the audit
# trail); it is kept this long after, then deleted by the worker.
KEEP_DEAD_SESSIONS = dt.timedelta(days=1)


def purge_sessions(session: Session, _today: dt.date | None = None, *, now: dt.datetime | None = None) -> int:
    """Periodic job (registered by create_app): delete sessions ended or expired over a day ago."""
    cutoff = (now or utcnow()) - KEEP_DEAD_SESSIONS
    result = session.execute(
        _sessions.delete().where((_sessions.c.ended_at < cutoff) | (_sessions.c.expires_at < cutoff)))
    return int(result.rowcount or 0)
