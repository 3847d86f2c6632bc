"""Browser sessions of the staff app (API.md v1.1, "Browser sessions for the staff app"):
a server-side session behind an HttpOnly, SameSite=Strict cookie, a CSRF header on unsafe
requests, idle and absolute limits, ended at once by deactivation or a role change."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from core.auth.sessions import COOKIE_NAME
from core.settings import get_settings

SESSION = "/api/v1/auth/session"
ME = "/api/v1/me"
MEETINGS = "/api/v1/meetings"
MEETING = {"kind": "crg", "scheduled_for": "2027-01-15T10:00:00Z"}


@pytest.fixture
def browser(app, session_factory) -> Iterator[TestClient]:
    """A client on https (outside development the cookie is Secure: not sent over http)."""
    app.state.session_factory = session_factory
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c
    app.state.session_factory = None


def sign_in(client: TestClient, user) -> str:
    r = client.post(SESSION, json={"email": user.email, "password": user.password})
    assert r.status_code == 204, r.text
    return client.cookies[COOKIE_NAME]


def csrf(client: TestClient) -> str:
    r = client.get(SESSION)
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def _rows(db, token: str):
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.execute(text("SELECT * FROM core_auth_sessions WHERE token_hash = :h"), {"h": digest}).mappings().all()


def _events(db, action: str) -> list:
    return db.execute(text("SELECT actor, subject_id, data FROM core_audit_events WHERE action = :a ORDER BY id"),
                      {"a": action}).all()


def test_sign_in_sets_a_hardened_cookie_and_stores_only_a_hash(browser: TestClient, make_user, db) -> None:
    user = make_user("business_unit")
    r = browser.post(SESSION, json={"email": user.email, "password": user.password})
    assert r.status_code == 204, r.text
    assert r.content == b""
    cookie = r.headers["set-cookie"]
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert {"httponly", "secure", "path"} <= attrs
    assert "samesite=strict" in cookie.lower() and "path=/;" in cookie.lower() + ";"
    token = browser.cookies[COOKIE_NAME]
    rows = _rows(db, token)
    assert len(rows) == 1 and rows[0]["user_id"] == user.id and rows[0]["ended_at"] is None
    stored = " ".join(str(v) for v in rows[0].values())
    assert token not in stored  # only its hash
    assert db.execute(text("SELECT count(*) FROM core_auth_sessions WHERE token_hash = :t"),
                      {"t": token}).scalar_one() == 0


def test_the_cookie_is_not_secure_in_development(app, session_factory, make_user) -> None:
    from core.app import create_app

    dev = create_app(get_settings().model_copy(update={"env": "development"}), session_factory,
                     start_worker=False)
    user = make_user("business_unit")
    with TestClient(dev) as c:
        r = c.post(SESSION, json={"email": user.email, "password": user.password})
        assert r.status_code == 204, r.text
        assert "secure" not in r.headers["set-cookie"].lower()
        assert c.get(ME).status_code == 200  # sent back over http


def test_get_session_describes_it(browser: TestClient, make_user) -> None:
    user = make_user("business_unit", "crg_chair", name="Session Reader")
    sign_in(browser, user)
    r = browser.get(SESSION)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"user", "roles", "csrf_token", "expires_at"}
    assert body["user"] == {"id": user.id, "email": user.email, "name": "Session Reader"}
    assert body["roles"] == ["business_unit", "crg_chair"]
    assert len(body["csrf_token"]) >= 32
    expires = dt.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    now = dt.datetime.now(dt.UTC)
    assert now + dt.timedelta(minutes=29) < expires <= now + dt.timedelta(minutes=31)
    assert browser.cookies[COOKIE_NAME] not in r.text  # no token in the body but the CSRF one


def test_get_session_without_one_is_401(browser: TestClient, make_user) -> None:
    assert browser.get(SESSION).status_code == 401
    browser.cookies.set(COOKIE_NAME, "made-up", domain="testserver.local")  # the jar files the test host under .local
    r = browser.get(SESSION)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    # a bearer token is not a browser session
    user = make_user("business_unit")
    browser.cookies.clear()
    assert browser.get(SESSION, headers=user.headers).status_code == 401


def test_wrong_password_and_unknown_email_get_the_same_401(browser: TestClient, make_user) -> None:
    user = make_user("business_unit")
    wrong = browser.post(SESSION, json={"email": user.email, "password": "not the password at all"})
    unknown = browser.post(SESSION, json={"email": "nobody-here@example.test", "password": "not the password at all"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda b: {k: v for k, v in b.items() if k != "request_id"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")
    assert COOKIE_NAME not in browser.cookies and "set-cookie" not in wrong.headers


def test_an_unknown_email_is_checked_against_a_dummy_hash(browser: TestClient, monkeypatch) -> None:
    """Same work whether or not the email exists: a password hash is verified either way."""
    from core.auth import passwords

    calls: list[str | None] = []
    original = passwords._hasher

    class Counting:
        def verify(self, hash_: str, password: str) -> bool:
            calls.append(hash_)
            return original.verify(hash_, password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    r = browser.post(SESSION, json={"email": "ghost@example.test", "password": "some password here"})
    assert r.status_code == 401 and calls == [passwords._DUMMY]


def test_an_inactive_user_cannot_sign_in(browser: TestClient, make_user, db) -> None:
    user = make_user("business_unit")
    db.execute(text("UPDATE core_users SET is_active = :f WHERE id = :i"), {"f": False, "i": user.id})
    db.commit()
    r = browser.post(SESSION, json={"email": user.email, "password": user.password})
    assert r.status_code == 401


def test_a_bad_body_is_422_naming_the_field(browser: TestClient) -> None:
    r = browser.post(SESSION, json={"email": "a@example.test"})
    assert r.status_code == 422
    assert any(e["loc"] == ["body", "password"] for e in r.json()["errors"])


def test_a_cookie_authenticates_reads(browser: TestClient, make_user) -> None:
    user = make_user("business_unit")
    sign_in(browser, user)
    r = browser.get(ME)
    assert r.status_code == 200 and r.json()["id"] == user.id
    assert browser.get(MEETINGS).status_code == 200


def test_unsafe_requests_with_the_cookie_need_the_csrf_token(browser: TestClient, make_user) -> None:
    user = make_user("business_unit")
    sign_in(browser, user)
    token = csrf(browser)
    r = browser.post(MEETINGS, json=MEETING)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = browser.post(MEETINGS, json=MEETING, headers={"X-CSRF-Token": token + "x"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = browser.post(MEETINGS, json={"kind": 5}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"  # before the 422
    r = browser.post(MEETINGS, json=MEETING, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    r = browser.post(MEETINGS, json={"kind": 5}, headers={"X-CSRF-Token": token})
    assert r.status_code == 422


def test_a_role_lacking_the_permission_is_403_forbidden_with_the_cookie(browser: TestClient, make_user) -> None:
    sign_in(browser, make_user("crg_chair"))
    r = browser.post(MEETINGS, json={"kind": 5}, headers={"X-CSRF-Token": csrf(browser)})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_bearer_requests_need_no_csrf_token(browser: TestClient, make_user) -> None:
    user = make_user("business_unit")
    r = browser.post(MEETINGS, json=MEETING, headers=user.headers)
    assert r.status_code == 201, r.text
    # the bearer token wins over a cookie sent along with it
    sign_in(browser, make_user("business_unit"))
    r = browser.post(MEETINGS, json=MEETING, headers=user.headers)
    assert r.status_code == 201, r.text
    assert browser.post(MEETINGS, json=MEETING, headers={"Authorization": "Bearer junk"}).status_code == 401


def test_sign_in_needs_no_csrf_token_even_with_a_session(browser: TestClient, make_user, db) -> None:
    user = make_user("business_unit")
    first = sign_in(browser, user)
    second = sign_in(browser, user)
    assert browser.get(ME).status_code == 200
    assert first != second and _rows(db, first)[0]["ended_at"] is not None  # replaced


def test_sign_out_ends_the_session_on_the_server(browser: TestClient, make_user, db) -> None:
    user = make_user("business_unit")
    token = sign_in(browser, user)
    # unsafe: needs the CSRF token too
    r = browser.delete(SESSION)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = browser.delete(SESSION, headers={"X-CSRF-Token": csrf(browser)})
    assert r.status_code == 204, r.text
    assert "max-age=0" in r.headers["set-cookie"].lower() or "expires=" in r.headers["set-cookie"].lower()
    assert _rows(db, token)[0]["ended_at"] is not None
    # the old cookie, replayed, is refused
    browser.cookies.clear()
    browser.cookies.set(COOKIE_NAME, token, domain="testserver.local")  # the jar files the test host under .local
    assert browser.get(ME).status_code == 401
    assert browser.get(SESSION).status_code == 401


def _age(db, token: str, **changes: dt.datetime) -> None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    from core.auth.models import AuthSession
    from sqlalchemy import update

    db.execute(update(AuthSession).where(AuthSession.token_hash == digest).values(**changes))
    db.commit()


def test_idle_timeout(browser: TestClient, make_user, db) -> None:
    user = make_user("business_unit")
    token = sign_in(browser, user)
    now = dt.datetime.now(dt.UTC)
    _age(db, token, last_seen_at=now - dt.timedelta(minutes=29))
    assert browser.get(ME).status_code == 200  # and it was used: seen again now
    seen = _rows(db, token)[0]["last_seen_at"]
    if isinstance(seen, str):
        seen = dt.datetime.fromisoformat(seen)
    assert seen.replace(tzinfo=dt.UTC) > (now - dt.timedelta(minutes=1)).replace(tzinfo=dt.UTC) if seen.tzinfo is None \
        else seen > now - dt.timedelta(minutes=1)
    _age(db, token, last_seen_at=now - dt.timedelta(minutes=31))
    r = browser.get(ME)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def test_absolute_timeout(browser: TestClient, make_user, db) -> None:
    user = make_user("business_unit")
    token = sign_in(browser, user)
    now = dt.datetime.now(dt.UTC)
    assert browser.get(ME).status_code == 200
    _age(db, token, created_at=now - dt.timedelta(hours=12, minutes=1), expires_at=now - dt.timedelta(minutes=1))
    assert browser.get(ME).status_code == 401  # though used a moment ago


def test_the_limits_are_settings(monkeypatch) -> None:
    from core.settings import Settings

    assert Settings().session_idle_minutes == 30 and Settings().session_absolute_hours == 12
    monkeypatch.setenv("ECR_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("ECR_SESSION_ABSOLUTE_HOURS", "8")
    s = Settings()
    assert (s.session_idle_minutes, s.session_absolute_hours) == (15, 8)


def test_the_absolute_limit_follows_the_setting(app, session_factory, make_user, db) -> None:
    from core.app import create_app

    short = create_app(get_settings().model_copy(update={"session_absolute_hours": 2}), session_factory,
                       start_worker=False)
    user = make_user("business_unit")
    with TestClient(short, base_url="https://testserver") as c:
        token = sign_in(c, user)
    row = _rows(db, token)[0]
    created, expires = row["created_at"], row["expires_at"]
    if isinstance(created, str):
        created, expires = dt.datetime.fromisoformat(created), dt.datetime.fromisoformat(expires)
    assert abs((expires - created) - dt.timedelta(hours=2)) < dt.timedelta(seconds=1)


def test_deactivation_ends_the_session_at_once(browser: TestClient, client: TestClient, make_user) -> None:
    admin = make_user("admin")
    user = make_user("business_unit")
    sign_in(browser, user)
    assert browser.get(ME).status_code == 200
    assert client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers).status_code == 200
    assert browser.get(ME).status_code == 401
    # and stays ended when the user is active again
    assert client.patch(f"/api/v1/users/{user.id}", json={"is_active": True}, headers=admin.headers).status_code == 200
    assert browser.get(ME).status_code == 401


def test_a_role_change_ends_the_session_at_once(browser: TestClient, client: TestClient, make_user) -> None:
    admin = make_user("admin")
    user = make_user("business_unit")
    sign_in(browser, user)
    assert browser.get(MEETINGS).status_code == 200
    r = client.patch(f"/api/v1/users/{user.id}", json={"roles": ["business_unit", "crg_chair"]}, headers=admin.headers)
    assert r.status_code == 200
    r = browser.post(MEETINGS, json={"kind": 5}, headers={"X-CSRF-Token": "any"})
    assert r.status_code == 401  # before the CSRF check and the 422
    assert browser.get(ME).status_code == 401
    # a new sign-in gets the new roles
    sign_in(browser, user)
    assert browser.get(SESSION).json()["roles"] == ["business_unit", "crg_chair"]


def test_sign_in_failure_and_sign_out_are_audited(browser: TestClient, make_user, db) -> None:
    user = make_user("business_unit")
    password = user.password
    browser.post(SESSION, json={"email": user.email, "password": "wrong password here"})
    browser.post(SESSION, json={"email": "ghost@example.test", "password": password})
    sign_in(browser, user)
    browser.delete(SESSION, headers={"X-CSRF-Token": csrf(browser)})
    failed = _events(db, "auth.session_failed")
    assert [(a, s) for a, s, _ in failed[-2:]] == [("anonymous", str(user.id)), ("anonymous", None)]
    started = _events(db, "auth.session_start")
    ended = _events(db, "auth.session_end")
    assert started[-1][:2] == (f"user:{user.id}", str(user.id))
    assert ended[-1][:2] == (f"user:{user.id}", str(user.id))
    raw = db.execute(text("SELECT data FROM core_audit_events WHERE action LIKE 'auth.session%'")).all()
    assert password not in str(raw) and "wrong password" not in str(raw) and "ghost@" not in str(raw)


def test_sign_ins_are_rate_limited(session_factory, make_user) -> None:
    from core.app import create_app

    app = create_app(get_settings().model_copy(update={"login_rate_limit": "3/minute"}), session_factory,
                     start_worker=False)
    user = make_user("business_unit")
    with TestClient(app, base_url="https://testserver", client=("198.51.100.77", 1)) as c, \
            TestClient(app, base_url="https://testserver", client=("198.51.100.78", 1)) as other:
        body = {"email": user.email, "password": "wrong password here"}
        assert [c.post(SESSION, json=body).status_code for _ in range(3)] == [401] * 3
        r = c.post(SESSION, json={"email": user.email, "password": user.password})
        assert r.status_code == 429 and r.json()["code"] == "rate_limited" and "retry-after" in r.headers
        assert other.post(SESSION, json={"email": user.email, "password": user.password}).status_code == 204


def test_an_async_endpoint_takes_the_cookie_too(session_factory, make_user, db) -> None:
    """The lookup up front (no endpoint thread to defer it to), with the idle clock moved on."""
    from fastapi import Depends

    from core.app import create_app
    from core.auth.deps import authenticated

    app = create_app(get_settings(), session_factory, start_worker=False)

    @app.post("/api/v1/_async_probe")
    async def probe(principal=Depends(authenticated())) -> dict[str, int]:  # noqa: B008
        return {"id": principal.user_id}

    user = make_user("business_unit")
    with TestClient(app, base_url="https://testserver") as c:
        token = sign_in(c, user)
        header = {"X-CSRF-Token": csrf(c)}
        assert c.post("/api/v1/_async_probe").json()["code"] == "csrf_failed"
        _age(db, token, last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10))
        r = c.post("/api/v1/_async_probe", headers=header)
        assert r.status_code == 200 and r.json() == {"id": user.id}
        _age(db, token, last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
        assert c.post("/api/v1/_async_probe", headers=header).status_code == 401


def test_the_worker_deletes_sessions_dead_for_over_a_day(browser: TestClient, make_user, db) -> None:
    from core.auth.sessions import purge_sessions
    from core.registry import PERIODIC_JOBS

    assert PERIODIC_JOBS.get("auth.sessions.purge") is purge_sessions  # registered by create_app
    user = make_user("business_unit")
    # each sign-in in this browser ends the one before: the last is the only one open
    ended_long_ago, ended_today, expired_long_ago, live = (sign_in(browser, user) for _ in range(4))
    now = dt.datetime.now(dt.UTC)
    _age(db, ended_long_ago, ended_at=now - dt.timedelta(days=1, minutes=1))
    _age(db, ended_today, ended_at=now - dt.timedelta(hours=3))
    _age(db, expired_long_ago, expires_at=now - dt.timedelta(days=2))
    assert purge_sessions(db, now.date()) == 2
    db.commit()
    assert _rows(db, ended_long_ago) == [] and _rows(db, expired_long_ago) == []
    assert len(_rows(db, ended_today)) == 1 and len(_rows(db, live)) == 1, _rows(db, live)
    # the one still open works as before
    browser.cookies.clear()
    browser.cookies.set(COOKIE_NAME, live, domain="testserver.local")  # the jar files the test host under .local
    assert browser.get(ME).status_code == 200
