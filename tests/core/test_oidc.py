"""OpenID Connect bearer tokens: RS256 against a JWKS served by a real local HTTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jose import jwk, jwt

from core.app import create_app
from core.auth import oidc
from core.settings import Settings, get_settings

ISSUER = "https://idp.example.test/realms/partnership"
AUDIENCE = "ecr-api"


def _rsa_pem() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[bytes, bytes]]:
    return {"k1": _rsa_pem(), "k2": _rsa_pem(), "other": _rsa_pem()}


def public_jwk(public_pem: bytes, kid: str) -> dict[str, Any]:
    data = jwk.construct(public_pem, "RS256").to_dict()
    return {**{k: (v.decode() if isinstance(v, bytes) else v) for k, v in data.items()}, "kid": kid, "use": "sig"}


class JwksServer:
    """A tiny real HTTP server serving a JWKS document that tests can swap."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.hits = 0
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.hits += 1
                body = json.dumps(server.document).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/protocol/openid-connect/certs"

    def serve(self, *jwks: dict[str, Any]) -> None:
        self.document = {"keys": list(jwks)}


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    oidc.reset_caches()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def oidc_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        env="test", secret_key=get_settings().secret_key, modules=[], oidc_jwks_url=url, oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE, oidc_roles_claim="realm_access.roles", oidc_jwks_refresh_seconds=60,
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def oidc_env(jwks_server: JwksServer, session_factory, keys):
    """(client, settings, clock) for an app that accepts tokens from the test issuer."""
    jwks_server.serve(public_jwk(keys["k1"][1], "k1"))
    settings = oidc_settings(jwks_server.url)
    clock = FakeClock()
    oidc.jwks_cache(settings).clock = clock
    app = create_app(settings, session_factory, start_worker=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, settings, clock


def make_token(private_pem: bytes, kid: str | None = "k1", **claims: Any) -> str:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": "f1b7c2d0-idp-subject", "iat": now, "exp": now + 300,
        "email": "oidc.person@example.test", "name": "Olive Idp",
        "realm_access": {"roles": ["business_unit", "crg_chair", "offline_access", "superuser"]},
    }
    for name, value in claims.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    headers = {"kid": kid} if kid else None
    return jwt.encode(body, private_pem.decode(), algorithm="RS256", headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_401(r) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"


def test_valid_token_accepted_with_known_roles_only(oidc_env, keys, jwks_server) -> None:
    client, _, _ = oidc_env
    r = client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0])))
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["roles"] == ["business_unit", "crg_chair"]
    assert me["id"] is None and me["email"] == "oidc.person@example.test" and me["name"] == "Olive Idp"
    # Cached: a second request does not fetch the JWKS again.
    assert client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0]))).status_code == 200
    assert jwks_server.hits == 1


def test_roles_grant_permissions(oidc_env, keys) -> None:
    client, _, _ = oidc_env
    admin = make_token(keys["k1"][0], realm_access={"roles": ["admin"]})
    assert client.get("/api/v1/users", headers=bearer(admin)).status_code == 200
    staff = make_token(keys["k1"][0])
    r = client.get("/api/v1/users", headers=bearer(staff))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_principal_links_to_local_user_and_inactive_user_refused(oidc_env, keys, make_user) -> None:
    client, _, _ = oidc_env
    local = make_user("crg_member", email="linked.person@example.test")
    token = make_token(keys["k1"][0], email="Linked.Person@example.test")
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 200 and r.json()["id"] == local.id
    # An unverified email does not link to the local account.
    r = client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0], email="linked.person@example.test",
                                                            email_verified=False)))
    assert r.json()["id"] is None

    admin = make_user("admin")
    assert client.patch(f"/api/v1/users/{local.id}", json={"is_active": False},
                        headers=admin.headers).status_code == 200
    assert_401(client.get("/api/v1/me", headers=bearer(token)))


def test_unknown_kid_refreshes_once_then_succeeds_after_rotation(oidc_env, keys, jwks_server) -> None:
    client, _, clock = oidc_env
    assert client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0]))).status_code == 200
    assert jwks_server.hits == 1

    # The issuer rotates to k2 after the refresh interval has passed.
    jwks_server.serve(public_jwk(keys["k2"][1], "k2"))
    clock.now += 61
    r = client.get("/api/v1/me", headers=bearer(make_token(keys["k2"][0], kid="k2")))
    assert r.status_code == 200, r.text
    assert jwks_server.hits == 2

    # Another unknown kid within the interval: refused without fetching again.
    assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["other"][0], kid="k3"))))
    assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0], kid="k1"))))  # retired key
    assert jwks_server.hits == 2
    # Once the interval has passed, an unknown kid may refresh again (exactly once).
    clock.now += 61
    assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["other"][0], kid="k3"))))
    assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["other"][0], kid="k4"))))
    assert jwks_server.hits == 3


