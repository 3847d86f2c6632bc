"""Helpers for the staff app's browser journeys (tests/browser/test_staff_*.py): users who sign in
through the sign-in page, axe-core checks on every page, and the keyboard.

The app under test is the real build (web/dist, made by `make test` before pytest) served by the
live server at /app/. axe-core is the copy installed with the app's dev dependencies.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WEB_DIST = ROOT / "web" / "dist" / "index.html"
PASSWORD = "correct horse battery staple"
# WCAG 2.2 AA and the rules axe calls best practice
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def require_build() -> None:
    if not WEB_DIST.exists() or not AXE_JS.exists():
        pytest.fail("the staff app is not built: run `make test` (it builds web/ before the tests)")


@dataclass
class StaffUser:
    id: int
    email: str
    name: str
    roles: tuple[str, ...]
    password: str = PASSWORD


def make_user(live_server: Any, *roles: str, name: str | None = None, agency: str | None = None) -> StaffUser:
    """A user with these roles in the live database, who signs in with PASSWORD."""
    from core.auth.models import User
    from core.auth.passwords import hash_password

    email = f"{'-'.join(roles)}-{uuid.uuid4().hex[:8]}@example.test"
    display = name or f"Test {' '.join(r.replace('_', ' ') for r in roles).title()}"
    with live_server.session_factory() as s:
        user = User(email=email, name=display, password_hash=hash_password(PASSWORD), roles=list(roles),
                    is_active=True, **({"agency": agency} if agency else {}))
        s.add(user)
        s.commit()
        uid = int(user.id)
    return StaffUser(uid, email, display, tuple(roles))


def sign_in(pg: Any, base: str, user: StaffUser, *, keyboard: bool = False, goto: bool = True) -> None:
    """Sign in through the sign-in page (by mouse, or with the keyboard alone)."""
    if goto:
        pg.goto(f"{base}/app/sign-in")
    pg.wait_for_selector("h1:has-text('Sign in')")
    if keyboard:
        pg.locator("#f-email").focus()
        pg.keyboard.type(user.email)
        pg.keyboard.press("Tab")
        pg.keyboard.type(user.password)
        pg.keyboard.press("Tab")
        assert focused_text(pg) == "Sign in"
        pg.keyboard.press("Enter")
    else:
        pg.get_by_label("Email address").fill(user.email)
        pg.get_by_label("Password").fill(user.password)
        pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_selector("[data-testid=signed-in-as]")


def sign_out(pg: Any) -> None:
    pg.get_by_role("link", name="Sign out").click()
    pg.wait_for_selector("h1:has-text('Sign in')")


def focused_text(pg: Any) -> str:
    return str(pg.evaluate("document.activeElement ? document.activeElement.innerText || document.activeElement.value || '' : ''")).strip()


def focused_id(pg: Any) -> str:
    return str(pg.evaluate("document.activeElement && document.activeElement.id"))


def tab_to(pg: Any, predicate_js: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies ``predicate_js`` (a JS expression over ``el``)."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def tab_to_text(pg: Any, text: str, limit: int = 120) -> None:
    """Tab to the link or button whose text is ``text`` (exactly)."""
    tab_to(pg, f"(el.innerText || el.value || '').trim() === {json.dumps(text)}", limit)


def check_axe(pg: Any, where: str) -> None:
    """No axe-core violation of impact serious or critical on the page as it is now."""
    require_build()
    pg.wait_for_load_state("networkidle")
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: not an inline script, so the app's CSP stands
        pg.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result = pg.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }",
        AXE_TAGS,
    )
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {where}: " + json.dumps(bad, indent=1)


def api_client(live_server: Any, *roles: str) -> httpx.Client:
    """An API client for the live server with a token of these roles (for set-up a test does not
    take through the app)."""
    headers = {"Authorization": f"Bearer {live_server.token_for(*roles)}"}
    return httpx.Client(base_url=live_server.url + "/api/v1", headers=headers)


def fill_date(pg: Any, field_id: str, day: str, month: str, year: str) -> None:
    """The public forms' GOV.UK date boxes (``<id>-day``, ``-month``, ``-year``)."""
    pg.fill(f"#{field_id}-day", day)
    pg.fill(f"#{field_id}-month", month)
    pg.fill(f"#{field_id}-year", year)


