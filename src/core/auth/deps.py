"""Authentication and authorisation dependencies.

Every route declares ``Depends(require("perm"))`` or ``Depends(public)``; a test walks
``app.routes`` and fails on any route with neither.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NoReturn

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core.auth.principal import Principal
from core.auth.roles import roles_with
from core.db.session import SessionDep, defer_to_endpoint_thread, read_ahead_of_transaction, session_factory
from core.errors import Forbidden, Unauthorized
from core.settings import Settings, get_app_settings

bearer = HTTPBearer(auto_error=False, description="A built-in token from /api/v1/auth/token or an OIDC token")


class _Unresolved:
    """Stands for the principal of a deferred authentication until the endpoint's threadpool
    call resolves it and passes the real one to the endpoint. Anything else that tries to use it
    (a dependency that would read the principal) fails loudly instead of seeing a principal that
    has not been checked."""

    __slots__ = ()

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError("the principal is resolved in the endpoint's threadpool call; "
                           "a dependency cannot use it (make it part of the endpoint)")

    def __repr__(self) -> str:
        return "<principal not resolved yet>"


UNRESOLVED: Any = _Unresolved()


class DeferredAuthentication:
    """The principal's lookup (the token, then the user row: deactivation, a changed role or a
    reset password take effect at once) and the route's permission checks, run in the endpoint's
    own threadpool call just before the endpoint instead of in a threadpool call of their own:
    one hop fewer per authenticated request, and on SQLite one transaction fewer (see
    core.db.session.defer_to_endpoint_thread).

    What a client sees is unchanged: the same 401 and 403, and they still come before a 422 for
    the request's parameters or body (FastAPI validates those before calling the endpoint, so
    the error handlers settle the authentication first: :meth:`settle`)."""

    def __init__(self, request: Request, session: Session, settings: Settings, token: str,
                 *, cookie: bool = False) -> None:
        self.request, self.session, self.settings, self.token = request, session, settings, token
        self.cookie = cookie  # the token is a browser session's cookie, not a bearer token
        self.required: list[tuple[str, frozenset[str]]] = []
        self.principal: Principal | None = None
        self.done = False

    def require(self, permission: str, roles: frozenset[str]) -> None:
        self.required.append((permission, roles))

    def resolve(self, session: Session) -> Principal:
        if self.cookie:
            from core.auth.sessions import CSRF_HEADER, authenticate_session

            principal, browser = authenticate_session(
                session, self.settings, self.token, self.request.method,
                self.request.headers.get(CSRF_HEADER))
            self.request.state.browser_session = browser
        else:
            from core.auth.identity import authenticate  # local import keeps deps light

            principal = authenticate(session, self.settings, self.token)
        for permission, roles in self.required:
            _check(principal, permission, roles)
        self.principal = self.request.state.principal = principal
        return principal

    def __call__(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """In the endpoint's threadpool call, in the request's transaction."""
        self.done = True  # even if it raises: the error is the request's answer
        principal = self.resolve(self.session)
        return {k: principal if v is UNRESOLVED else v for k, v in kwargs.items()}

    def settle(self) -> None:
        """For an error raised before the endpoint ran: authenticate in a short session of its
        own (the request's was closed with the error). Raises the 401 or 403, if any."""
        self.done = True
        with session_factory(self.request)() as session:
            try:
                read_ahead_of_transaction(session, lambda: self.resolve(session))
            finally:
                session.rollback()


def _check(principal: Principal, permission: str, roles: frozenset[str]) -> None:
    if not (principal.roles & roles):
        raise Forbidden(f"your roles do not include the permission {permission}")


async def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, from the bearer token or, without an Authorization header, from the staff
    app's session cookie (core.auth.sessions; unsafe methods then need the CSRF header). For a
    sync endpoint the lookup is deferred to the endpoint's threadpool call
    (:class:`DeferredAuthentication`; the endpoint receives the real principal); for an async
    endpoint it runs here, in a threadpool call of its own."""
    cookie = False
    if credentials is None and "authorization" not in request.headers:
        from core.auth.sessions import COOKIE_NAME

        token = request.cookies.get(COOKIE_NAME)
        if not token:
            raise Unauthorized("a bearer token or a session is required")
        cookie = True
    elif credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("a bearer token is required")
    else:
        token = credentials.credentials
    settings = get_app_settings(request)
    deferred = DeferredAuthentication(request, session, settings, token, cookie=cookie)
    if defer_to_endpoint_thread(request, deferred):
        return UNRESOLVED  # type: ignore[no-any-return]
    # ahead of the request's transaction: see read_ahead_of_transaction
    principal = await run_in_threadpool(
        read_ahead_of_transaction, session, lambda: deferred.resolve(session))
    deferred.done = True
    return principal


async def get_optional_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    return await get_principal(request, session, credentials)


CurrentUser = Annotated[Principal, Depends(get_principal)]
OptionalUser = Annotated[Principal | None, Depends(get_optional_principal)]


def require(permission: str) -> Callable[..., Awaitable[Principal]]:
    roles = roles_with(permission)

    async def dependency(request: Request, principal: CurrentUser) -> Principal:  # async: no hop
        if principal is UNRESOLVED:  # checked with the deferred lookup, before the endpoint
            request.state.before_endpoint.require(permission, roles)
        else:
            _check(principal, permission, roles)
        return principal

    dependency.__permission__ = permission  # type: ignore[attr-defined]
    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    return dependency


async def public() -> None:
    """Marks a route as deliberately reachable without login."""


public.__public__ = True  # type: ignore[attr-defined]


def authenticated() -> Callable[..., Awaitable[Principal]]:
    """Any signed-in user (e.g. /me)."""

    async def dependency(principal: CurrentUser) -> Principal:  # async: no threadpool hop
        return principal

    dependency.__permission__ = "authenticated"  # type: ignore[attr-defined]
    return dependency
