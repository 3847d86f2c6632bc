from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.audit import record
from core.auth import oidc_login
from core.auth.deps import authenticated, public, require
from core.auth.identity import user_by_email
from core.auth.models import User
from core.auth.passwords import hash_password, needs_rehash, verify_password
from core.auth.principal import Principal
from core.auth.schemas import AuthOptionsOut, MeOut, SessionIn, SessionOut, TokenOut, UserCreate, UserOut, UserUpdate
from core.auth.sessions import (COOKIE_NAME, clear_session_cookie, end_session, end_user_sessions,
                                set_session_cookie, start_session)
from core.auth.tokens import issue_access_token
from core.db.base import utcnow
from core.http.ratelimit import login_rate_limited
from core.db.session import SessionDep
from core.errors import Conflict, NotFound, Unauthorized
from core.pagination import MAX_INT_ID, CursorQuery, Page, decode_id_cursor, encode_cursor
from core.settings import get_app_settings

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenOut, dependencies=[Depends(login_rate_limited)],
             responses={429: {"description": "Too many sign-in attempts from this address"}})
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
) -> dict[str, Any]:
    """OAuth2 password flow: ``username`` is the email."""
    settings = get_app_settings(request)
    user = _check_credentials(session, username, password, failed_action="auth.login_failed")
    record(session, actor=f"user:{user.id}", action="auth.login", subject_type="user", subject_id=user.id)
    token = issue_access_token(settings, str(user.id))
    return {"access_token": token, "token_type": "bearer", "expires_in": settings.access_token_minutes * 60}


def _check_credentials(session: SessionDep, email: str, password: str, *,
                       failed_action: str = "auth.session_failed") -> User:
    """The active user with this email and password, or a 401 that is the same (and takes about
    as long: an unknown email is checked against a dummy hash) whatever was wrong. The failure
    is audited in its own transaction (the request's rolls back on the 401)."""
    user = user_by_email(session, email.strip())
    ok = verify_password(user.password_hash if user else None, password)
    if not user or not ok or not user.is_active:
        session.rollback()
        record(session, actor="anonymous", action=failed_action,
               subject_type="user" if user else None, subject_id=user.id if user else None)
        session.commit()
        raise Unauthorized("incorrect email or password")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@router.post("/auth/session", status_code=204, dependencies=[Depends(login_rate_limited)],
             responses={401: {"description": "Incorrect email or password"},
                        429: {"description": "Too many sign-in attempts from this address"}})
def start_browser_session(request: Request, response: Response, session: SessionDep, body: SessionIn) -> None:
    """Signs the staff app in: sets the session cookie (HttpOnly, SameSite=Strict). The CSRF
    token for unsafe requests is read at ``GET /auth/session``."""
    settings = get_app_settings(request)
    user = _check_credentials(session, body.email, body.password)
    previous = request.cookies.get(COOKIE_NAME)
    if previous:  # signing in again replaces the browser's session
        end_session(session, previous)
    token, row = start_session(session, settings, user)
    record(session, actor=f"user:{user.id}", action="auth.session_start", subject_type="user",
           subject_id=user.id, data={"session_id": row.id})
    set_session_cookie(response, settings, token)


def _browser_session(request: Request) -> Any:
    browser = getattr(request.state, "browser_session", None)
    if browser is None:  # a bearer token: there is no browser session to describe
        raise Unauthorized("no browser session: sign in at POST /api/v1/auth/session")
    return browser


@router.get("/auth/session", response_model=SessionOut)
def get_browser_session(request: Request,
                        principal: Annotated[Principal, Depends(authenticated())]) -> dict[str, Any]:
    browser = _browser_session(request)
    return {"user": {"id": principal.user_id, "email": principal.email, "name": principal.name},
            "roles": sorted(principal.roles), "csrf_token": browser.csrf_token,
            "expires_at": browser.expires_at}


@router.delete("/auth/session", status_code=204)
def end_browser_session(request: Request, response: Response, session: SessionDep,
                        principal: Annotated[Principal, Depends(authenticated())]) -> None:
    """Signs out: the session ends on the server and the cookie is cleared."""
    settings = get_app_settings(request)
    token = request.cookies.get(COOKIE_NAME)
    ended = end_session(session, token) if token else None
    if ended is not None:
        record(session, actor=principal.actor, action="auth.session_end", subject_type="user",
               subject_id=principal.user_id, data={"session_id": ended})
    clear_session_cookie(response, settings)


# -- single sign-on (OpenID Connect authorization code flow with PKCE; core.auth.oidc_login) --

SIGN_IN_PAGE = "/app/sign-in"


