"""Turns a bearer token into a Principal: built-in HS256 tokens, or OIDC RS256 tokens."""

from __future__ import annotations

from jose import jwt
from jose.exceptions import JOSEError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.principal import Principal
from core.auth.tokens import decode_access_token
from core.errors import Unauthorized
from core.settings import Settings


def principal_for_user(user: User) -> Principal:
    return Principal(
        subject=str(user.id),
        email=user.email,
        name=user.name,
        roles=frozenset(user.roles or ()),
        user_id=user.id,
        agency=user.agency,
    )


def authenticate(session: Session, settings: Settings, token: str) -> Principal:
    try:
        alg = jwt.get_unverified_header(token).get("alg")
    except JOSEError:
        raise Unauthorized("malformed token") from None
    if alg == "RS256" and settings.oidc_jwks_url:
        from core.auth.oidc import authenticate_oidc

        return authenticate_oidc(session, settings, token)
    claims = decode_access_token(settings, token)
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError):
        raise Unauthorized("invalid subject") from None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        # Deactivated users lose access at once: checked on every request.
        raise Unauthorized("user is not active")
    return principal_for_user(user)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.lower()))
