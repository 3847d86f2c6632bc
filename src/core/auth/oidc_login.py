"""Single sign-on for the staff app: the OpenID Connect authorization code flow with PKCE,
run by the service (API.md v1.1), ending in the same cookie session as a password sign-in.

* ``GET /auth/oidc/login?next=/path`` makes a ``state``, a ``nonce`` and a PKCE code verifier,
  keeps them in a short-lived signed cookie (``ecr_oidc``: HttpOnly, SameSite=Lax so that it
  comes back with the identity provider's redirect, path limited to the callback) and sends
  the browser to the issuer's authorization endpoint (from its discovery document).
* ``GET /auth/oidc/callback?code&state`` takes the cookie (single use: cleared whatever the
  outcome), checks ``state`` against it, exchanges the code at the token endpoint with the
  code verifier, and verifies the ID token: RS256 with a key of the issuer's JWKS, ``iss``, the
  audience being our client id, ``exp``, ``iat`` and the ``nonce`` of this browser's request.
* The ID token's email (not marked unverified) names the local user, who must be active; the
  session carries that user's roles, as with a password (the service's own users and roles stay
  the one list of who may do what). Anything wrong: back to the sign-in page with a message,
  the reason audited, no session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from jose import jwt
from jose.exceptions import JOSEError

from core.auth.oidc import ALGORITHMS, FETCH_TIMEOUT_SECONDS, jwks_cache
from core.auth.tokens import decode_signed
from core.errors import Unauthorized
from core.settings import Settings

log = logging.getLogger("core.auth.oidc")

STATE_COOKIE = "ecr_oidc"
CALLBACK_PATH = "/api/v1/auth/oidc/callback"
STATE_SECONDS = 600
DISCOVERY_SECONDS = 3600
MAX_DOCUMENT_BYTES = 256 * 1024


class SsoFailed(Exception):
    """The single sign-on did not end in a session; ``reason`` is a code for the audit trail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def enabled(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def redirect_uri(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + CALLBACK_PATH


# -- the issuer's discovery document ------------------------------------------------------------

@dataclass(frozen=True)
class Provider:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


_providers: dict[str, tuple[float, Provider]] = {}
_providers_lock = threading.Lock()


def _get_json(url: str) -> Any:
    with httpx.Client(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False) as client:
        response = client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise ValueError("document too large")
        return response.json()


def provider(settings: Settings) -> Provider:
    issuer = (settings.oidc_issuer or "").rstrip("/")
    now = time.monotonic()
    with _providers_lock:
        cached = _providers.get(issuer)
        if cached and now - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    try:
        doc = _get_json(f"{issuer}/.well-known/openid-configuration")
        if not isinstance(doc, dict) or str(doc.get("issuer", "")).rstrip("/") != issuer:
            raise ValueError("the discovery document names another issuer")
        found = Provider(str(doc["authorization_endpoint"]), str(doc["token_endpoint"]),
                         str(settings.oidc_jwks_url or doc["jwks_uri"]))
    except Exception as exc:  # noqa: BLE001 - network, status, JSON or missing keys
        log.warning("could not read the OIDC discovery document", extra={"error": type(exc).__name__})
        raise SsoFailed("discovery_unavailable") from None
    with _providers_lock:
        _providers[issuer] = (now, found)
    return found


def reset_providers() -> None:
    with _providers_lock:
        _providers.clear()


# -- the state cookie -----------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _mac(settings: Settings, payload: str) -> str:
    return _b64(hmac.new(settings.secret_key.encode(), f"oidc-state\n{payload}".encode(), hashlib.sha256).digest())


def code_challenge(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


@dataclass(frozen=True)
class LoginStart:
    location: str
    cookie: str


def start(settings: Settings, next_path: str) -> LoginStart:
    """Where to send the browser, and the cookie that remembers this request."""
    found = provider(settings)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    payload = _b64(json.dumps({"s": state, "n": nonce, "v": verifier, "next": next_path,
                               "exp": int(time.time()) + STATE_SECONDS}).encode())
    query = urlencode({
        "response_type": "code", "client_id": settings.oidc_client_id, "redirect_uri": redirect_uri(settings),
        "scope": settings.oidc_scopes, "state": state, "nonce": nonce,
        "code_challenge": code_challenge(verifier), "code_challenge_method": "S256",
    })
    sep = "&" if "?" in found.authorization_endpoint else "?"
    return LoginStart(f"{found.authorization_endpoint}{sep}{query}", f"{payload}.{_mac(settings, payload)}")


@dataclass(frozen=True)
class Pending:
    state: str
    nonce: str
    verifier: str
    next_path: str


def read_cookie(settings: Settings, value: str | None) -> Pending:
    if not value or "." not in value or len(value) > 4096:
        raise SsoFailed("no_state_cookie")
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(settings, payload)):
        raise SsoFailed("state_cookie_altered")
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        pending = Pending(str(data["s"]), str(data["n"]), str(data["v"]), str(data["next"]))
        expires = int(data["exp"])
    except (ValueError, KeyError, TypeError):
        raise SsoFailed("state_cookie_altered") from None
    if time.time() > expires:
        raise SsoFailed("state_expired")
    return pending


# -- the callback ---------------------------------------------------------------------------------

def finish(settings: Settings, pending: Pending, *, code: str | None, state: str | None,
           error: str | None) -> dict[str, Any]:
    """The verified claims of the ID token for this browser's request."""
    if error:
        raise SsoFailed("provider_refused")
    if not state or not hmac.compare_digest(state, pending.state):
        raise SsoFailed("state_mismatch")
    if not code or len(code) > 2048:
        raise SsoFailed("no_code")
    found = provider(settings)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(settings),
            "client_id": settings.oidc_client_id or "", "code_verifier": pending.verifier}
    if settings.oidc_client_secret:
        form["client_secret"] = settings.oidc_client_secret.get_secret_value()
    try:
        with httpx.Client(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(found.token_endpoint, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError:
        raise SsoFailed("token_endpoint_unavailable") from None
    if response.status_code != 200:
        raise SsoFailed("code_refused")  # e.g. a code used before, or a wrong verifier
    try:
        id_token = str(response.json()["id_token"])
        header = jwt.get_unverified_header(id_token)
    except (ValueError, KeyError, TypeError, JOSEError):
        raise SsoFailed("no_id_token") from None
    if header.get("alg") not in ALGORITHMS:
        raise SsoFailed("id_token_invalid")
    kid = header.get("kid")
    try:
        key = jwks_cache(settings, found.jwks_uri).key_for(kid if isinstance(kid, str) else None)
        claims = decode_signed(id_token, key, audience=settings.oidc_client_id or "",
                               issuer=settings.oidc_issuer or "", algorithms=ALGORITHMS)
    except Unauthorized:
        raise SsoFailed("id_token_invalid") from None
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce, pending.nonce):
        raise SsoFailed("nonce_mismatch")
    return claims
