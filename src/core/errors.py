"""One error hierarchy rendered as RFC 9457 problem+json with the stable codes of API.md."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("core.errors")
PROBLEM = "application/problem+json"


class AppError(Exception):
    status = 500
    code = "internal_error"
    title = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.extra = extra

    def body(self, request: Request | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://safeguarding.example/problems/{self.code.replace('_', '-')}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if request is not None:
            body["instance"] = request.url.path
            rid = getattr(request.state, "request_id", None)
            if rid:
                body["request_id"] = rid
        body.update(self.extra)
        return body


class BadRequest(AppError):
    status, code, title = 400, "bad_request", "Bad request"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Forbidden"


class CsrfFailed(Forbidden):
    """An unsafe request authenticated by a session cookie without the session's CSRF token."""

    code, title = "csrf_failed", "CSRF check failed"


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"


class MethodNotAllowed(AppError):
    status, code, title = 405, "method_not_allowed", "Method not allowed"


class NotAcceptable(AppError):
    status, code, title = 406, "not_acceptable", "Not acceptable"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class InvalidTransition(AppError):
    status, code, title = 409, "invalid_transition", "Invalid transition"


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "Payload too large"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class ValidationFailed(AppError):
    status, code, title = 422, "validation_error", "Validation error"

    def __init__(self, errors: Sequence[dict[str, Any]], detail: str | None = None) -> None:
        errors = [{"loc": list(e["loc"]), "msg": str(e["msg"])} for e in errors]
        if detail is None:
            detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        super().__init__(detail, errors=errors)

    @classmethod
    def field(cls, loc: Sequence[str | int], msg: str) -> "ValidationFailed":
        return cls([{"loc": list(loc), "msg": msg}])


class PreconditionRequired(AppError):
    status, code, title = 428, "precondition_required", "Precondition required"


class RateLimited(AppError):
    status, code, title = 429, "rate_limited", "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(AppError):
    status, code, title = 503, "unavailable", "Service unavailable"


class FieldError(BaseModel):
    loc: list[str | int] = Field(description='where: e.g. ["body", "child", "date_of_birth"]')
    msg: str


class Problem(BaseModel):
    """The problem+json body, for OpenAPI."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = Field(default=None, description="validation_error: each field at fault")
    state: str | None = Field(default=None, description="invalid_transition: the case's state")
    allowed_actions: list[str] | None = Field(
        default=None, description="invalid_transition: what the caller may do from this state")


def problem_response(error: AppError, request: Request | None = None) -> JSONResponse:
    return JSONResponse(
        error.body(request), status_code=error.status, headers=error.headers, media_type=PROBLEM
    )


_STATUS_TO_ERROR: dict[int, type[AppError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    406: NotAcceptable,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    428: PreconditionRequired,
}


def _clean_loc(loc: Sequence[Any]) -> list[Any]:
    return [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        msg = err.get("msg", "invalid")
        if err.get("type") == "json_invalid":
            msg = "the request body is not valid JSON"
        out.append({"loc": _clean_loc(err.get("loc", ())), "msg": msg})
    return out


def _allowed_methods(request: Request) -> set[str]:
    """Every method some route of the app serves at the request's path."""
    from starlette.routing import Match

    scope = {**request.scope, "method": "GET"}
    found: set[str] = set()

    def walk(routes: Sequence[Any]) -> None:
        for route in routes:
            candidates = getattr(route, "effective_candidates", None)
            if callable(candidates):
                walk(candidates())
                continue
            methods = getattr(route, "methods", None)
            if not methods:
                continue
            try:
                match, _ = route.matches(scope)
            except Exception:  # noqa: BLE001 - a route that cannot say: not counted
                continue
            if match is not Match.NONE:
                found.update(methods)

    walk(request.app.router.routes)
    return found


def install_error_handlers(app: FastAPI) -> None:
    from core.db.session import settle_deferred_work

    async def settled(request: Request) -> AppError | None:
        # An authentication deferred to the endpoint (core.auth.deps) answers first.
        try:
            await settle_deferred_work(request)
        except AppError as exc:
            return exc
        return None

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(await settled(request) or exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(await settled(request) or ValidationFailed(_validation_errors(exc)), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if (first := await settled(request)) is not None:
            return problem_response(first, request)
        cls = _STATUS_TO_ERROR.get(exc.status_code)
        if cls is None:
            error: AppError = AppError(str(exc.detail))
            error.status = exc.status_code
        else:
            detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in {
                "Not Found", "Method Not Allowed"} else None
            error = cls(detail)
        if exc.headers:
            error.headers.update(exc.headers)
        if exc.status_code == 405:
            # Starlette names the methods of the first route matching the path only.
            allowed = _allowed_methods(request)
            if allowed:
                error.headers["Allow"] = ", ".join(sorted(allowed))
        return problem_response(error, request)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return problem_response(
            PreconditionFailed("the resource was changed by someone else; reload it"), request
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A unique or foreign-key constraint caught a race; say so without SQL.
        log.warning("integrity error", extra={"constraint_error": type(exc.orig).__name__})
        return problem_response(Conflict("the change conflicts with existing data; reload and retry"), request)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # e.g. an id beyond the column's range on PostgreSQL: bad input, never a 500.
        log.info("database rejected a value", extra={"db_error": type(exc.orig).__name__})
        return problem_response(
            ValidationFailed([{"loc": ["request"], "msg": "a value is out of range or malformed"}]),
            request,
        )

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable", extra={"db_error": type(exc.orig).__name__})
        return problem_response(
            ServiceUnavailable("the database is busy or unavailable; retry shortly"), request
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return problem_response(AppError("An unexpected error occurred; quote the request id."), request)