def test_unknown_kid_within_interval_does_not_refetch(oidc_env, keys, jwks_server) -> None:
    client, _, _ = oidc_env
    assert client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0]))).status_code == 200
    jwks_server.serve(public_jwk(keys["k1"][1], "k1"), public_jwk(keys["k2"][1], "k2"))
    for _ in range(3):
        assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["k2"][0], kid="k2"))))
    assert jwks_server.hits == 1


def test_concurrent_unknown_kids_fetch_once(jwks_server, keys) -> None:
    jwks_server.serve(public_jwk(keys["k1"][1], "k1"))
    cache = oidc.JwksCache(jwks_server.url, 60)
    results: list[str] = []

    def worker() -> None:
        try:
            cache.key_for("k1")
            results.append("ok")
        except Exception as exc:  # noqa: BLE001
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 8
    assert jwks_server.hits == 1 and cache.fetches == 1


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "someone-else"},
        {"iss": "https://evil.example.test"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"exp": None},
        {"iat": None},
        {"sub": None},
        {"aud": None},
        {"iss": None},
    ],
    ids=["wrong-aud", "wrong-iss", "expired", "no-exp", "no-iat", "no-sub", "no-aud", "no-iss"],
)
def test_bad_claims_401(oidc_env, keys, claims) -> None:
    client, _, _ = oidc_env
    assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0], **claims))))


def test_signature_by_another_key_with_known_kid_401(oidc_env, keys) -> None:
    client, _, _ = oidc_env
    assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["other"][0], kid="k1"))))


def test_token_without_kid_uses_the_single_published_key(oidc_env, keys) -> None:
    client, _, _ = oidc_env
    assert client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0], kid=None))).status_code == 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_hs256_signed_with_the_public_key_is_refused(oidc_env, keys) -> None:
    """The classic algorithm confusion: HMAC keyed with the issuer's public key."""
    client, _, _ = oidc_env
    now = int(time.time())
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    payload = _b64(json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "iat": now, "exp": now + 60,
                               "realm_access": {"roles": ["admin"]}}).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = _b64(hmac.new(keys["k1"][1], signing_input, hashlib.sha256).digest())
    assert_401(client.get("/api/v1/me", headers=bearer(f"{header}.{payload}.{sig}")))


def test_built_in_tokens_still_work_next_to_oidc(oidc_env, make_user) -> None:
    client, settings, _ = oidc_env
    from core.auth.tokens import issue_access_token

    user = make_user("business_unit")
    token = issue_access_token(settings, str(user.id))
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 200 and r.json()["id"] == user.id


def test_jwks_unreachable_is_503_and_not_hammered(jwks_server, session_factory, keys) -> None:
    jwks_server.status = 500
    settings = oidc_settings(jwks_server.url)
    app = create_app(settings, session_factory, start_worker=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0])))
        assert r.status_code == 503 and r.json()["code"] == "unavailable"
        assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0]))))
    assert jwks_server.hits == 1


def test_roles_claim_paths() -> None:
    claims = {"roles": ["admin", "nope"], "realm_access": {"roles": ["crg_member"]},
              "https://example.test/roles": "cdop_chair business_unit", "scope": "x"}
    assert oidc.roles_from_claims(claims, "roles") == {"admin"}
    assert oidc.roles_from_claims(claims, "realm_access.roles") == {"crg_member"}
    assert oidc.roles_from_claims(claims, "https://example.test/roles") == {"cdop_chair", "business_unit"}
    assert oidc.roles_from_claims(claims, "missing.path") == frozenset()
    assert oidc.roles_from_claims({"roles": 3}, "roles") == frozenset()


def test_oidc_settings_need_issuer_and_audience() -> None:
    with pytest.raises(ValueError):
        Settings(env="test", secret_key="s" * 48, oidc_jwks_url="http://127.0.0.1:1/certs")


def test_long_subject_is_a_short_actor(oidc_env, keys) -> None:
    from core.auth.principal import Principal

    client, _, _ = oidc_env
    long_sub = "s" * 250
    r = client.get("/api/v1/users", headers=bearer(make_token(keys["k1"][0], sub=long_sub,
                                                               realm_access={"roles": ["admin"]})))
    assert r.status_code == 200
    actor = Principal(subject=long_sub, email="", name="x", roles=frozenset()).actor
    assert actor.startswith("oidc:sha256:") and len(actor) <= 200
    assert Principal(subject="abc", email="", name="x", roles=frozenset()).actor == "oidc:abc"
    assert_401(client.get("/api/v1/me", headers=bearer(make_token(keys["k1"][0], sub="s" * 256))))
