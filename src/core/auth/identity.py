"""Turns a bearer token into a Principal: built-in HS256 tokens, or OIDC RS256 tokens."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.principal import Principal
from core.auth.tokens import LEEWAY_SECONDS, decode_access_token
from core.errors import Unauthorized
from core.settings import Settings


def principal_for_user(user: Any) -> Principal:
    """From a User entity or a row with the same attribute names."""
    return Principal(
        subject=str(user.id),
        email=user.email,
        name=user.name,
        roles=frozenset(user.roles or ()),
        user_id=user.id,
        agency=user.agency,
    )


class _VerifiedTokens:
    """Claims of built-in tokens whose signature and claims were already checked, so a client
    sending the same token on every request pays for one HMAC check, not one per request.
    Keyed by (secret, token); an entry is only used until the token's ``exp`` (with the same
    leeway as the first check). Bounded: the oldest entries go first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        with self._lock:
            claims = self._items.get(key)
            if claims is None:
                return None
            if claims["exp"] + LEEWAY_SECONDS < time.time():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return claims

    def put(self, key: tuple[str, str], claims: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = claims
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_verified = _VerifiedTokens()
_users = User.__table__
# Built once, the id a parameter; executed on the session's connection (a Core statement needs
# none of the ORM's execution path): the principal needs seven values, not an entity.
_PRINCIPAL_ROW = select(
    _users.c.id, _users.c.email, _users.c.name, _users.c.roles, _users.c.agency, _users.c.is_active,
    _users.c.tokens_valid_after,
).where(_users.c.id == bindparam("user_id"))


def authenticate(session: Session, settings: Settings, token: str) -> Principal:
    key = (settings.secret_key, token)
    claims = _verified.get(key)
    if claims is None:
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except JOSEError:
            raise Unauthorized("malformed token") from None
        if alg == "RS256" and settings.oidc_jwks_url:
            from core.auth.oidc import authenticate_oidc

            return authenticate_oidc(session, settings, token)
        claims = decode_access_token(settings, token)
        if not isinstance(claims.get("exp"), int | float) or not isinstance(claims.get("iat"), int | float):
            raise Unauthorized("invalid or expired token")
        _verified.put(key, claims)
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError):
        raise Unauthorized("invalid subject") from None
    user = session.connection().execute(_PRINCIPAL_ROW, {"user_id": user_id}).one_or_none()
    if user is None or not user.is_active:
        # Deactivated users lose access at once: checked on every request.
        raise Unauthorized("user is not active")
    if user.tokens_valid_after is not None and claims["iat"] < user.tokens_valid_after.timestamp():
        raise Unauthorized("token was issued before the password was changed: sign in again")
    return principal_for_user(user)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.lower()))
