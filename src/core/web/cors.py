"""Path-aware CORS: the public notification API is open to the boards' websites, the rest is not.

Other websites' forms post JSON straight to ``/api/v1/public/...`` from the browser, so those
routes answer CORS (and preflights) for ``ECR_PUBLIC_FORM_ORIGINS`` (default: any origin), never
with credentials. Everything else keeps the staff policy of ``ECR_CORS_ORIGINS``.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIC_API_PREFIX = "/api/v1/public/"

STAFF_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"]
STAFF_HEADERS = ["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-ID"]
STAFF_EXPOSE = ["ETag", "Location", "Retry-After", "X-Request-ID"]
PUBLIC_METHODS = ["GET", "POST", "OPTIONS"]
PUBLIC_HEADERS = ["Content-Type", "Idempotency-Key", "X-Status-Token", "X-Request-ID"]
PUBLIC_EXPOSE = ["Location", "Retry-After", "X-Request-ID", "Idempotent-Replayed"]


class PathAwareCORSMiddleware:
    """Starlette's CORSMiddleware twice: the public policy under a prefix, the staff one elsewhere."""

    def __init__(self, app: ASGIApp, *, staff_origins: Sequence[str], public_origins: Sequence[str],
                 public_prefix: str = PUBLIC_API_PREFIX, max_age: int = 600) -> None:
        self.public_prefix = public_prefix
        self.staff = CORSMiddleware(
            app, allow_origins=list(staff_origins), allow_credentials=False,
            allow_methods=STAFF_METHODS, allow_headers=STAFF_HEADERS, expose_headers=STAFF_EXPOSE,
            max_age=max_age,
        )
        self.public = CORSMiddleware(
            app, allow_origins=list(public_origins), allow_credentials=False,
            allow_methods=PUBLIC_METHODS, allow_headers=PUBLIC_HEADERS, expose_headers=PUBLIC_EXPOSE,
            max_age=max_age,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.public_prefix):
            await self.public(scope, receive, send)
        else:
            await self.staff(scope, receive, send)
