"""The staff app's case review screens in a real browser against the real service (issue 17):
(1) a public notification taken by the business unit, the Case Review Group's chair and the
Independent Chair, each signing in through the sign-in page, to a published Serious Case Review
(also once with the keyboard alone); (2) two browsers changing the same case; (5) the list's
filters, bookmarks and keyset paging. Every page state visited gets axe-core and a screenshot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.browser.staff import (api_client, check_axe, fill_date, focused_id, focused_text, make_user, sign_in, sign_out,
                                 tab_to, tab_to_text)

# Serious Case Reviews and WT2015's decisions: new notifications follow WT2015 here (the CSPR
# journey is tests/browser/test_staff_cspr.py)
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("wt2015_default")]


# ---- helpers ------------------------------------------------------------------------------------

def fill_app_date(pg: Any, field_id: str, day: str, month: str, year: str) -> None:
    """The staff app's date boxes: the day box carries the field's id."""
    pg.fill(f"#{field_id}", day)
    pg.fill(f"#{field_id}-month", month)
    pg.fill(f"#{field_id}-year", year)


def public_notification(pg: Any, base: str, first: str, last: str, notifier_email: str) -> str:
    """A notification through the public form at /notify/case-review; its reference."""
    pg.goto(base + "/notify/case-review")
    pg.fill("#notifier-name", "Pat Example")
    pg.fill("#notifier-email", notifier_email)
    pg.fill("#notifier-agency", "Example Borough Council")
    pg.fill("#notifier-role", "Social worker")
    pg.fill("#child-first-name", first)
    pg.fill("#child-last-name", last)
    fill_date(pg, "child-date-of-birth", "4", "6", "2015")
    pg.check("#child-sex")
    fill_date(pg, "incident-date", "2", "3", "2025")
    pg.check("#incident-type-2")
    pg.fill("#incident-description", f"{first} was admitted to hospital with injuries.")
    pg.fill("#rationale", "Several agencies knew of concerns and did not share them.")
    pg.check("#abuse-or-neglect-suspected")
    pg.fill("#agencies-involved", "Police\nSchool")
    pg.click("button.button:has-text('Send notification')")
    pg.wait_for_url("**/notify/case-review/confirmation")
    reference = pg.inner_text("#reference").strip()
    assert re.fullmatch(r"CR-\d{4}-\d{4,6}", reference)
    return reference


def staff_case(api: httpx.Client, first: str, last: str, received_on: str | None = None) -> dict:
    body: dict[str, Any] = {
        "notifier": {"name": "Jo Sample", "email": "jo.sample@police.example", "agency": "Example Police"},
        "child": {"first_name": first, "last_name": last},
        "incident": {"date": "2025-01-10", "type": "serious_harm", "description": "Injuries were found."},
        "rationale": "Agencies may not have worked together well.",
        "abuse_or_neglect_suspected": True,
        "agencies_involved": ["Police"],
    }
    if received_on:
        body["received_on"] = received_on
    r = api.post("/case-reviews", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def wait_until(pg: Any, js: str, timeout: float = 10.0) -> None:
    """Poll a JS expression (page.wait_for_function evaluates a string, which the app's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not pg.evaluate(js):
        if time.monotonic() > deadline:
            raise AssertionError(f"never true: {js}")
        pg.wait_for_timeout(100)


def status_text(pg: Any) -> str:
    return pg.inner_text("[data-testid=case-status]").strip()


def wait_status(pg: Any, text: str) -> None:
    pg.wait_for_selector(f"[data-testid=case-status] .govuk-tag:text-is('{text}')")


def take_action(pg: Any, label: str, fields: dict[str, str] | None = None, *, expect_status: str,
                shot: Any = None, shot_name: str | None = None) -> None:
    """Open an action by its button, fill its form, confirm; the case then shows its new status."""
    pg.get_by_role("button", name=label, exact=True).click()
    pg.wait_for_selector("#action-form-heading")
    for field_id, value in (fields or {}).items():
        pg.fill(f"#{field_id}", value)
    pg.get_by_role("button", name=label, exact=True).click()
    wait_status(pg, expect_status)
    pg.wait_for_selector("[data-testid=success-banner]")
    assert not pg.title().startswith("Error: ")
    check_axe(pg, f"case page after {label}")
    if shot and shot_name:
        shot(pg, shot_name)


def open_case_from_list(pg: Any, base: str, reference: str) -> None:
    pg.goto(f"{base}/app/case-reviews?q={reference}")
    pg.get_by_role("link", name=reference, exact=True).click()
    pg.wait_for_selector(f"h1:has-text('{reference}')")


# ---- (1) from a public notification to a published Serious Case Review -----------------------------

def test_public_notification_to_published_scr(live_server, page, browser, shot) -> None:
    base = live_server.url
    pg = page
    before = len(live_server.smtp.messages)
    notifier_email = f"pat.{uuid.uuid4().hex[:6]}@council.example"
    reference = public_notification(pg, base, "Robin", "Journeyman", notifier_email)
    receipts = [m for m in live_server.smtp.wait_for(before + 1) if notifier_email in m["to"]]
    assert receipts, "the notifier gets a receipt"

    bu = make_user(live_server, "business_unit", name="Bea Unit")
    sign_in(pg, base, bu)
    pg.get_by_role("link", name="Case reviews", exact=True).click()
    pg.wait_for_selector("h1:has-text('Case reviews')")
    check_axe(pg, "case reviews list")
    shot(pg, "cr-01-list")
    # found by the business unit with the search filter
    pg.get_by_label("Reference or child’s name").fill(reference)
    pg.get_by_role("button", name="Apply filters").click()
    pg.wait_for_url(f"**/app/case-reviews?q={reference}")
    rows = pg.locator("[data-testid=case-reviews-table] tbody tr")
    # the previous rows stay (aria-busy) until the filtered list arrives
    wait_until(pg, "!document.querySelector('[data-testid=case-reviews-table][aria-busy]')")
    wait_until(pg, "document.querySelectorAll('[data-testid=case-reviews-table] tbody tr').length === 1")
    assert rows.count() == 1
    assert "Robin Journeyman" in rows.first.inner_text()
    assert "Received" in rows.first.inner_text()
    check_axe(pg, "case reviews list, searched")
    shot(pg, "cr-02-list-searched")
    pg.get_by_role("link", name=reference, exact=True).click()
    pg.wait_for_selector(f"h1:has-text('{reference}')")
    assert "Robin Journeyman" in pg.inner_text("h1")
    assert status_text(pg) == "Received"
    check_axe(pg, "case page, received")
    shot(pg, "cr-03-case-received")

    take_action(pg, "Start screening", expect_status="Screening", shot=shot, shot_name="cr-03b-screening")
    take_action(pg, "Request more information", {"f-action-note": "The school's attendance records"},
                expect_status="Information requested")
    check_axe(pg, "case page, information requested")
    shot(pg, "cr-04-case-information-requested")
    take_action(pg, "Record the information received", {"f-action-note": "Records received from the school"},
                expect_status="Screening")
    take_action(pg, "Refer to the Case Review Group", expect_status="Awaiting decision", shot=shot,
                shot_name="cr-04b-awaiting-decision")
    pg.wait_for_selector(".moj-timeline__title:has-text('Refer to the Case Review Group')")  # history read again
    history = pg.inner_text(".moj-timeline")
    assert "Refer to the Case Review Group" in history and "Request more information" in history
    case_url = pg.url
    sign_out(pg)

    # the CRG chair recommends an SCR: first without the rationale
    chair = make_user(live_server, "crg_chair", name="Cal Chair")
    sign_in(pg, base, chair)
    pg.goto(case_url)
    pg.wait_for_selector(f"h1:has-text('{reference}')")
    check_axe(pg, "case page, awaiting decision (CRG chair)")
    pg.get_by_role("button", name="Recommend a Serious Case Review", exact=True).click()
    check_axe(pg, "the recommend form")
    shot(pg, "cr-05-recommend-form")
    pg.get_by_role("button", name="Recommend a Serious Case Review", exact=True).click()
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert pg.title().startswith("Error: ")
    check_axe(pg, "the recommend form with an error")
    shot(pg, "cr-06-recommend-error")
    summary.locator("a").first.click()
    assert focused_id(pg) == "f-action-rationale"
    assert pg.locator("#f-action-rationale-error").is_visible()
    pg.fill("#f-action-rationale", "Abuse is suspected and agencies did not share what they knew.")
    pg.get_by_role("button", name="Recommend a Serious Case Review", exact=True).click()
    wait_status(pg, "SCR recommended")
    sign_out(pg)

    # the Independent Chair endorses it
    ic = make_user(live_server, "independent_chair", name="Ida Chair")
    sign_in(pg, base, ic)
    pg.goto(case_url)
    pg.wait_for_selector(f"h1:has-text('{reference}')")
    take_action(pg, "Endorse the Serious Case Review", {"f-action-rationale": "The criteria are met."},
                expect_status="Review in progress")
    decision = pg.inner_text("#decision")
    assert "Serious case review" in decision or "Serious Case Review" in decision
    assert "Ida Chair" in decision and "Cal Chair" in decision
    check_axe(pg, "case page, review in progress")
    shot(pg, "cr-07-review-in-progress")
    sign_out(pg)

    # the business unit submits the report
    sign_in(pg, base, bu)
    pg.goto(case_url)
    pg.wait_for_selector(f"h1:has-text('{reference}')")
    take_action(pg, "Submit the report", expect_status="Report submitted", shot=shot, shot_name="cr-07b-report-submitted")
    sign_out(pg)

    # the Independent Chair approves and publishes it
    sign_in(pg, base, ic)
    pg.goto(case_url)
    pg.wait_for_selector(f"h1:has-text('{reference}')")
    take_action(pg, "Approve the report", expect_status="Report approved", shot=shot, shot_name="cr-07c-report-approved")
    today = dt.date.today()
    pg.get_by_role("button", name="Publish the report", exact=True).click()
    fill_app_date(pg, "f-action-published_on", str(today.day), str(today.month), str(today.year))
    pg.fill("#f-action-url", "https://example.test/reports/robin")
    check_axe(pg, "the publish form")
    shot(pg, "cr-08-publish-form")
    pg.get_by_role("button", name="Publish the report", exact=True).click()
    wait_status(pg, "Published")
    publication = pg.inner_text("#publication")
    assert "https://example.test/reports/robin" in publication
    assert f"{today.day} {today.strftime('%B')} {today.year}" in publication
    check_axe(pg, "case page, published")
    shot(pg, "cr-09-published")

    # the notifier was told of the decision
    emails = [m for m in live_server.smtp.wait_for(before + 2) if notifier_email in m["to"]]
    assert len(emails) >= 2, [m["subject"] for m in emails]


def test_keyboard_alone_sign_in_list_case_and_an_action_with_an_error(live_server, page, shot) -> None:
    base = live_server.url
    pg = page
    with api_client(live_server, "business_unit") as api:
        case = staff_case(api, "Kim", "Keyboard")
    reference = case["reference"]
    bu = make_user(live_server, "business_unit", name="Kit Keys")
    pg.goto(f"{base}/app/case-reviews?q={reference}")
    # the app sends the user to sign in, then back to the list
    sign_in(pg, base, bu, keyboard=True, goto=False)
    pg.wait_for_selector("[data-testid=case-reviews-table]")
    assert f"q={reference}" in pg.url
    check_axe(pg, "list (keyboard)")
    # (the search box holds the reference too: Tab to the link)
    tab_to(pg, f"el.tagName === 'A' && el.innerText.trim() === {reference!r}")
    pg.keyboard.press("Enter")
    pg.wait_for_selector(f"h1:has-text('{reference}')")
    check_axe(pg, "case page (keyboard)")

    tab_to_text(pg, "Start screening")
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "action-form-heading"
    tab_to(pg, "el.type === 'submit'")
    assert focused_text(pg) == "Start screening"
    pg.keyboard.press("Enter")
    wait_status(pg, "Screening")
    assert pg.evaluate("document.activeElement.dataset.testid") == "success-banner"

    # an action with a required field: the error first, then its correction
    tab_to_text(pg, "Request more information")
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "action-form-heading"
    tab_to(pg, "el.type === 'submit'")
    pg.keyboard.press("Enter")
    pg.locator("[data-testid=error-summary]").wait_for()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert pg.title().startswith("Error: ")
    check_axe(pg, "action error (keyboard)")
    shot(pg, "cr-10-keyboard-error")
    pg.keyboard.press("Tab")
    assert focused_text(pg) != ""
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "f-action-note"
    pg.keyboard.type("The GP's records")
    tab_to(pg, "el.type === 'submit'")
    assert focused_text(pg) == "Request more information"
    pg.keyboard.press("Enter")
    wait_status(pg, "Information requested")
    shot(pg, "cr-11-keyboard-done")


# ---- (2) two browsers change the same case -----------------------------------------------------

def test_two_browsers_conflict_keeps_the_input(live_server, page, browser, shot) -> None:
    base = live_server.url
    with api_client(live_server, "business_unit") as api:
        case = staff_case(api, "Sasha", "Twofold")
    url = f"{base}/app/case-reviews/{case['id']}"
    first, second = make_user(live_server, "business_unit", name="Fran First"), make_user(
        live_server, "business_unit", name="Sid Second")

    pg1 = page
    sign_in(pg1, base, first)
    pg1.goto(url + "/edit")
    pg1.wait_for_selector("h1:has-text('Change the case')")

    ctx2 = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    problems: list[str] = []
    try:
        pg2 = ctx2.new_page()
        pg2.set_default_timeout(10_000)
        pg2.on("console", lambda m: problems.append(m.text) if m.type == "error" and
               not m.text.startswith("Failed to load resource") else None)
        pg2.on("pageerror", lambda e: problems.append(str(e)))
        sign_in(pg2, base, second)
        pg2.goto(url)
        pg2.wait_for_selector(f"h1:has-text('{case['reference']}')")
        # a "Change" link lands on its field on the edit page
        pg2.get_by_role("link", name="Change child’s local authority").click()
        pg2.wait_for_selector("h1:has-text('Change the case')")
        assert focused_id(pg2) == "f-child-local_authority"
        check_axe(pg2, "edit page")
        shot(pg2, "cr-12-edit-page")
        pg2.fill("#f-child-local_authority", "Northshire")
        pg2.fill("#f-lead_reviewer_name", "Dr Lee Reviewer")

        # the first browser saves first
        pg1.fill("#f-child-ethnicity", "Not recorded")
        pg1.fill("#f-notifier-role", "Detective sergeant")
        pg1.get_by_role("button", name="Save changes").click()
        pg1.wait_for_selector("[data-testid=success-banner]")
        assert "Detective sergeant" in pg1.inner_text("#notifier")

        # the second gets the conflict, sees the current version, keeps its input
        pg2.get_by_role("button", name="Save changes").click()
        pg2.locator("[data-testid=error-summary]").wait_for()
        assert "Someone else changed this case" in pg2.inner_text("[data-testid=error-summary]")
        conflict = pg2.locator("[data-testid=conflict]")
        conflict.wait_for()
        pg2.wait_for_selector("[data-testid=conflict] td:has-text('Detective sergeant')")
        text = conflict.inner_text()
        assert "Not recorded" in text and "Northshire" in text and "Dr Lee Reviewer" in text
        assert pg2.input_value("#f-child-local_authority") == "Northshire"
        assert pg2.input_value("#f-lead_reviewer_name") == "Dr Lee Reviewer"
        # the fields the second did not touch now show the current version
        assert pg2.input_value("#f-notifier-role") == "Detective sergeant"
        assert pg2.title().startswith("Error: ")
        check_axe(pg2, "edit page with a conflict")
        shot(pg2, "cr-13-edit-conflict")

        # and resubmits successfully: both changes stand
        pg2.get_by_role("button", name="Save changes").click()
        pg2.wait_for_selector("[data-testid=success-banner]")
        child = pg2.inner_text("#child")
        assert "Northshire" in child and "Not recorded" in child
        assert "Detective sergeant" in pg2.inner_text("#notifier")
        assert "Dr Lee Reviewer" in pg2.inner_text("#review")
        check_axe(pg2, "case page after the resubmission")
        shot(pg2, "cr-14-after-resubmit")

        # the same for an action: the first takes it, the second's stale form keeps its note
        pg1.goto(url)
        pg1.wait_for_selector("h1:has-text('Sasha Twofold')")
        pg2.get_by_role("button", name="Start screening", exact=True).click()
        pg2.fill("#f-action-note", "Screening started by Sid")
        pg1.get_by_role("link", name="Change child’s address").click()
        pg1.fill("#f-child-address", "1 Example Street")
        pg1.get_by_role("button", name="Save changes").click()
        pg1.wait_for_selector("[data-testid=success-banner]")
        pg2.get_by_role("button", name="Start screening", exact=True).click()
        pg2.locator("[data-testid=error-summary]:has-text('Someone else changed this case')").wait_for()
        pg2.wait_for_selector("#child:has-text('1 Example Street')")
        assert pg2.input_value("#f-action-note") == "Screening started by Sid"
        check_axe(pg2, "action conflict")
        shot(pg2, "cr-15-action-conflict")
        pg2.get_by_role("button", name="Start screening", exact=True).click()
        wait_status(pg2, "Screening")
    finally:
        ctx2.close()
    assert not problems, problems


# ---- (5) the list's filters, bookmarks and paging ------------------------------------------------

def test_list_filters_bookmarks_tags_and_paging(live_server, page, shot) -> None:
    base = live_server.url
    pg = page
    tag = uuid.uuid4().hex[:6]
    surname = f"Pager{tag}"
    with api_client(live_server, "business_unit") as api:
        made = [staff_case(api, f"Child{i}", surname, received_on="2025-02-0" + str(i + 1)) for i in range(5)]
        # two of them are screened
        for c in made[:2]:
            r = api.post(f"/case-reviews/{c['id']}/transitions", json={"action": "start_screening"},
                         headers={"If-Match": f"\"{c['version']}\""})
            assert r.status_code == 200, r.text
    bu = make_user(live_server, "business_unit", name="Lis Filters")
    sign_in(pg, base, bu)

    # a bookmark with filters reproduces the list, the form pre-filled
    bookmark = f"{base}/app/case-reviews?status=screening&q={surname}&received_from=2025-02-01&received_to=2025-02-28"
    pg.goto(bookmark)
    rows = pg.locator("[data-testid=case-reviews-table] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert pg.input_value("#f-q") == surname
    assert pg.is_checked("input[name=status][value=screening]")
    assert pg.input_value("#f-received_from") == "1" and pg.input_value("#f-received_from-month") == "2"
    assert pg.input_value("#f-received_to-year") == "2025"
    check_axe(pg, "list from a bookmark")
    shot(pg, "cr-16-list-bookmark")

    # removing a tag removes that filter from the address
    pg.locator(".moj-filter__tag", has_text="Screening").click()
    wait_until(pg, "!location.search.includes('status=')")
    assert f"q={surname}" in pg.url and "received_from=2025-02-01" in pg.url
    wait_until(pg, "document.querySelectorAll('[data-testid=case-reviews-table] tbody tr').length === 5")
    assert not pg.is_checked("input[name=status][value=screening]")
    check_axe(pg, "list after removing a tag")

    # keyset paging with a limit in the address
    pg.goto(f"{base}/app/case-reviews?q={surname}&limit=2")
    rows.first.wait_for()
    seen: list[str] = []
    first_cell = "document.querySelector('[data-testid=case-reviews-table] tbody tr td')"
    for expected in (2, 2, 1):
        wait_until(pg, "!document.querySelector('[data-testid=case-reviews-table][aria-busy]')")
        wait_until(pg, f"document.querySelectorAll('[data-testid=case-reviews-table] tbody tr').length === {expected}")
        if seen:  # the next page's rows, not the previous page's still shown before it starts loading
            wait_until(pg, f"{first_cell} && !{json.dumps(seen)}.includes({first_cell}.innerText.trim())")
            wait_until(pg, "!document.querySelector('[data-testid=case-reviews-table][aria-busy]')")
        seen += [t.strip() for t in pg.locator("[data-testid=case-reviews-table] tbody tr td:first-child").all_inner_texts()]
        if expected == 2:
            shot(pg, "cr-17-list-paged") if len(seen) == 2 else None
            nxt = pg.get_by_role("link", name="Next page")
            before = pg.url
            nxt.click()
            wait_until(pg, f"location.href !== {before!r}")
            assert "cursor=" in pg.url and "limit=2" in pg.url
    assert sorted(seen) == sorted(c["reference"] for c in made)
    assert pg.get_by_role("link", name="Next page").count() == 0
    check_axe(pg, "list, last page")
    pg.get_by_role("link", name="First page").click()
    wait_until(pg, "!location.search.includes('cursor=')")

    # a bad filter: the API's 422, shown against its field
    pg.goto(f"{base}/app/case-reviews?received_from=2025-02-31")
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert pg.title().startswith("Error: ")
    assert "Received from must be a real date" in summary.inner_text()
    assert pg.locator(".moj-filter__tag", has_text="2025-02-31").count() == 1
    assert pg.input_value("#f-received_from") == "31"
    check_axe(pg, "list with a bad filter")
    shot(pg, "cr-18-list-bad-filter")
    summary.locator("a").first.click()
    assert focused_id(pg) == "f-received_from"
    # the other clear-up: "Clear filters"
    pg.goto(f"{base}/app/case-reviews?decision=nfa&overdue=true")
    pg.get_by_role("link", name="Clear filters").click()
    wait_until(pg, "location.search === '' || location.search === '?'")
    q = parse_qs(urlparse(pg.url).query)
    assert not q


def test_staff_enter_a_notification(live_server, page, shot) -> None:
    base = live_server.url
    pg = page
    bu = make_user(live_server, "business_unit", name="Nia New")
    sign_in(pg, base, bu)
    pg.goto(f"{base}/app/case-reviews")
    pg.get_by_role("button", name="Enter a notification").click()
    pg.wait_for_selector("h1:has-text('Enter a notification')")
    check_axe(pg, "new notification form")
    shot(pg, "cr-19-new-form")
    pg.fill("#f-notifier-name", "Jo Sample")
    pg.fill("#f-notifier-email", "not-an-email")
    pg.get_by_role("button", name="Enter the notification").click()
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert pg.title().startswith("Error: ")
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    check_axe(pg, "new notification with errors")
    shot(pg, "cr-20-new-errors")
    links = summary.locator("a")
    assert links.count() >= 5
    summary.locator("a[href='#f-child-first_name']").click()
    assert focused_id(pg) == "f-child-first_name"
    assert pg.input_value("#f-notifier-name") == "Jo Sample"

    pg.fill("#f-notifier-email", "jo.sample@police.example")
    pg.fill("#f-notifier-agency", "Example Police")
    pg.fill("#f-child-first_name", "Ari")
    pg.fill("#f-child-last_name", "Entered")
    fill_app_date(pg, "f-received_on", "3", "2", "2025")
    fill_app_date(pg, "f-incident-date", "1", "2", "2025")
    pg.check("#f-incident-type-2")
    pg.fill("#f-incident-description", "A serious injury.")
    pg.fill("#f-rationale", "Agencies may have missed the signs.")
    pg.check("#f-abuse_or_neglect_suspected")
    pg.fill("#f-agencies_involved", "Police\nHealth visitor")
    pg.get_by_role("button", name="Enter the notification").click()
    pg.wait_for_selector("[data-testid=success-banner]")
    assert "has been entered" in pg.inner_text("[data-testid=success-banner]")
    assert "Ari Entered" in pg.inner_text("h1")
    assert "3 February 2025" in pg.inner_text("#rationale")
    assert "Health visitor" in pg.inner_text("#agencies")
    check_axe(pg, "new case page")
    shot(pg, "cr-21-new-case")


# ---- the sub-pages: agency reports, recommendations; thematic links ------------------------------

def test_agency_reports_recommendations_and_links(live_server, page, shot) -> None:
    base = live_server.url
    pg = page
    with api_client(live_server, "business_unit") as bu_api, api_client(live_server, "crg_chair") as chair_api:
        case = staff_case(bu_api, "Alex", "Subpages")
        other = staff_case(bu_api, "Bobbie", "Subpages")
        version = case["version"]
        for client, body in ((bu_api, {"action": "start_screening"}), (bu_api, {"action": "refer_to_group"}),
                             (chair_api, {"action": "commission_management_review", "rationale": "Single agency learning."})):
            r = client.post(f"/case-reviews/{case['id']}/transitions", json=body, headers={"If-Match": f"\"{version}\""})
            assert r.status_code == 200, r.text
            version = r.json()["version"]
        returned = bu_api.post(f"/case-reviews/{case['id']}/agency-reports",
                               json={"agency": "Example Health Trust", "due_on": (dt.date.today() + dt.timedelta(days=20)).isoformat()})
        assert returned.status_code == 201, returned.text
        r = bu_api.post(f"/case-reviews/{case['id']}/agency-reports/{returned.json()['id']}/submit",
                        json={"answers": {"chronology": "Seen at clinic twice.", "analysis": "Missed referral.",
                                          "learning": "Share concerns sooner."}, "not_known": ["recommendations"]})
        assert r.status_code == 200, r.text
    bu = make_user(live_server, "business_unit", name="Sam Subpages")
    sign_in(pg, base, bu)
    pg.goto(f"{base}/app/case-reviews/{case['id']}")
    pg.wait_for_selector(f"h1:has-text('{case['reference']}')")

    # agency reports: a returned report's answers, a request (an error first), then waiving it
    pg.get_by_role("link", name="Agency reports", exact=True).click()
    pg.wait_for_selector("h2:has-text('Agency reports')")
    card = pg.locator("[data-testid=agency-report]", has_text="Example Health Trust")
    card.locator("summary", has_text="Read the report").click()
    assert "Missed referral." in card.inner_text() and "Not known" in card.inner_text()
    check_axe(pg, "agency reports")
    shot(pg, "cr-22-agency-reports")
    pg.get_by_label("Agency", exact=True).fill("Example Primary School")
    pg.get_by_role("button", name="Request the report").click()
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert pg.title().startswith("Error: ")
    check_axe(pg, "agency report request with an error")
    summary.locator("a").first.click()
    assert focused_id(pg) == "f-request-due_on"
    due = dt.date.today() + dt.timedelta(days=30)
    fill_app_date(pg, "f-request-due_on", str(due.day), str(due.month), str(due.year))
    pg.get_by_label("Contact’s email address (optional)").fill("head@school.example")
    pg.get_by_role("button", name="Request the report").click()
    pg.wait_for_selector("[data-testid=success-banner]")
    school = pg.locator("[data-testid=agency-report]", has_text="Example Primary School")
    assert "Requested" in school.inner_text()
    school.locator("summary", has_text="no longer needed").click()
    school.get_by_label("Why is it no longer needed?").fill("The school had no contact with the child.")
    school.get_by_role("button", name="Waive the report from Example Primary School").click()
    pg.wait_for_selector("[data-testid=agency-report]:has-text('Example Primary School') .govuk-tag:text-is('Waived')")
    check_axe(pg, "agency reports after a waiver")
    shot(pg, "cr-23-agency-reports-waived")

    # recommendations: add (an error first), update, complete
    pg.get_by_role("link", name="Recommendations", exact=True).click()
    pg.wait_for_selector("h2:has-text('Recommendations')")
    pg.get_by_role("button", name="Add the recommendation").click()
    pg.locator("[data-testid=error-summary]").wait_for()
    check_axe(pg, "recommendations with an error")
    pg.get_by_label("Recommendation", exact=True).fill("Agencies share concerns at the first sign.")
    pg.get_by_label("What will be done").fill("Write a multi-agency protocol")
    pg.get_by_label("Agency responsible").fill("Example Police")
    pg.get_by_role("button", name="Add the recommendation").click()
    pg.wait_for_selector("[data-testid=recommendation]")
    rec = pg.locator("[data-testid=recommendation]").first
    assert "Write a multi-agency protocol" in rec.inner_text()
    rec.get_by_role("button", name="Update recommendation 1").click()
    rec.get_by_label("Status").select_option("in_progress")
    rec.get_by_role("button", name="Save recommendation 1").click()
    pg.wait_for_selector("[data-testid=recommendation] .govuk-tag:text-is('In progress')")
    pg.get_by_role("button", name="Mark as completed (recommendation 1)").click()
    pg.wait_for_selector("[data-testid=recommendation] .govuk-tag:text-is('Completed')")
    check_axe(pg, "recommendations")
    shot(pg, "cr-24-recommendations")

    # thematic links: by reference, then removed
    pg.get_by_role("link", name="Overview", exact=True).click()
    pg.wait_for_selector("#links-heading")
    pg.get_by_label("Reference of another case review to review with this one").fill("CR-0000-0000")
    pg.get_by_role("button", name="Link case").click()
    pg.locator("[data-testid=error-summary]").wait_for()
    assert "no case review with the reference" in pg.inner_text("[data-testid=error-summary]")
    pg.get_by_label("Reference of another case review to review with this one").fill(other["reference"])
    pg.get_by_role("button", name="Link case").click()
    pg.wait_for_selector(f"[data-testid=linked-cases] a:text-is('{other['reference']}')")
    check_axe(pg, "case page with a linked case")
    shot(pg, "cr-25-linked")
    pg.get_by_role("button", name=f"Remove the link to {other['reference']}").click()
    pg.wait_for_selector("text=No other case is reviewed with this one.")


def test_each_case_review_page_needs_at_most_three_api_calls(live_server, page) -> None:
    """DESIGN/issue 17: a page's data arrives in at most 3 API calls (GET /auth/session aside)."""
    base = live_server.url
    pg = page
    with api_client(live_server, "business_unit") as api:
        case = staff_case(api, "Cal", "Counted")
    bu = make_user(live_server, "business_unit", name="Cy Counter")
    sign_in(pg, base, bu)
    calls: list[str] = []
    pg.on("request", lambda r: calls.append(f"{r.method} {urlparse(r.url).path}")
          if "/api/v1/" in r.url and not r.url.split("?")[0].endswith("/auth/session") else None)
    for path, ready in (
        ("/app/case-reviews", "[data-testid=case-reviews-table]"),
        (f"/app/case-reviews/{case['id']}", ".moj-timeline"),
        (f"/app/case-reviews/{case['id']}/agency-reports", "#request-heading"),
        (f"/app/case-reviews/{case['id']}/recommendations", "#add-heading"),
        (f"/app/case-reviews/{case['id']}/edit", "button:has-text('Save changes')"),
        ("/app/case-reviews/new", "button:has-text('Enter the notification')"),
    ):
        calls.clear()
        pg.goto(base + path)
        pg.wait_for_selector(ready)
        pg.wait_for_load_state("networkidle")
        assert len(calls) <= 3, (path, calls)