def fill_app_date(pg: Any, field_id: str, d: dt.date) -> None:
    """The staff app's date boxes: the day box carries the field's id."""
    pg.fill(f"#{field_id}", str(d.day))
    pg.fill(f"#{field_id}-month", str(d.month))
    pg.fill(f"#{field_id}-year", str(d.year))


def wait_status(pg: Any, text: str) -> None:
    """Wait until the case page's status tag reads ``text``."""
    pg.wait_for_function(
        "t => { const el = document.querySelector('[data-testid=case-status]'); return el && el.innerText.trim() === t; }",
        arg=text)


def wait_banner(pg: Any, contains: str) -> None:
    """Wait until the success banner says ``contains``."""
    pg.wait_for_function(
        "t => { const el = document.querySelector('[data-testid=success-banner]'); return el && el.innerText.includes(t); }",
        arg=contains)


def mail_link(live_server: Any, to: str, count: int = 1) -> str:
    """The single-use reporting form link in the ``count``-th email to ``to`` (the latest)."""
    for _ in range(100):
        mails = [m for m in live_server.smtp.messages if to in m["to"]]
        if len(mails) >= count:
            token = re.search(r"/(?:reporting-forms|forms/reporting)/([A-Za-z0-9._~-]+)", mails[-1]["body"]).group(1)
            return f"{live_server.url}/forms/reporting/{token}"
        time.sleep(0.2)
    raise AssertionError(f"no reporting form email to {to}")


def open_action(pg: Any, label: str) -> None:
    pg.get_by_role("button", name=label, exact=True).click()
    pg.locator("#action-form-heading").wait_for()


def submit_action(pg: Any, label: str) -> None:
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]", has_text=label).click()



def schedule_on_panel(pg: Any, meeting_id: int) -> None:
    """A case ready for panel scheduled on this meeting through the action panel (axe on its form)."""
    open_action(pg, "Schedule for a panel meeting")
    pg.wait_for_function("id => !!document.querySelector(`#f-action-meeting_id option[value='${id}']`)", arg=str(meeting_id))
    pg.select_option("#f-action-meeting_id", str(meeting_id))
    check_axe(pg, "schedule form")
    submit_action(pg, "Schedule for a panel meeting")
    wait_status(pg, "Scheduled for panel")

# ---- the keyboard alone ----


def key_type(pg: Any, field_id: str, text: str) -> None:
    """Tab to the field with this id and type into it."""
    tab_to(pg, f"el.id === {field_id!r}")
    pg.keyboard.type(text)


def key_date(pg: Any, day_id: str, month_id: str, year_id: str, d: dt.date) -> None:
    """Tab to each of three date boxes and type the day, month and year."""
    key_type(pg, day_id, str(d.day))
    key_type(pg, month_id, str(d.month))
    key_type(pg, year_id, str(d.year))


def key_app_date(pg: Any, field_id: str, d: dt.date) -> None:
    """The staff app's date boxes: the day box carries the field's id."""
    key_date(pg, field_id, f"{field_id}-month", f"{field_id}-year", d)


def key_radio(pg: Any, first_id: str, choice: int) -> None:
    """Tab into a radio group with nothing chosen (focus lands on its first radio) and choose the
    ``choice``-th radio (1-based): Space for the first, the arrow keys for the others."""
    tab_to(pg, f"el.id === {first_id!r}")
    if choice == 1:
        pg.keyboard.press("Space")
    for _ in range(choice - 1):
        pg.keyboard.press("ArrowDown")


def key_press(pg: Any, text: str) -> None:
    """Tab to the button, link or summary whose text (visually hidden words included) is ``text``
    and press Enter."""
    tab_to(pg, "['A', 'BUTTON', 'SUMMARY'].includes(el.tagName) && "
               f"(el.textContent || '').replace(/\\s+/g, ' ').trim() === {json.dumps(text)}")
    pg.keyboard.press("Enter")
