"""Single sign-on in a real browser: the sign-in page offers it when an OpenID Connect issuer is
configured; the provider (served by the test) sends the browser back; the app opens at the page
the user was going to, with the same cookie session as a password sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.auth import oidc, oidc_login
from tests.browser.staff import check_axe, make_user, require_build
from tests.core.test_oidc_sign_in import CLIENT_ID, Issuer

pytestmark = pytest.mark.browser


@pytest.fixture
def sso(live_server: Any) -> Iterator[Issuer]:
    require_build()
    idp = Issuer()
    settings = live_server.settings
    settings.oidc_issuer, settings.oidc_client_id = idp.issuer, CLIENT_ID
    settings.oidc_display_name = "Partnership account"
    try:
        yield idp
    finally:
        settings.oidc_issuer = settings.oidc_client_id = None
        idp.httpd.shutdown()
        idp.httpd.server_close()
        oidc.reset_caches()
        oidc_login.reset_providers()


def test_single_sign_on_from_the_sign_in_page(live_server, page, sso: Issuer, shot) -> None:
    pg, base = page, live_server.url
    user = make_user(live_server, "business_unit", name="Sol Single")
    sso.approve_email = user.email
    pg.goto(f"{base}/app/meetings")
    button = pg.get_by_role("button", name="Sign in with Partnership account")
    button.wait_for()
    check_axe(pg, "sign in with single sign-on")
    shot(pg, "staff-04-sign-in-sso")
    button.click()
    pg.wait_for_selector("[data-testid=signed-in-as]")
    assert pg.url == f"{base}/app/meetings"
    assert pg.locator("[data-testid=signed-in-as]").inner_text() == "Sol Single"


def test_no_account_here_is_explained(live_server, page, sso: Issuer) -> None:
    pg, base = page, live_server.url
    sso.approve_email = "not-a-user-here@example.test"
    pg.goto(f"{base}/app/sign-in")
    pg.get_by_role("button", name="Sign in with Partnership account").click()
    pg.wait_for_selector("text=is not linked to a user of this service")
    assert pg.title().startswith("Error: Sign in")
    check_axe(pg, "single sign-on refused")


def test_single_sign_on_with_the_keyboard_alone(live_server, page, sso: Issuer) -> None:
    from tests.browser.staff import focused_text, tab_to_text

    pg, base = page, live_server.url
    user = make_user(live_server, "crg_chair", name="Kit Keyboard")
    sso.approve_email = user.email
    pg.goto(f"{base}/app/case-reviews")
    pg.get_by_role("button", name="Sign in with Partnership account").wait_for()
    tab_to_text(pg, "Sign in with Partnership account")
    assert focused_text(pg) == "Sign in with Partnership account"
    pg.keyboard.press("Enter")
    pg.wait_for_selector("[data-testid=signed-in-as]")
    assert pg.url == f"{base}/app/case-reviews"
