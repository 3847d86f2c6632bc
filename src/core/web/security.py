"""CSRF protection, honeypot and signed short-lived cookies for the server-rendered pages.

CSRF: a signed double-submit cookie. The first page a browser sees sets ``ecr_csrf`` to a random
nonce (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS); every form carries
``csrf_token = HMAC-SHA256(ECR_SECRET_KEY, nonce)``. A POST is refused (403 page) unless the
cookie is there and the field is its HMAC. A page from another site can neither read the cookie
nor compute the HMAC, and a ``SameSite=Strict`` cookie is not sent with a cross-site POST at
all. Requests that the browser marks ``Sec-Fetch-Site: cross-site`` are refused outright.

Honeypot: every form has a field named ``website`` that people never see (moved off screen,
hidden from assistive technology, not focusable). Bots fill every field; when it is filled the
page answers as if the form had been sent (a plain "thank you" page, status 200) and stores
nothing, so a bot learns nothing. A log line records it (without the form's content).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core.errors import Forbidden

log = logging.getLogger("core.web")

CSRF_COOKIE = "ecr_csrf"
CSRF_FIELD = "csrf_token"
HONEYPOT_FIELD = "website"


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    title = "Form expired"


def _secret(request: Request) -> bytes:
    return str(request.app.state.settings.secret_key).encode()


def _mac(request: Request, purpose: str, value: str) -> str:
    digest = hmac.new(_secret(request), f"{purpose}\n{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https"


# -- CSRF ------------------------------------------------------------------------------------

def _valid_nonce(value: str | None) -> bool:
    return bool(value) and 20 <= len(value or "") <= 100 and (value or "").replace("-", "").replace("_", "").isalnum()


def csrf_token(request: Request) -> str:
    """The token for this browser's forms; mints a nonce (set by :func:`apply_cookies`)."""
    nonce = request.cookies.get(CSRF_COOKIE)
    if not _valid_nonce(nonce):
        nonce = getattr(request.state, "new_csrf_nonce", None) or secrets.token_urlsafe(32)
        request.state.new_csrf_nonce = nonce
    return _mac(request, "csrf", nonce or "")


def apply_cookies(request: Request, response: Response) -> None:
    """Set the cookies that rendering this page decided on."""
    nonce = getattr(request.state, "new_csrf_nonce", None)
    if nonce:
        response.set_cookie(CSRF_COOKIE, nonce, path="/", httponly=True, samesite="strict",
                            secure=_is_https(request))


def verify_csrf(request: Request, form: Any) -> None:
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfFailed("this form was sent from another website")
    nonce = request.cookies.get(CSRF_COOKIE)
    sent = form.get(CSRF_FIELD) if form is not None else None
    if not _valid_nonce(nonce) or not isinstance(sent, str) or not sent:
        raise CsrfFailed("the form's security token is missing; your session may have expired")
    if not hmac.compare_digest(_mac(request, "csrf", nonce or ""), sent):
        raise CsrfFailed("the form's security token does not match; your session may have expired")


# -- honeypot --------------------------------------------------------------------------------

def honeypot_triggered(request: Request, form: Any) -> bool:
    value = form.get(HONEYPOT_FIELD) if form is not None else None
    if isinstance(value, str) and value.strip():
        log.warning("honeypot field filled; form discarded", extra={"path": request.url.path})
        return True
    return False


# -- signed short-lived cookies (e.g. what a confirmation page shows after a redirect) -------

def set_signed_cookie(request: Request, response: Response, name: str, data: dict[str, Any], *,
                      path: str, max_age: int) -> None:
    payload = dict(data, exp=int(time.time()) + max_age)
    raw = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=").decode()
    value = f"{raw}.{_mac(request, 'cookie:' + name, raw)}"
    response.set_cookie(name, value, path=path, max_age=max_age, httponly=True, samesite="strict",
                        secure=_is_https(request))


def read_signed_cookie(request: Request, name: str) -> dict[str, Any] | None:
    value = request.cookies.get(name)
    if not value or "." not in value or len(value) > 4096:
        return None
    raw, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(_mac(request, "cookie:" + name, raw), mac):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError:
        return None
    if not isinstance(data, dict) or int(data.get("exp", 0)) < time.time():
        return None
    return data
