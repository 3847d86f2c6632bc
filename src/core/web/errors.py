"""HTML error pages for the public pages (``/notify``, ``/forms/``).

The app's problem+json handlers stay as they are for the API; for page paths the same errors
(404, 403 CSRF, 413, 429 with Retry-After, 500 ...) render as friendly pages instead.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.errors import AppError, BadRequest, MethodNotAllowed, NotFound, PayloadTooLarge, ValidationFailed
from core.web.security import CsrfFailed

log = logging.getLogger("core.web")


def is_page_path(path: str) -> bool:
    return path == "/notify" or path.startswith(("/notify/", "/forms/"))


def _as_app_error(exc: Exception) -> AppError:
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, RequestValidationError):
        if any(list(e.get("loc", ()))[:1] == ["path"] for e in exc.errors()):
            return NotFound()  # e.g. a mangled link
        return BadRequest("the request could not be read")
    if isinstance(exc, StarletteHTTPException):
        mapping: dict[int, type[AppError]] = {400: BadRequest, 404: NotFound, 405: MethodNotAllowed,
                                              413: PayloadTooLarge}
        cls = mapping.get(exc.status_code)
        if cls is not None:
            return cls()
        err = AppError(str(exc.detail))
        err.status = exc.status_code
        return err
    return AppError()


def render_error_page(request: Request, exc: Exception) -> Response:
    from core.web.templating import core_pages

    error = _as_app_error(exc)
    status = 400 if isinstance(error, ValidationFailed) else error.status
    retry_after = error.headers.get("Retry-After")
    minutes = max(1, -(-int(retry_after) // 60)) if retry_after and retry_after.isdigit() else None
    context = {
        "status": status,
        "csrf": isinstance(error, CsrfFailed),
        "minutes": minutes,
        "request_id": getattr(request.state, "request_id", None),
        "retry_path": request.url.path,
    }
    headers = {k: v for k, v in error.headers.items() if k.lower() == "retry-after"}
    return core_pages.render(request, "web/error.html", context, status_code=status, headers=headers)


Handler = Callable[[Request, Any], Awaitable[Response] | Response]


def install_page_errors(app: FastAPI) -> None:
    """Wrap the app's exception handlers: HTML for page paths, the original for the rest."""
    for exc_type in (AppError, RequestValidationError, StarletteHTTPException, Exception):
        original: Handler | None = app.exception_handlers.get(exc_type)
        if original is None:
            continue

        async def handler(request: Request, exc: Exception, _original: Handler = original) -> Response:
            if not is_page_path(request.url.path):
                result = _original(request, exc)
                return await result if inspect.isawaitable(result) else result
            if not isinstance(exc, (AppError, RequestValidationError, StarletteHTTPException)):
                log.error("unhandled error on a page", exc_info=exc)
            return render_error_page(request, exc)

        app.add_exception_handler(exc_type, handler)
