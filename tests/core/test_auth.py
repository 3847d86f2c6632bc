"""Built-in tokens, login, /me, deactivation and 401/403 problems."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jose import jwt
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.tokens import issue_access_token
from core.settings import get_settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(user_id: int, **overrides: Any) -> dict[str, Any]:
    s = get_settings()
    now = int(time.time())
    claims: dict[str, Any] = {"sub": str(user_id), "iat": now, "exp": now + 600, "aud": s.token_audience,
                              "iss": s.token_issuer, "typ": "access"}
    for k, v in overrides.items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    return claims


def hs256(claims: dict[str, Any], key: str | None = None) -> str:
    return jwt.encode(claims, key or get_settings().secret_key, algorithm="HS256")


def assert_401(r) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "unauthorized" and body["status"] == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "Traceback" not in r.text


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _alg_none(uid: int) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims_for(uid)).encode())}."


def _public_key_trick(uid: int) -> str:
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims_for(uid)).encode())
    sig = _b64(hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{sig}"


BAD_TOKENS = {
    "alg-none": _alg_none,
    "alg-none-uppercase": lambda uid: _alg_none(uid).replace(
        _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()), _b64(b'{"alg":"NONE","typ":"JWT"}')),
    "wrong-signature": lambda uid: hs256(claims_for(uid), "another-secret-" + "y" * 40),
    "tampered-payload": lambda uid: (lambda t: ".".join(
        [t.split(".")[0], _b64(json.dumps(claims_for(uid + 1000)).encode()), t.split(".")[2]]))(
        hs256(claims_for(uid))),
    "expired": lambda uid: hs256(claims_for(uid, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
    "missing-exp": lambda uid: hs256(claims_for(uid, exp=None)),
    "missing-sub": lambda uid: hs256(claims_for(uid, sub=None)),
    "empty-sub": lambda uid: hs256(claims_for(uid, sub="")),
    "missing-iat": lambda uid: hs256(claims_for(uid, iat=None)),
    "missing-aud": lambda uid: hs256(claims_for(uid, aud=None)),
    "missing-iss": lambda uid: hs256(claims_for(uid, iss=None)),
    "wrong-aud": lambda uid: hs256(claims_for(uid, aud="another-api")),
    "wrong-iss": lambda uid: hs256(claims_for(uid, iss="https://evil.example.test")),
    "wrong-type": lambda uid: hs256(claims_for(uid, typ="agency_link")),
    "non-numeric-sub": lambda uid: hs256(claims_for(uid, sub="admin")),
    "exp-list": lambda uid: hs256(claims_for(uid, exp=[1])),
    "iat-object": lambda uid: hs256(claims_for(uid, iat={"a": 1})),
    "nbf-list": lambda uid: hs256(claims_for(uid, nbf=[1])),
    "nbf-future": lambda uid: hs256(claims_for(uid, nbf=int(time.time()) + 3600)),
    "sub-number": lambda uid: hs256(claims_for(uid, sub=uid)),
    "unknown-user": lambda uid: hs256(claims_for(uid + 99999)),
    "hs256-with-public-key": _public_key_trick,
    "rs256-without-oidc": lambda uid: jwt.encode(
        claims_for(uid), rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(), algorithm="RS256"),
    "hs512": lambda uid: jwt.encode(claims_for(uid), get_settings().secret_key, algorithm="HS512"),
    "garbage": lambda uid: "not-a-token",
    "garbage-three-parts": lambda uid: "a.b.c",
    "garbage-json-header": lambda uid: _b64(b"[1,2]") + "." + _b64(b"{}") + ".",
    "huge-garbage": lambda uid: "x" * 5000,
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_bad_tokens_are_401_problems(client: TestClient, make_user, kind: str) -> None:
    user = make_user("admin")
    assert client.get("/api/v1/me", headers=user.headers).status_code == 200
    token = BAD_TOKENS[kind](user.id)
    assert_401(client.get("/api/v1/me", headers=bearer(token)))
    assert_401(client.get("/api/v1/users", headers=bearer(token)))


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_missing_or_malformed_authorization_is_401(client: TestClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    assert_401(client.get("/api/v1/me", headers=headers))


def test_login_issues_a_working_token(client: TestClient, make_user) -> None:
    user = make_user("business_unit", "crg_chair", agency="Council")
    r = client.post("/api/v1/auth/token", data={"username": user.email.upper(), "password": user.password})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == get_settings().access_token_minutes * 60
    claims = jwt.get_unverified_claims(body["access_token"])
    assert claims["sub"] == str(user.id) and {"exp", "iat", "aud", "iss"} <= claims.keys()
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {"id": user.id, "email": user.email, "name": user.name,
                         "roles": ["business_unit", "crg_chair"], "agency": "Council"}


def test_login_with_grant_type_password(client: TestClient, make_user) -> None:
    user = make_user("admin")
    r = client.post("/api/v1/auth/token",
                    data={"grant_type": "password", "username": user.email, "password": user.password})
    assert r.status_code == 200
    r = client.post("/api/v1/auth/token",
                    data={"grant_type": "client_credentials", "username": user.email, "password": user.password})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


def test_wrong_password_and_unknown_email_are_401_and_recorded(client: TestClient, make_user, db) -> None:
    user = make_user("admin")
    assert_401(client.post("/api/v1/auth/token", data={"username": user.email, "password": "wrong password!!"}))
    assert_401(client.post("/api/v1/auth/token", data={"username": "nobody@example.test", "password": "x" * 12}))
    r = client.post("/api/v1/auth/token", data={"username": user.email, "password": "wrong password!!"})
    assert r.json()["detail"] == "incorrect email or password"
    failed = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
    assert len(failed) == 3
    assert failed[0].subject_id == str(user.id) and failed[1].subject_id is None


def test_login_form_validation(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", data={"username": "a@example.test"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = client.post("/api/v1/auth/token", json={"username": "a@example.test", "password": "x"})
    assert r.status_code == 422


def test_deactivated_user_loses_access_at_once(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    user = make_user("business_unit")
    assert client.get("/api/v1/me", headers=user.headers).status_code == 200
    r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert_401(client.get("/api/v1/me", headers=user.headers))
    assert_401(client.post("/api/v1/auth/token", data={"username": user.email, "password": user.password}))
    # Reactivated: the same token works again (it has not expired).
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": True}, headers=admin.headers)
    assert client.get("/api/v1/me", headers=user.headers).status_code == 200


def test_role_change_applies_to_existing_tokens(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    other = make_user("admin")
    assert client.get("/api/v1/users", headers=other.headers).status_code == 200
    client.patch(f"/api/v1/users/{other.id}", json={"roles": ["crg_member"]}, headers=admin.headers)
    assert client.get("/api/v1/users", headers=other.headers).status_code == 403


def test_role_lacking_permission_is_403_problem(client: TestClient, make_user) -> None:
    user = make_user("crg_member")
    r = client.get("/api/v1/users", headers=user.headers)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "forbidden" and "users:manage" in body["detail"]
    assert client.get("/api/v1/audit", headers=user.headers).json()["code"] == "forbidden"


def test_user_without_roles_can_read_me_only(client: TestClient, make_user) -> None:
    user = make_user()
    assert client.get("/api/v1/me", headers=user.headers).json()["roles"] == []
    assert client.get("/api/v1/users", headers=user.headers).status_code == 403


def test_issued_token_round_trips() -> None:
    from core.auth.tokens import decode_access_token

    s = get_settings()
    claims = decode_access_token(s, issue_access_token(s, "42"))
    assert claims["sub"] == "42" and claims["typ"] == "access"


def test_setting_a_password_revokes_the_tokens_already_issued(client: TestClient, make_user, db) -> None:
    import time as _time

    from core.auth.tokens import issue_access_token
    from core.settings import get_settings

    admin = make_user("admin")
    user = make_user("business_unit")
    assert client.get("/api/v1/me", headers=user.headers).status_code == 200  # now cached as verified
    r = client.patch(f"/api/v1/users/{user.id}", json={"password": "a brand new long password"},
                     headers=admin.headers)
    assert r.status_code == 200, r.text
    assert_401(client.get("/api/v1/me", headers=user.headers))
    # A token issued after the change works (iat a second later than the change).
    later = issue_access_token(get_settings(), str(user.id), {"iat": int(_time.time()) + 1})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {later}"}).status_code == 200
    # Changing other fields does not revoke anything.
    client.patch(f"/api/v1/users/{user.id}", json={"name": "Renamed Person"}, headers=admin.headers)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {later}"}).status_code == 200


def test_the_verified_token_cache_forgets_expired_tokens_and_stays_bounded() -> None:
    import time as _time

    from core.auth.identity import _VerifiedTokens

    cache = _VerifiedTokens(size=2)
    cache.put(("k", "old"), {"exp": _time.time() - 31, "iat": 0})  # past exp + 30 s leeway
    assert cache.get(("k", "old")) is None and ("k", "old") not in cache._items
    for n in range(3):
        cache.put(("k", str(n)), {"exp": _time.time() + 60, "iat": 0})
    assert cache.get(("k", "0")) is None and cache.get(("k", "2")) is not None
    assert cache.get(("other-secret", "2")) is None  # another secret never sees it
