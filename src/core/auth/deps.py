"""Authentication and authorisation dependencies.

Every route declares ``Depends(require("perm"))`` or ``Depends(public)``; a test walks
``app.routes`` and fails on any route with neither.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core.auth.principal import Principal
from core.auth.roles import roles_with
from core.db.session import SessionDep, read_ahead_of_transaction
from core.errors import Forbidden, Unauthorized
from core.settings import get_app_settings

bearer = HTTPBearer(auto_error=False, description="A built-in token from /api/v1/auth/token or an OIDC token")


def _check(principal: Principal, permission: str, roles: frozenset[str]) -> None:
    if not (principal.roles & roles):
        raise Forbidden(f"your roles do not include the permission {permission}")


def _authenticate(request: Request, session: Session, token: str) -> Principal:
    from core.auth.identity import authenticate  # local import keeps deps light

    # Ahead of the request's write transaction on SQLite: see read_ahead_of_transaction.
    principal = read_ahead_of_transaction(
        session, lambda: authenticate(session, get_app_settings(request), token))
    request.state.principal = principal
    return principal


async def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller: the token checked, then the user read in the request's session, so a
    deactivation, a changed role or a reset password takes effect at once. 401 without a
    valid bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("a bearer token is required")
    return await run_in_threadpool(_authenticate, request, session, credentials.credentials)


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

    async def dependency(principal: CurrentUser) -> Principal:  # async: no threadpool hop
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
