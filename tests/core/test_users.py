"""Admin user management and the bootstrap admin."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.app import create_app
from core.audit.models import AuditEvent
from core.auth.bootstrap import bootstrap_admin
from core.auth.models import User
from core.settings import Settings, get_settings

PASSWORD = "a long enough password"


def _no_secrets(r) -> None:
    assert "password" not in r.text.lower() or "password_hash" not in r.text
    assert "$argon2" not in r.text and "password_hash" not in r.text


def test_create_get_list_and_patch_users(client: TestClient, make_user, db) -> None:
    admin = make_user("admin")
    r = client.post("/api/v1/users", headers=admin.headers, json={
        "email": "New.Person@Example.org", "name": "  New Person ", "password": PASSWORD,
        "roles": ["business_unit", "crg_member"], "agency": "Police"})
    assert r.status_code == 201, r.text
    _no_secrets(r)
    created = r.json()
    assert created["email"] == "new.person@example.org" and created["name"] == "New Person"
    assert created["roles"] == ["business_unit", "crg_member"] and created["is_active"] is True
    assert set(created) == {"id", "email", "name", "roles", "agency", "is_active"}
    uid = created["id"]

    r = client.get(f"/api/v1/users/{uid}", headers=admin.headers)
    assert r.status_code == 200 and r.json() == created
    _no_secrets(r)

    r = client.patch(f"/api/v1/users/{uid}", headers=admin.headers,
                     json={"name": "Renamed", "roles": ["crg_chair"], "password": "another long password"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Renamed" and r.json()["roles"] == ["crg_chair"]
    _no_secrets(r)
    # The new password works, the old one does not.
    assert client.post("/api/v1/auth/token", data={"username": created["email"],
                                                   "password": "another long password"}).status_code == 200
    assert client.post("/api/v1/auth/token", data={"username": created["email"],
                                                   "password": PASSWORD}).status_code == 401

    r = client.patch(f"/api/v1/users/{uid}", headers=admin.headers, json={"agency": None})
    assert r.json()["agency"] is None and r.json()["name"] == "Renamed"

    r = client.patch(f"/api/v1/users/{uid}", headers=admin.headers, json={"is_active": False})
    assert r.json()["is_active"] is False
    assert db.get(User, uid).deactivated_at is not None

    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "user",
                                                         AuditEvent.subject_id == str(uid))).all()
    assert actions.count("user.create") == 1 and actions.count("user.update") == 3
    update = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).first()
    assert PASSWORD not in str(update.data) and "another long password" not in str(update.data)


def test_list_users_paginates(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    for i in range(4):
        make_user("crg_member", email=f"member{i}@example.test")
    r = client.get("/api/v1/users", params={"limit": 2}, headers=admin.headers)
    assert r.status_code == 200
    page1 = r.json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    seen = [u["id"] for u in page1["items"]]
    cursor = page1["next_cursor"]
    while cursor:
        page = client.get("/api/v1/users", params={"limit": 2, "cursor": cursor}, headers=admin.headers).json()
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5 and seen == sorted(seen)
    _no_secrets(r)
    r = client.get("/api/v1/users", params={"cursor": "!!bad"}, headers=admin.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "cursor"]
    assert client.get("/api/v1/users", params={"limit": 201}, headers=admin.headers).status_code == 422


def test_duplicate_email_is_409_case_insensitive(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    body = {"email": "dup@example.org", "name": "Dup", "password": PASSWORD}
    assert client.post("/api/v1/users", headers=admin.headers, json=body).status_code == 201
    r = client.post("/api/v1/users", headers=admin.headers, json={**body, "email": "DUP@example.org"})
    assert r.status_code == 409 and r.json()["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"email": "a@example.org", "name": "A", "roles": ["superuser"]}, ["body", "roles", 0]),
        ({"email": "a@example.org", "name": "A", "password": "short"}, ["body", "password"]),
        ({"email": "not-an-email", "name": "A"}, ["body", "email"]),
        ({"email": "a@example.org", "name": "   "}, ["body", "name"]),
        ({"email": "a@example.org"}, ["body", "name"]),
        ({"email": "a@example.org", "name": "A", "is_admin": True}, ["body", "is_admin"]),
        ({"email": "a@example.org", "name": "A", "password_hash": "$argon2id$x"}, ["body", "password_hash"]),
        ({"email": "a@example.org", "name": "A", "roles": "admin"}, ["body", "roles"]),
    ],
    ids=["bad-role", "short-password", "bad-email", "blank-name", "no-name", "extra-field",
         "password-hash", "roles-not-list"],
)
def test_create_user_validation(client: TestClient, make_user, body, loc) -> None:
    admin = make_user("admin")
    r = client.post("/api/v1/users", headers=admin.headers, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_error"
    assert loc in [e["loc"] for e in r.json()["errors"]]


def test_patch_validation_and_404(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    user = make_user("crg_member")
    for body in ({"roles": ["nope"]}, {"password": "short"}, {"email": "x@example.test"}, {"name": ""}):
        r = client.patch(f"/api/v1/users/{user.id}", headers=admin.headers, json=body)
        assert r.status_code == 422, (body, r.text)
    r = client.patch("/api/v1/users/999999", headers=admin.headers, json={"name": "X"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get("/api/v1/users/999999", headers=admin.headers).status_code == 404
    assert client.get("/api/v1/users/abc", headers=admin.headers).status_code == 422


def test_admin_cannot_lock_themselves_out(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    r = client.patch(f"/api/v1/users/{admin.id}", headers=admin.headers, json={"is_active": False})
    assert r.status_code == 409
    r = client.patch(f"/api/v1/users/{admin.id}", headers=admin.headers, json={"roles": ["business_unit"]})
    assert r.status_code == 409
    r = client.patch(f"/api/v1/users/{admin.id}", headers=admin.headers, json={"roles": ["admin", "business_unit"]})
    assert r.status_code == 200


@pytest.mark.parametrize("role", ["business_unit", "crg_chair", "cdop_coordinator", "agency_author"])
def test_non_admin_is_403_and_anonymous_401(client: TestClient, make_user, role: str) -> None:
    user = make_user(role)
    target = make_user("crg_member")
    calls = [
        ("post", "/api/v1/users", {"email": "x@example.test", "name": "X"}),
        ("get", "/api/v1/users", None),
        ("get", f"/api/v1/users/{target.id}", None),
        ("patch", f"/api/v1/users/{target.id}", {"roles": ["admin"]}),
    ]
    for method, path, body in calls:
        kwargs = {"json": body} if body is not None else {}
        r = client.request(method, path, headers=user.headers, **kwargs)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", (method, path, r.text)
        r = client.request(method, path, **kwargs)
        assert r.status_code == 401, (method, path)


def _settings(**values) -> Settings:
    return Settings(env="test", secret_key=get_settings().secret_key, modules=[], **values)


def test_bootstrap_admin_only_when_no_user_exists(session_factory, db) -> None:
    settings = _settings(bootstrap_admin_email="Boot@Example.org", bootstrap_admin_password=PASSWORD)
    bootstrap_admin(session_factory, settings)
    users = db.scalars(select(User)).all()
    assert [(u.email, u.roles, u.is_active) for u in users] == [("boot@example.org", ["admin"], True)]
    assert users[0].password_hash and users[0].password_hash.startswith("$argon2")
    # Never a second time, whatever the settings say.
    bootstrap_admin(session_factory, _settings(bootstrap_admin_email="other@example.test",
                                               bootstrap_admin_password=PASSWORD))
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User)) == 1
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.bootstrap")) == 1


def test_bootstrap_skipped_when_users_exist_or_not_configured(session_factory, make_user, db) -> None:
    bootstrap_admin(session_factory, _settings())
    bootstrap_admin(session_factory, _settings(bootstrap_admin_email="a@example.org"))
    bootstrap_admin(session_factory, _settings(bootstrap_admin_email="a@example.org",
                                               bootstrap_admin_password="short"))
    assert db.scalar(select(func.count()).select_from(User)) == 0
    make_user("business_unit")
    bootstrap_admin(session_factory, _settings(bootstrap_admin_email="boot@example.test",
                                               bootstrap_admin_password=PASSWORD))
    assert db.scalar(select(func.count()).select_from(User).where(User.email == "boot@example.test")) == 0


def test_bootstrap_runs_on_first_start(session_factory) -> None:
    settings = _settings(bootstrap_admin_email="first@example.test", bootstrap_admin_password=PASSWORD)
    app = create_app(settings, session_factory, start_worker=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/api/v1/auth/token", data={"username": "first@example.test", "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["roles"] == ["admin"] and me["name"] == "Administrator"
