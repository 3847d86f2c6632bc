"""CSRF, honeypot, rate and size limits, error pages and CORS for the public pages and API."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from core.http.ratelimit import PublicRateLimiter
from core.web.cors import PathAwareCORSMiddleware
from ecr.models import CaseReview
from tests.pages.conftest import CASE_REVIEW_FORM, open_form, title

FORM = "/notify/case-review"


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(CaseReview))


def test_csrf_token_missing_or_wrong_is_refused(client, db) -> None:
    fields = open_form(client, FORM)
    before = count(db)
    for data in ({**CASE_REVIEW_FORM},
                 {**CASE_REVIEW_FORM, "csrf_token": "forged"},
                 {**CASE_REVIEW_FORM, "csrf_token": fields["csrf_token"] + "x"}):
        r = client.post(FORM, data=data)
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("text/html")
        assert "Sorry, this form has expired" in r.text
    assert count(db) == before


def test_csrf_cookie_missing_is_refused(client, db) -> None:
    fields = open_form(client, FORM)
    client.cookies.clear()
    r = client.post(FORM, data={**fields, **CASE_REVIEW_FORM})
    assert r.status_code == 403


def test_token_of_another_browser_is_refused(client, app) -> None:
    other = open_form(client, FORM)
    with TestClient(app) as second:
        open_form(second, FORM)  # its own cookie
        r = second.post(FORM, data={**other, **CASE_REVIEW_FORM})
        assert r.status_code == 403


def test_cross_site_post_is_refused(client) -> None:
    fields = open_form(client, FORM)
    r = client.post(FORM, data={**fields, **CASE_REVIEW_FORM}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403


def test_honeypot_pretends_success_and_stores_nothing(client, db) -> None:
    before = count(db)
    r = client.post(FORM, data={**open_form(client, FORM), **CASE_REVIEW_FORM, "website": "http://spam.example"})
    assert r.status_code == 200
    assert "Form sent" in r.text
    assert "CR-" not in r.text
    assert count(db) == before


def test_honeypot_is_hidden_from_people(client) -> None:
    page = client.get(FORM).text
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'name="website" value="" tabindex="-1" autocomplete="off"' in page


def test_page_posts_share_the_public_rate_limit(client, app, db) -> None:
    saved = getattr(app.state, "public_rate_limiter", None)
    limiter = PublicRateLimiter(app.state.settings.model_copy(update={"public_rate_limit": "2/minute"}))
    app.state.public_rate_limiter = limiter
    try:
        fields = open_form(client, FORM)
        client.post(FORM, data={**fields})
        client.post("/api/v1/public/case-review-notifications", json={})
        r = client.post(FORM, data={**fields, **CASE_REVIEW_FORM})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        assert "Too many forms sent" in r.text
        assert r.headers["content-type"].startswith("text/html")
    finally:
        app.state.public_rate_limiter = saved


def test_size_limit_applies_to_pages(client, app) -> None:
    limit = app.state.settings.max_public_body_bytes
    fields = open_form(client, FORM)
    r = client.post(FORM, data={**fields, **CASE_REVIEW_FORM, "incident.description": "x" * (limit + 10)})
    assert r.status_code == 413


def test_schema_limits_are_the_apis(client) -> None:
    r = client.post(FORM, data={**open_form(client, FORM), **CASE_REVIEW_FORM, "child.first_name": "x" * 101})
    assert r.status_code == 422
    assert "First name must be 100 characters or fewer" in r.text


def test_unknown_page_is_a_friendly_404_and_api_stays_problem_json(client) -> None:
    r = client.get("/notify/no-such-page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert title(r.text).startswith("Page not found")
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_static_files_and_start_page(client) -> None:
    css = client.get("/static/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "default-src 'self'" in css.headers["content-security-policy"]
    js = client.get("/static/app.js")
    assert js.status_code == 200
    start = client.get("/notify")
    assert 'href="/notify/case-review"' in start.text and 'href="/notify/child-death"' in start.text
    assert client.get("/notify/privacy").status_code == 200


def test_pages_are_not_in_the_openapi_document(app) -> None:
    paths = app.openapi()["paths"]
    assert not [p for p in paths if p.startswith(("/notify", "/forms", "/static"))]


# ---- CORS --------------------------------------------------------------------------------

def preflight(client, path: str, origin: str, headers: str = "content-type"):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": headers})


def test_public_api_answers_preflights_from_any_board_website(client) -> None:
    r = preflight(client, "/api/v1/public/case-review-notifications", "https://board.example",
                  "content-type,idempotency-key")
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    assert "POST" in r.headers["access-control-allow-methods"]
    r = client.post("/api/v1/public/child-death-notifications", json={}, headers={"Origin": "https://board.example"})
    assert r.status_code == 422
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.options("/api/v1/public/case-review-notifications/CR-2025-0001/status", headers={
        "Origin": "https://board.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-status-token"})
    assert r.status_code == 200


def test_staff_api_keeps_its_strict_policy(client) -> None:
    r = preflight(client, "/api/v1/case-reviews", "https://board.example", "authorization")
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/api/v1/case-reviews", headers={"Origin": "https://board.example"})
    assert "access-control-allow-origin" not in r.headers


def _cors_client() -> TestClient:
    async def ok(request):
        return PlainTextResponse("ok")

    inner = Starlette(routes=[Route("/api/v1/public/x", ok, methods=["GET", "POST"]),
                              Route("/api/v1/case-reviews", ok, methods=["GET", "POST", "PATCH"])])
    return TestClient(PathAwareCORSMiddleware(inner, staff_origins=["https://staff.example"],
                                              public_origins=["https://board.example"]))


def test_path_aware_cors_with_configured_origins() -> None:
    c = _cors_client()
    r = preflight(c, "/api/v1/public/x", "https://board.example")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://board.example"
    assert preflight(c, "/api/v1/public/x", "https://staff.example").status_code == 400
    assert preflight(c, "/api/v1/public/x", "https://evil.example").status_code == 400
    r = c.options("/api/v1/case-reviews", headers={"Origin": "https://staff.example",
                                                  "Access-Control-Request-Method": "PATCH",
                                                  "Access-Control-Request-Headers": "authorization,if-match"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://staff.example"
    assert "ETag" in c.get("/api/v1/case-reviews", headers={"Origin": "https://staff.example"}).headers[
        "access-control-expose-headers"]
    assert preflight(c, "/api/v1/case-reviews", "https://board.example").status_code == 400
    # the public policy never allows the staff headers
    r = c.options("/api/v1/public/x", headers={"Origin": "https://board.example",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization"})
    assert r.status_code == 400
