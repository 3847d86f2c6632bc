"""Pure ASGI middleware: request id, access log, metrics, security headers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.context import set_request_meta
from core.http.metrics import observe, route_template

log = logging.getLogger("core.access")
_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
CSP_API = b"default-src 'none'; frame-ancestors 'none'"
CSP_DOCS = (
    b"default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; frame-ancestors 'none'"
)
CSP_PAGES = b"default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"
# The staff app (core.web.spa): its own bundles only, no inline script or style, talks to its own origin.
CSP_APP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    b"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)


def csp_for(path: str) -> bytes:
    if path in ("/docs", "/redoc"):
        return CSP_DOCS
    if path.startswith(("/notify", "/forms", "/static")):
        return CSP_PAGES
    if path == "/app" or path.startswith("/app/"):
        return CSP_APP
    return CSP_API


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _RID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        client = scope.get("client")
        set_request_meta(request_id=request_id, ip=client[0] if client else None)
        path: str = scope.get("path", "")
        csp = csp_for(path)
        start = time.perf_counter()
        status_holder: dict[str, Any] = {}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"x-request-id", request_id.encode())]
                extra += [(k, v) for k, v in SECURITY_HEADERS if k not in existing]
                if b"content-security-policy" not in existing:
                    extra.append((b"content-security-policy", csp))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - start
            handler = route_template(scope)
            method = scope.get("method", "")
            status = status_holder.get("status", 500)
            observe(handler, method, status, seconds)
            log.info(
                "request",
                extra={"method": method, "route": handler, "status": status,
                       "duration_ms": round(seconds * 1000, 2)},
            )
