"""Built-in access tokens: HS256 through python-jose, with exp, iat, sub, aud and iss required."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError

from core.errors import Unauthorized
from core.settings import Settings

ALGORITHMS = ["HS256"]
REQUIRED_CLAIMS = ("exp", "iat", "sub", "aud", "iss")
LEEWAY_SECONDS = 30


def issue_access_token(settings: Settings, subject: str, extra: dict[str, Any] | None = None) -> str:
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(minutes=settings.access_token_minutes)).timestamp()),
        "aud": settings.token_audience,
        "iss": settings.token_issuer,
        "jti": uuid.uuid4().hex,
        "typ": "access",
    }
    claims.update(extra or {})
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


def decode_access_token(settings: Settings, token: str) -> dict[str, Any]:
    return decode_signed(
        token,
        settings.secret_key,
        audience=settings.token_audience,
        issuer=settings.token_issuer,
        expected_type="access",
    )


def decode_signed(
    token: str,
    key: Any,
    *,
    audience: str,
    issuer: str,
    algorithms: list[str] | None = None,
    expected_type: str | None = None,
) -> dict[str, Any]:
    """Decode with a fixed algorithm list and all five registered claims required."""
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError:
        raise Unauthorized("malformed token") from None
    algs = algorithms or ALGORITHMS
    if header.get("alg") not in algs:
        raise Unauthorized("token algorithm not accepted")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algs,
            audience=audience,
            issuer=issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
                "leeway": LEEWAY_SECONDS,
            },
        )
    except (JOSEError, TypeError, ValueError, OverflowError):
        # TypeError/ValueError: a signed token whose claims have the wrong shape (exp: [1]).
        raise Unauthorized("invalid or expired token") from None
    for claim in REQUIRED_CLAIMS:
        if claims.get(claim) in (None, ""):
            raise Unauthorized(f"token lacks {claim}")
    if expected_type is not None and claims.get("typ") != expected_type:
        raise Unauthorized("wrong token type")
    return claims
