"""Bearer tokens from a configured OpenID Connect issuer: RS256, keys from its JWKS.

* The signing key is chosen by the token's ``kid`` from a cached JWKS (``ECR_OIDC_JWKS_URL``).
* An unknown ``kid`` refreshes the cache, at most once per ``ECR_OIDC_JWKS_REFRESH_SECONDS``
  (key rotation is picked up; a flood of made-up ``kid`` values never floods the issuer).
* ``iss``, ``aud``, ``exp``, ``iat`` and ``sub`` are required (:func:`core.auth.tokens.decode_signed`).
* Roles come from the claim named by ``ECR_OIDC_ROLES_CLAIM`` (a dotted path such as
  ``realm_access.roles`` is followed); names that are not roles of this service are dropped.
* A local user with the token's (verified) email links the caller to that user; a deactivated
  local user is refused.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from jose import jwt
from jose.exceptions import JOSEError
from sqlalchemy.orm import Session

from core.auth.principal import Principal
from core.auth.roles import ALL_ROLES
from core.auth.tokens import decode_signed
from core.errors import ServiceUnavailable, Unauthorized
from core.settings import Settings

log = logging.getLogger("core.auth.oidc")

ALGORITHMS = ["RS256"]
FETCH_TIMEOUT_SECONDS = 5.0
MAX_JWKS_BYTES = 512 * 1024


def _http_get_json(url: str) -> Any:
    """Fetch the JWKS document (replaceable in tests; the tests use a real local server)."""
    with httpx.Client(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False) as client:
        response = client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_JWKS_BYTES:
            raise ValueError("JWKS document too large")
        return response.json()


fetch_jwks: Callable[[str], Any] = _http_get_json


class JwksCache:
    """The signing keys of one issuer, by ``kid``. Safe to share between threads."""

    def __init__(self, url: str, refresh_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.refresh_seconds = max(0.0, float(refresh_seconds))
        self.clock = clock
        self._keys: dict[str | None, dict[str, Any]] = {}
        self._last_fetch: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0  # how many times the JWKS was fetched (for tests and metrics)

    def _due(self) -> bool:
        return self._last_fetch is None or self.clock() - self._last_fetch >= self.refresh_seconds

    def _refresh(self) -> None:
        """Fetch the JWKS; called with the lock held. Counts as a fetch even if it fails."""
        self._last_fetch = self.clock()
        self.fetches += 1
        try:
            document = fetch_jwks(self.url)
        except Exception as exc:  # noqa: BLE001 - network, HTTP status or JSON errors
            log.warning("could not fetch the OIDC JWKS", extra={"error": type(exc).__name__})
            raise ServiceUnavailable("the identity provider's signing keys are not available") from None
        keys: dict[str | None, dict[str, Any]] = {}
        for key in (document or {}).get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(key, dict) or key.get("kty") != "RSA":
                continue
            if key.get("use") not in (None, "sig") or key.get("alg") not in (None, "RS256"):
                continue
            keys[key.get("kid")] = key
        self._keys = keys

    def key_for(self, kid: str | None) -> dict[str, Any]:
        with self._lock:
            key = self._lookup(kid)
            if key is None and self._due():
                self._refresh()
                key = self._lookup(kid)
            if key is None:
                raise Unauthorized("the token's signing key is not known")
            return key

    def _lookup(self, kid: str | None) -> dict[str, Any] | None:
        if kid is None:
            # No kid: acceptable only when the issuer publishes a single key.
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)


_caches: dict[tuple[str, float], JwksCache] = {}
_caches_lock = threading.Lock()


def jwks_cache(settings: Settings, url: str | None = None) -> JwksCache:
    """The cached keys at ``url`` (default ``ECR_OIDC_JWKS_URL``), one cache per URL."""
    url = url or settings.oidc_jwks_url
    assert url
    ident = (url, float(settings.oidc_jwks_refresh_seconds))
    with _caches_lock:
        cache = _caches.get(ident)
        if cache is None:
            cache = _caches[ident] = JwksCache(*ident)
        return cache


def reset_caches() -> None:
    """Forget every cached JWKS (tests)."""
    with _caches_lock:
        _caches.clear()


def claim_at(claims: dict[str, Any], path: str) -> Any:
    """The value at a claim path: ``roles`` or a dotted path like ``realm_access.roles``.
    A claim whose own name contains dots (``https://example.org/roles``) is found too."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def roles_from_claims(claims: dict[str, Any], path: str) -> frozenset[str]:
    value = claim_at(claims, path)
    if isinstance(value, str):
        names = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)):
        names = [v for v in value if isinstance(v, str)]
    else:
        names = []
    return frozenset(n for n in names if n in ALL_ROLES)


def authenticate_oidc(session: Session, settings: Settings, token: str) -> Principal:
    if not (settings.oidc_jwks_url and settings.oidc_issuer and settings.oidc_audience):
        raise Unauthorized("OpenID Connect tokens are not accepted here")
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError:
        raise Unauthorized("malformed token") from None
    if header.get("alg") not in ALGORITHMS:
        raise Unauthorized("token algorithm not accepted")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise Unauthorized("malformed token")
    key = jwks_cache(settings).key_for(kid)
    claims = decode_signed(
        token, key, audience=settings.oidc_audience, issuer=settings.oidc_issuer, algorithms=ALGORITHMS
    )
    subject = str(claims["sub"])
    if len(subject) > 255:  # OpenID Connect Core 1.0, 2: at most 255 ASCII characters
        raise Unauthorized("invalid subject")
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    user = None
    if email and claims.get("email_verified", True) is not False:
        from core.auth.identity import user_by_email

        user = user_by_email(session, email.strip())
        if user is not None and not user.is_active:
            raise Unauthorized("user is not active")
    name = next(
        (v for v in (claims.get("name"), claims.get("preferred_username"), email) if isinstance(v, str) and v),
        subject,
    )
    return Principal(
        subject=subject,
        email=(email or "").lower(),
        name=name[:200],
        roles=roles_from_claims(claims, settings.oidc_roles_claim),
        user_id=user.id if user is not None else None,
        agency=user.agency if user is not None else None,
        source="oidc",
        claims=claims,
    )
