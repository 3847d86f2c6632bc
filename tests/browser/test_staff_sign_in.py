"""The staff app's sign-in, sign-out and session expiry in a real browser (issue 17, journey 3).

Expected behaviour from API.md v1.1 "Browser sessions" and DESIGN.md "The staff app": a cookie
session (nothing in browser storage), 30 minutes idle, the user sent to sign in and back to the page
they were on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlalchemy import update

from tests.browser.staff import check_axe, focused_id, make_user, require_build, sign_in, sign_out, tab_to_text

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _built() -> None:
    require_build()


def end_by_idleness(live_server: Any, user_id: int) -> None:
    """The user's sessions as they are after 31 minutes without a request (the idle limit is 30)."""
    from core.auth.models import AuthSession

    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
    with live_server.session_factory() as s:
        s.execute(update(AuthSession).where(AuthSession.user_id == user_id).values(last_seen_at=long_ago))
        s.commit()


def test_sign_in_errors_then_sign_in_and_out(live_server, page, shot) -> None:
    pg, base = page, live_server.url
    user = make_user(live_server, "business_unit", name="Sam Screener")
    pg.goto(f"{base}/app/")
    # not signed in: the sign-in page, which will come back to My work
    pg.wait_for_selector("h1:has-text('Sign in')")
    assert urlparse(pg.url).path == "/app/sign-in"
    assert pg.title().startswith("Sign in")
    check_axe(pg, "sign in")
    shot(pg, "staff-01-sign-in")

    # nothing typed: a GOV.UK error summary, focused, each link moving focus to its field
    pg.get_by_role("button", name="Sign in").click()
    summary = pg.locator(".govuk-error-summary")
    summary.wait_for()
    assert pg.title().startswith("Error: Sign in")
    assert summary.locator("a").all_inner_texts() == ["Enter your email address", "Enter your password"]
    assert pg.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Enter your password").click()
    assert focused_id(pg) == "f-password"
    check_axe(pg, "sign in with errors")
    shot(pg, "staff-02-sign-in-errors")

    # a wrong password: one message that does not say which part was wrong
    pg.get_by_label("Email address").fill(user.email)
    pg.get_by_label("Password").fill("not the password")
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_selector("text=The email address or password is not right")
    assert pg.input_value("#f-password") == ""
    assert pg.input_value("#f-email") == user.email

    sign_in(pg, base, user, goto=False)
    assert urlparse(pg.url).path in ("/app", "/app/")
    assert pg.locator("[data-testid=signed-in-as]").inner_text() == "Sam Screener"
    # the session is an HttpOnly cookie; the page keeps nothing in browser storage
    assert pg.evaluate("localStorage.length + sessionStorage.length") == 0
    cookies = {c["name"]: c for c in pg.context.cookies()}
    assert cookies["ecr_session"]["httpOnly"] is True
    assert cookies["ecr_session"]["sameSite"] == "Strict"
    assert pg.evaluate("document.cookie").find("ecr_session") == -1

    sign_out(pg)
    pg.wait_for_selector("text=You have signed out.")
    check_axe(pg, "signed out")
    # the session ended on the server, not only in the browser
    assert "ecr_session" not in {c["name"] for c in pg.context.cookies()} or httpx.get(
        f"{base}/api/v1/auth/session",
        cookies={"ecr_session": cookies["ecr_session"]["value"]}).status_code == 401
    pg.goto(f"{base}/app/case-reviews")
    pg.wait_for_selector("h1:has-text('Sign in')")


def test_deep_link_signs_in_and_returns_with_the_filters(live_server, page) -> None:
    pg, base = page, live_server.url
    user = make_user(live_server, "business_unit")
    pg.goto(f"{base}/app/case-reviews?status=screening&overdue=true")
    pg.wait_for_selector("h1:has-text('Sign in')")
    assert parse_qs(urlparse(pg.url).query)["next"] == ["/case-reviews?status=screening&overdue=true"]
    sign_in(pg, base, user, goto=False)
    pg.wait_for_url("**/app/case-reviews?status=screening&overdue=true")


def test_a_next_address_outside_the_app_is_ignored(live_server, page) -> None:
    pg, base = page, live_server.url
    user = make_user(live_server, "crg_chair")
    pg.goto(f"{base}/app/sign-in?next=//evil.example/steal")
    sign_in(pg, base, user, goto=False)
    assert urlparse(pg.url).netloc == urlparse(base).netloc
    assert urlparse(pg.url).path in ("/app", "/app/")


def test_an_expired_session_returns_to_sign_in_and_back(live_server, page, shot) -> None:
    """Journey 3: the session ends while the user works; the next request sends them to sign in,
    with a message, and signing in brings them back to the page they were going to."""
    pg, base = page, live_server.url
    user = make_user(live_server, "business_unit", name="Idle Ida")
    sign_in(pg, base, user)
    pg.get_by_role("link", name="Case reviews", exact=True).click()
    pg.wait_for_url("**/app/case-reviews**")
    pg.get_by_role("heading", name="Case reviews").wait_for()
    pg.wait_for_load_state("networkidle")
    end_by_idleness(live_server, user.id)

    pg.get_by_role("link", name="Meetings", exact=True).click()
    pg.wait_for_selector("text=You were signed out because your session ended")
    assert urlparse(pg.url).path == "/app/sign-in"
    assert parse_qs(urlparse(pg.url).query)["next"] == ["/meetings"]
    check_axe(pg, "sign in after expiry")
    shot(pg, "staff-03-session-expired")

    sign_in(pg, base, user, goto=False)
    pg.wait_for_url("**/app/meetings")
    assert pg.locator("[data-testid=signed-in-as]").inner_text() == "Idle Ida"


def test_sign_in_and_out_with_the_keyboard_alone(live_server, page) -> None:
    pg, base = page, live_server.url
    user = make_user(live_server, "independent_chair", name="Kim Keys")
    pg.goto(f"{base}/app/sign-in")
    pg.wait_for_selector("h1:has-text('Sign in')")
    # the first Tab reaches the skip link, which moves focus to the main content
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.innerText").strip() == "Skip to main content"
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "main-content"
    # an empty submission by Enter, then the error summary's link to the email field
    tab_to_text(pg, "Sign in")
    pg.keyboard.press("Enter")
    pg.wait_for_selector(".govuk-error-summary")
    tab_to_text(pg, "Enter your email address")
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "f-email"
    sign_in(pg, base, user, keyboard=True, goto=False)
    assert pg.locator("[data-testid=signed-in-as]").inner_text() == "Kim Keys"
    tab_to_text(pg, "Sign out")
    pg.keyboard.press("Enter")
    pg.wait_for_selector("text=You have signed out.")
