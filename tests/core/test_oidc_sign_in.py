"""Single sign-on for the staff app (API.md v1.1): the authorization code flow with PKCE and
state, run by the service, against a small identity provider served by the test itself
(discovery document, keys, token endpoint), ending in the same cookie session as a password.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from fastapi.testclient import TestClient
from jose import jwt
from sqlalchemy import text

from core.auth import oidc, oidc_login
from core.auth.sessions import COOKIE_NAME
from tests.core.test_oidc import _rsa_pem, public_jwk

CLIENT_ID = "ecr-staff-app"
SESSION = "/api/v1/auth/session"
LOGIN = "/api/v1/auth/oidc/login"
CALLBACK = "/api/v1/auth/oidc/callback"


class Issuer:
    """An identity provider in miniature: it 'authorises' whoever the test says, remembers the
    PKCE challenge and nonce of each code, and redeems each code once."""

    def __init__(self) -> None:
        self.private, public = _rsa_pem()
        self.jwk = public_jwk(public, "idp-1")
        self.codes: dict[str, dict[str, Any]] = {}
        self.redeemed: list[dict[str, str]] = []
        self.audience = CLIENT_ID
        self.approve_email: str | None = None  # who signs in at the provider's own page (browser tests)
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/realms/p/.well-known/openid-configuration":
                    self._send(200, {"issuer": idp.issuer, "authorization_endpoint": f"{idp.base}/realms/p/auth",
                                     "token_endpoint": f"{idp.base}/realms/p/token",
                                     "jwks_uri": f"{idp.base}/realms/p/certs"})
                elif self.path == "/realms/p/certs":
                    self._send(200, {"keys": [idp.jwk]})
                elif self.path.startswith("/realms/p/auth?") and idp.approve_email:
                    # the person signs in at the provider: back to the service with a code
                    answer = idp.authorise(f"{idp.base}{self.path}", idp.approve_email)
                    redirect = parse_qs(urlparse(self.path).query)["redirect_uri"][0]
                    self.send_response(302)
                    self.send_header("Location", f"{redirect}?{urlencode(answer)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._send(404, {})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                idp.redeemed.append(form)
                grant = idp.codes.pop(form.get("code", ""), None)  # a code is good once
                if grant is None or form.get("client_id") != CLIENT_ID or form.get("redirect_uri") != grant["redirect_uri"]:
                    self._send(400, {"error": "invalid_grant"})
                    return
                challenge = base64.urlsafe_b64encode(
                    hashlib.sha256(form.get("code_verifier", "").encode()).digest()).rstrip(b"=").decode()
                if challenge != grant["code_challenge"]:
                    self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
                    return
                now = int(time.time())
                claims = {"iss": idp.issuer, "aud": grant.get("aud", CLIENT_ID), "sub": grant["sub"], "iat": now,
                          "exp": now + 300, "nonce": grant["nonce"], "email": grant["email"], "name": "Single Sign-On"}
                claims.update(grant.get("extra", {}))
                token = jwt.encode(claims, idp.private.decode(), algorithm="RS256", headers={"kid": "idp-1"})
                self._send(200, {"access_token": "opaque", "token_type": "Bearer", "id_token": token})

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.issuer = f"{self.base}/realms/p"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def authorise(self, authorize_url: str, email: str, **grant: Any) -> dict[str, str]:
        """What the provider does after the person signs in there: a code for the callback."""
        query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        assert authorize_url.startswith(f"{self.issuer}/auth?")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query["nonce"], "code_challenge": query["code_challenge"],
                            "redirect_uri": query["redirect_uri"], "sub": f"idp|{email}", "email": email, **grant}
        return {"code": code, "state": query["state"]}


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    idp = Issuer()
    yield idp
    idp.httpd.shutdown()
    idp.httpd.server_close()
    oidc.reset_caches()
    oidc_login.reset_providers()


@pytest.fixture
def sso_app(app, session_factory, issuer: Issuer) -> Iterator[Any]:
    settings = app.state.settings
    saved = {k: getattr(settings, k) for k in ("oidc_issuer", "oidc_client_id", "public_base_url")}
    settings.oidc_issuer, settings.oidc_client_id = issuer.issuer, CLIENT_ID
    settings.public_base_url = "https://testserver"
    app.state.session_factory = session_factory
    yield app
    for k, v in saved.items():
        setattr(settings, k, v)
    app.state.session_factory = None


@pytest.fixture
def browser(sso_app) -> Iterator[TestClient]:
    with TestClient(sso_app, base_url="https://testserver", raise_server_exceptions=False,
                    follow_redirects=False) as c:
        yield c


def begin(browser: TestClient, next_path: str = "/case-reviews?status=received") -> str:
    r = browser.get(LOGIN, params={"next": next_path})
    assert r.status_code == 303, r.text
    cookie = r.headers["set-cookie"]
    assert oidc_login.STATE_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert f"Path={CALLBACK}" in cookie and "Secure" in cookie
    return r.headers["location"]


def _events(db, action: str) -> list[Any]:
    return db.execute(text("SELECT actor, subject_id, data FROM core_audit_events WHERE action = :a ORDER BY id"),
                      {"a": action}).all()


def test_sign_in_page_options(client: TestClient, sso_app) -> None:
    r = client.get("/api/v1/auth/options")
    assert r.status_code == 200
    assert r.json() == {"password": True, "oidc": {"label": "Sign in with your organisation's account",
                                                     "login_url": LOGIN}}


def test_without_an_issuer_there_is_no_single_sign_on(client: TestClient) -> None:
    assert client.get("/api/v1/auth/options").json() == {"password": True, "oidc": None}
    assert client.get(LOGIN, follow_redirects=False).status_code == 404
    assert client.get(CALLBACK, follow_redirects=False).status_code == 404


def test_the_request_to_the_provider_uses_pkce_state_and_nonce(browser: TestClient, issuer: Issuer) -> None:
    location = begin(browser)
    query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"https://testserver{CALLBACK}"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert "openid" in query["scope"].split()
    # a second start makes a new state and nonce
    again = {k: v[0] for k, v in parse_qs(urlparse(begin(browser)).query).items()}
    assert again["state"] != query["state"] and again["nonce"] != query["nonce"]


def test_a_good_answer_starts_the_same_session_as_a_password(browser: TestClient, issuer: Issuer, make_user, db) -> None:
    user = make_user("crg_chair")
    answer = issuer.authorise(begin(browser), user.email)
    r = browser.get(CALLBACK, params=answer)
    assert r.status_code == 303
    assert r.headers["location"] == "/app/case-reviews?status=received"
    cookies = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(f"{COOKIE_NAME}="))
    assert "HttpOnly" in session_cookie and "Secure" in session_cookie
    assert "samesite=strict" in session_cookie.lower()
    assert any(c.startswith(f"{oidc_login.STATE_COOKIE}=") and "Max-Age=0" in c for c in cookies)
    # the code was exchanged with the verifier of this browser's request
    assert issuer.redeemed[-1]["grant_type"] == "authorization_code"
    assert len(issuer.redeemed[-1]["code_verifier"]) >= 43
    s = browser.get(SESSION)
    assert s.status_code == 200, s.text
    assert s.json()["user"]["email"] == user.email and s.json()["roles"] == ["crg_chair"]
    started = _events(db, "auth.session_start")
    assert started and json.loads(started[-1].data)["method"] == "oidc" if isinstance(started[-1].data, str) \
        else started[-1].data["method"] == "oidc"


def test_a_wrong_state_is_refused(browser: TestClient, issuer: Issuer, make_user, db) -> None:
    user = make_user("business_unit")
    answer = issuer.authorise(begin(browser), user.email)
    r = browser.get(CALLBACK, params={**answer, "state": "someone-elses-state-" + "x" * 30})
    assert r.status_code == 303 and r.headers["location"] == "/app/sign-in?sso=failed"
    assert COOKIE_NAME not in browser.cookies
    assert browser.get(SESSION).status_code == 401
    assert issuer.redeemed == []  # refused before the code was used
    assert _events(db, "auth.oidc_failed")


def test_a_replayed_code_is_refused(browser: TestClient, issuer: Issuer, make_user) -> None:
    user = make_user("business_unit")
    location = begin(browser)
    answer = issuer.authorise(location, user.email)
    assert browser.get(CALLBACK, params=answer).headers["location"].startswith("/app/case-reviews")
    # the same answer again, in the same browser: its state cookie was used up
    r = browser.get(CALLBACK, params=answer)
    assert r.headers["location"] == "/app/sign-in?sso=failed"
    # and with the state cookie of a new request replayed too: the provider refuses the used code
    browser.cookies.delete(COOKIE_NAME)
    fresh = parse_qs(urlparse(begin(browser)).query)
    r = browser.get(CALLBACK, params={"code": answer["code"], "state": fresh["state"][0]})
    assert r.headers["location"] == "/app/sign-in?sso=failed"
    assert browser.get(SESSION).status_code == 401


def test_a_token_for_another_audience_is_refused(browser: TestClient, issuer: Issuer, make_user) -> None:
    user = make_user("business_unit")
    answer = issuer.authorise(begin(browser), user.email, aud="some-other-app")
    r = browser.get(CALLBACK, params=answer)
    assert r.headers["location"] == "/app/sign-in?sso=failed"
    assert browser.get(SESSION).status_code == 401


def test_a_token_with_another_nonce_is_refused(browser: TestClient, issuer: Issuer, make_user) -> None:
    user = make_user("business_unit")
    answer = issuer.authorise(begin(browser), user.email, extra={"nonce": "a-nonce-from-another-request"})
    assert browser.get(CALLBACK, params=answer).headers["location"] == "/app/sign-in?sso=failed"


def test_an_altered_state_cookie_is_refused(browser: TestClient, issuer: Issuer, make_user) -> None:
    user = make_user("business_unit")
    answer = issuer.authorise(begin(browser), user.email)
    value = browser.cookies.get(oidc_login.STATE_COOKIE)
    payload, mac = value.rsplit(".", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["next"] = "//evil.example/"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    browser.cookies.set(oidc_login.STATE_COOKIE, f"{forged}.{mac}", domain="testserver.local", path=CALLBACK)
    assert browser.get(CALLBACK, params=answer).headers["location"] == "/app/sign-in?sso=failed"


def test_no_local_account_or_a_deactivated_one_gets_no_session(browser: TestClient, issuer: Issuer, make_user, db) -> None:
    answer = issuer.authorise(begin(browser), "nobody-here@example.test")
    assert browser.get(CALLBACK, params=answer).headers["location"] == "/app/sign-in?sso=no_account"
    user = make_user("business_unit")
    db.execute(text("UPDATE core_users SET is_active = :f WHERE id = :i"), {"f": False, "i": user.id})
    db.commit()
    answer = issuer.authorise(begin(browser), user.email)
    assert browser.get(CALLBACK, params=answer).headers["location"] == "/app/sign-in?sso=no_account"
    # an email the provider says is not verified does not name a local user
    other = make_user("business_unit")
    answer = issuer.authorise(begin(browser), other.email, extra={"email_verified": False})
    assert browser.get(CALLBACK, params=answer).headers["location"] == "/app/sign-in?sso=no_account"
    assert browser.get(SESSION).status_code == 401


def test_the_provider_saying_no_and_a_next_outside_the_app(browser: TestClient, issuer: Issuer, make_user) -> None:
    location = begin(browser, next_path="//evil.example/x")
    state = parse_qs(urlparse(location).query)["state"][0]
    r = browser.get(CALLBACK, params={"error": "access_denied", "state": state})
    assert r.headers["location"] == "/app/sign-in?sso=failed"
    user = make_user("business_unit")
    answer = issuer.authorise(begin(browser, next_path="//evil.example/x"), user.email)
    assert browser.get(CALLBACK, params=answer).headers["location"] == "/app/"


def test_an_unreachable_provider_sends_back_to_sign_in(browser: TestClient, issuer: Issuer) -> None:
    issuer.httpd.shutdown()
    issuer.httpd.server_close()
    oidc_login.reset_providers()
    r = browser.get(LOGIN)
    assert r.status_code == 303 and r.headers["location"] == "/app/sign-in?sso=unavailable"


def test_bad_callback_input_is_a_422_naming_the_field(browser: TestClient, issuer: Issuer) -> None:
    r = browser.get(CALLBACK, params={"code": "x" * 3000, "state": "s"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["query", "code"]
