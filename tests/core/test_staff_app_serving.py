"""The staff app's build served at /app/ (core.web.spa): addresses of the app answer its page,
bundles are cached for a year and never replaced by the page, nothing outside the build is
reachable, a strict CSP with no inline script, and the API and public pages are untouched."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.app import create_app
from core.settings import get_settings

INDEX = ('<!DOCTYPE html><html lang="en"><head><script type="module" src="/app/assets/index-abc123.js">'
         "</script></head><body><div id=\"root\"></div></body></html>")
SCRIPT = "console.log('staff app');\n"
APP_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "font-src": "'self' data:", "connect-src": "'self'", "form-action": "'self'", "base-uri": "'none'",
    "object-src": "'none'", "frame-ancestors": "'none'",
}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("staff-app")
    (root / "secret.txt").write_text("outside the build")
    build = root / "dist"
    (build / "assets").mkdir(parents=True)
    (build / "index.html").write_text(INDEX)
    (build / "assets" / "index-abc123.js").write_text(SCRIPT)
    (build / "assets" / "index-def456.css").write_text("body { margin: 0 }\n")
    (build / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (build / "fonts").mkdir()
    (build / "fonts" / "bold.woff2").write_bytes(b"wOF2")
    (build / ".env").write_text("HIDDEN=1")
    return build


def _app(web_dist: Path | None, session_factory) -> FastAPI:
    settings = get_settings().model_copy(update={"web_dist": web_dist})
    return create_app(settings, session_factory, start_worker=False)


@pytest.fixture
def site(dist: Path, session_factory) -> Iterator[TestClient]:
    with TestClient(_app(dist, session_factory), raise_server_exceptions=False) as c:
        yield c


def _csp(header: str) -> dict[str, str]:
    directives = [d.strip() for d in header.split(";") if d.strip()]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in directives}


def _raw_get(app: FastAPI, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    """A GET with the path exactly as given (httpx would remove the dot segments first, as a
    browser does; a hand-written request does not, and uvicorn passes it on as it is)."""
    messages: list[dict] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": raw_path, "raw_path": raw_path.encode(), "root_path": "",
        "query_string": b"", "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    # in a thread of its own: the browser tests' Playwright may leave an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


# ---- the app's addresses -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/app/", "/app/index.html", "/app/sign-in", "/app/case-reviews/123?status=x",
                                  "/app/admin/users", "/app/child-deaths/7/", "/app/favicon.ico/extra"])
def test_every_address_of_the_app_is_its_page_never_cached(site: TestClient, path: str) -> None:
    r = site.get(path)
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"


def test_head_of_an_address(site: TestClient) -> None:
    r = site.head("/app/meetings/4")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["cache-control"] == "no-store"


def test_app_without_slash_redirects_keeping_the_query(site: TestClient) -> None:
    r = site.get("/app?status=open&page=2", follow_redirects=False)
    assert r.status_code in (307, 308)
    assert r.headers["location"] == "/app/?status=open&page=2"
    r = site.get("/app", follow_redirects=False)
    assert r.status_code in (307, 308)
    assert r.headers["location"] == "/app/"


# ---- files of the build ------------------------------------------------------------------------

def test_hashed_assets_are_cached_for_a_year(site: TestClient) -> None:
    r = site.get("/app/assets/index-abc123.js")
    assert r.status_code == 200
    assert r.text == SCRIPT
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    r = site.get("/app/assets/index-def456.css")
    assert r.headers["content-type"].startswith("text/css")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_missing_asset_is_a_plain_404_not_the_page(site: TestClient) -> None:
    for path in ("/app/assets/index-old999.js", "/app/assets/", "/app/assets", "/app/assets/sub/x.js"):
        r = site.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/plain"), path
        assert "<html" not in r.text.lower(), path
        assert r.headers["cache-control"] == "no-store", path


def test_other_files_of_the_build_are_cached_a_day(site: TestClient) -> None:
    for path, media_type in (("/app/favicon.ico", "image/x-icon"), ("/app/fonts/bold.woff2", "font/woff2")):
        r = site.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith(media_type), path
        assert r.headers["cache-control"] == "public, max-age=86400", path


@pytest.mark.parametrize("path", [
    "/app/assets/%2e%2e/%2e%2e/secret.txt", "/app/assets/..%2F..%2Fsecret.txt", "/app/%2e%2e/secret.txt",
    "/app/assets/%2E%2E%2Findex.html", "/app/..%5Csecret.txt", "/app/.env", "/app/assets/.%2e/index.html",
])
def test_no_path_leaves_the_build_encoded(site: TestClient, path: str) -> None:
    r = site.get(path)
    assert r.status_code == 404, path
    assert "outside the build" not in r.text and "HIDDEN" not in r.text and r.text != INDEX


def test_a_nul_in_the_path_never_reaches_the_build(site: TestClient) -> None:
    r = site.get("/app/assets/index-abc123.js%00.html")
    assert r.status_code in (404, 422)  # the request limits refuse it first (422)
    assert r.text != SCRIPT


@pytest.mark.parametrize("raw_path", ["/app/assets/../../secret.txt", "/app/../secret.txt",
                                      "/app/assets/../index.html", "/app/./assets/index-abc123.js"])
def test_no_path_leaves_the_build_raw(dist: Path, session_factory, raw_path: str) -> None:
    status, headers, body = _raw_get(_app(dist, session_factory), raw_path)
    assert status == 404, raw_path
    assert b"outside the build" not in body and body != INDEX.encode()


# ---- headers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/app/", "/app/case-reviews/1", "/app/assets/index-abc123.js", "/app/nope/.x"])
def test_strict_csp_and_the_security_headers(site: TestClient, path: str) -> None:
    r = site.get(path)
    header = r.headers["content-security-policy"]
    assert _csp(header) == APP_CSP
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cross-origin-opener-policy"] == "same-origin"
    assert r.headers["permissions-policy"] == "camera=(), microphone=(), geolocation=()"
    assert r.headers["x-request-id"]


def test_the_redirect_has_the_app_csp(site: TestClient) -> None:
    r = site.get("/app", follow_redirects=False)
    assert _csp(r.headers["content-security-policy"]) == APP_CSP


def test_requests_are_counted_under_the_route_template(site: TestClient) -> None:
    from prometheus_client import REGISTRY

    def count() -> float:
        labels = {"handler": "/app/{path:path}", "method": "GET", "status": "200"}
        return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0

    before = count()
    site.get("/app/case-reviews/1")
    site.get("/app/case-reviews/2")
    assert count() == before + 2


# ---- no build ----------------------------------------------------------------------------------

def test_missing_build_is_a_503_saying_how_to_build(tmp_path: Path, session_factory) -> None:
    with TestClient(_app(tmp_path / "not-built", session_factory)) as c:
        for path in ("/app/", "/app/case-reviews/1", "/app/assets/index-abc123.js"):
            r = c.get(path)
            assert r.status_code == 503, path
            assert r.headers["content-type"].startswith("text/html")
            assert "The staff app has not been built. Run make run." in r.text
            assert r.headers["cache-control"] == "no-store"
            assert _csp(r.headers["content-security-policy"]) == APP_CSP


def test_a_build_made_while_running_is_served_without_a_restart(tmp_path: Path, session_factory) -> None:
    build = tmp_path / "dist"
    with TestClient(_app(build, session_factory)) as c:
        assert c.get("/app/").status_code == 503
        build.mkdir()
        (build / "index.html").write_text(INDEX)
        assert c.get("/app/").text == INDEX


def test_no_web_dist_serves_nothing_at_app(session_factory, monkeypatch) -> None:
    from core.settings import Settings

    monkeypatch.setenv("ECR_WEB_DIST", "")
    assert Settings().web_dist is None
    with TestClient(_app(None, session_factory)) as c:
        assert c.get("/app/").status_code == 404


def test_the_default_build_is_the_repositorys_web_dist(monkeypatch) -> None:
    from core.settings import Settings

    monkeypatch.delenv("ECR_WEB_DIST", raising=False)
    assert Settings().web_dist == Path(__file__).resolve().parents[2] / "web" / "dist"
    monkeypatch.setenv("ECR_WEB_DIST", "/srv/ecr/web")
    assert Settings().web_dist == Path("/srv/ecr/web")


# ---- the rest is unaffected --------------------------------------------------------------------

def test_the_api_and_public_pages_are_unaffected(site: TestClient) -> None:
    r = site.get("/api/v1/auth/session")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert r.headers["cache-control"] == "no-store"
    r = site.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    r = site.get("/notify")
    assert r.status_code == 200
    assert "script-src" not in r.headers["content-security-policy"]
    assert r.headers["content-security-policy"].startswith("default-src 'self'; img-src 'self' data:")
    assert site.get("/livez").status_code == 200
    for path in ("/apple", "/application"):
        r = site.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_openapi_document_does_not_list_the_app(site: TestClient) -> None:
    paths = site.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p == "/app" or p.startswith("/app/")]