def _safe_next(value: str | None) -> str:
    """A path inside the staff app to come back to (never another site)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or any(c in value for c in "\r\n\\"):
        return "/"
    return value


@router.get("/auth/options", response_model=AuthOptionsOut, dependencies=[Depends(public)])
def auth_options(request: Request) -> dict[str, Any]:
    """How staff may sign in: always with a password; with single sign-on when configured."""
    settings = get_app_settings(request)
    sso = None
    if oidc_login.enabled(settings):
        sso = {"label": f"Sign in with {settings.oidc_display_name}", "login_url": "/api/v1/auth/oidc/login"}
    return {"password": True, "oidc": sso}


@router.get("/auth/oidc/login", status_code=303, dependencies=[Depends(login_rate_limited)],
            response_class=RedirectResponse,
            responses={303: {"description": "to the identity provider (or back to sign-in if it cannot be reached)"},
                       404: {"description": "single sign-on is not configured"}})
def oidc_sign_in(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> RedirectResponse:  # noqa: A002
    """Starts single sign-on: sends the browser to the identity provider."""
    settings = get_app_settings(request)
    if not oidc_login.enabled(settings):
        raise NotFound("single sign-on is not configured")
    try:
        begun = oidc_login.start(settings, _safe_next(next))
    except oidc_login.SsoFailed:
        return RedirectResponse(f"{SIGN_IN_PAGE}?sso=unavailable", status_code=303)
    response = RedirectResponse(begun.location, status_code=303)
    response.set_cookie(oidc_login.STATE_COOKIE, begun.cookie, max_age=oidc_login.STATE_SECONDS,
                        path=oidc_login.CALLBACK_PATH, secure=settings.env != "development",
                        httponly=True, samesite="lax")
    return response


@router.get("/auth/oidc/callback", status_code=303, dependencies=[Depends(login_rate_limited)],
            response_class=RedirectResponse,
            responses={303: {"description": "into the staff app with a session, or back to sign-in"},
                       404: {"description": "single sign-on is not configured"}})
def oidc_callback(
    request: Request, session: SessionDep,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Ends single sign-on: checks the answer and starts the same session as a password."""
    settings = get_app_settings(request)
    if not oidc_login.enabled(settings):
        raise NotFound("single sign-on is not configured")
    user: User | None = None
    try:
        pending = oidc_login.read_cookie(settings, request.cookies.get(oidc_login.STATE_COOKIE))
        claims = oidc_login.finish(settings, pending, code=code, state=state, error=error)
        email = claims.get("email")
        if isinstance(email, str) and claims.get("email_verified", True) is not False:
            user = user_by_email(session, email.strip())
        if user is None or not user.is_active:
            raise oidc_login.SsoFailed("no_active_account")
    except oidc_login.SsoFailed as failed:
        session.rollback()
        record(session, actor="anonymous", action="auth.oidc_failed",
               subject_type="user" if user else None, subject_id=user.id if user else None,
               data={"reason": failed.reason})
        session.commit()
        which = "no_account" if failed.reason == "no_active_account" else "failed"
        response = RedirectResponse(f"{SIGN_IN_PAGE}?sso={which}", status_code=303)
    else:
        previous = request.cookies.get(COOKIE_NAME)
        if previous:
            end_session(session, previous)
        token, row = start_session(session, settings, user)
        record(session, actor=f"user:{user.id}", action="auth.session_start", subject_type="user",
               subject_id=user.id, data={"session_id": row.id, "method": "oidc"})
        response = RedirectResponse("/app" + pending.next_path, status_code=303)
        set_session_cookie(response, settings, token)
    # the request's state is single use, whatever the outcome
    response.delete_cookie(oidc_login.STATE_COOKIE, path=oidc_login.CALLBACK_PATH,
                           secure=settings.env != "development", httponly=True, samesite="lax")
    return response


@router.get("/me", response_model=MeOut)
def me(principal: Annotated[Principal, Depends(authenticated())]) -> dict[str, Any]:
    return {"id": principal.user_id, "email": principal.email, "name": principal.name,
            "roles": sorted(principal.roles), "agency": principal.agency}


Admin = Annotated[Principal, Depends(require("users:manage"))]
UserId = Annotated[int, Path(ge=1, le=MAX_INT_ID)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, session: SessionDep, admin: Admin) -> User:
    if user_by_email(session, body.email):
        raise Conflict("a user with this email exists")
    user = User(
        email=body.email, name=body.name,
        password_hash=hash_password(body.password) if body.password else None,
        roles=[r.value for r in body.roles], agency=body.agency, is_active=body.is_active,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("a user with this email exists") from None
    record(session, actor=admin.actor, action="user.create", subject_type="user", subject_id=user.id,
           data={"roles": user.roles})
    return user


@router.get("/users", response_model=Page[UserOut])
def list_users(
    session: SessionDep, admin: Admin,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    stmt = select(User).order_by(User.id).limit(limit + 1)
    if cursor:
        stmt = stmt.where(User.id > decode_id_cursor(cursor))
    rows = list(session.execute(stmt).scalars())
    items = rows[:limit]
    return {"items": items, "next_cursor": encode_cursor(items[-1].id) if len(rows) > limit else None}


def _get_user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, session: SessionDep, admin: Admin) -> User:
    return _get_user(session, user_id)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: UserId, body: UserUpdate, session: SessionDep, admin: Admin, response: Response) -> User:
    user = _get_user(session, user_id)
    changes = body.model_dump(exclude_unset=True)
    if user.id == admin.user_id:
        # An administrator cannot lock themselves (and possibly everyone) out.
        if body.is_active is False:
            raise Conflict("you cannot deactivate your own account")
        if body.roles is not None and "admin" not in {r.value for r in body.roles}:
            raise Conflict("you cannot remove your own admin role")
    if "name" in changes and body.name is not None:
        user.name = body.name
    if "agency" in changes:
        user.agency = body.agency
    if body.roles is not None:
        user.roles = [r.value for r in body.roles]
    if body.password is not None:
        user.password_hash = hash_password(body.password)
        user.tokens_valid_after = utcnow()  # tokens of the old password die (and any from this very second)
    if body.is_active is not None and body.is_active != user.is_active:
        user.is_active = body.is_active
        user.deactivated_at = None if body.is_active else utcnow()
    if body.roles is not None or body.password is not None or body.is_active is False:
        # Browser sessions end at once (the per-request fingerprint check would also refuse
        # them, but a user made active again must not get an old session back).
        end_user_sessions(session, user.id)
    session.flush()
    record(session, actor=admin.actor, action="user.update", subject_type="user", subject_id=user.id,
           data={"fields": sorted(k for k in changes if k != "password") + (["password"] if "password" in changes else [])})
    return user
