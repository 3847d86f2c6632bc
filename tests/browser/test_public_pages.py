"""The public pages in a real browser: fill and send each form, see errors, follow a link."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser


def fill_date(pg: Any, field_id: str, day: str, month: str, year: str) -> None:
    pg.fill(f"#{field_id}-day", day)
    pg.fill(f"#{field_id}-month", month)
    pg.fill(f"#{field_id}-year", year)


def focused_id(pg: Any) -> str:
    return str(pg.evaluate("document.activeElement && document.activeElement.id"))


def test_case_review_notification_errors_confirmation_and_status(live_server, page, shot) -> None:
    pg = page
    pg.goto(live_server.url + "/notify")
    shot(pg, "01-start-page")
    pg.click("text=Notify a serious incident")
    assert pg.url.endswith("/notify/case-review")
    assert pg.title().startswith("Notify a serious incident")
    shot(pg, "02-case-review-form")

    # a bad submission: an error summary linking to each field, the values kept
    pg.fill("#notifier-name", "Pat Example")
    pg.fill("#notifier-email", "not-an-email")
    fill_date(pg, "incident-date", "31", "2", "2025")
    pg.click("button.button:has-text('Send notification')")
    assert pg.title().startswith("Error: ")
    summary = pg.locator(".error-summary")
    assert summary.is_visible()
    assert focused_id(pg) == "" or pg.evaluate("document.activeElement.classList.contains('error-summary')")
    links = summary.locator("a")
    texts = links.all_inner_texts()
    assert "Enter an email address in the correct format, like name@example.com" in texts
    assert "Date of the incident must be a real date" in texts
    assert "Enter the child’s first name" in texts
    assert pg.input_value("#notifier-name") == "Pat Example"
    assert pg.input_value("#notifier-email") == "not-an-email"
    assert pg.locator("#notifier-email-error").inner_text().endswith(
        "Enter an email address in the correct format, like name@example.com")
    shot(pg, "03-case-review-errors")
    summary.locator("a", has_text="email address").click()
    assert focused_id(pg) == "notifier-email"
    summary.locator("a", has_text="Date of the incident").click()
    assert focused_id(pg) == "incident-date-day"
    summary.locator("a", has_text="outcome for the child").click()
    assert focused_id(pg) == "incident-type"

    # a good one
    pg.fill("#notifier-email", "pat.example@council.example")
    pg.fill("#notifier-agency", "Example Borough Council")
    pg.fill("#notifier-role", "Social worker")
    pg.fill("#child-first-name", "Sam")
    pg.fill("#child-last-name", "Taylor")
    fill_date(pg, "child-date-of-birth", "4", "6", "2015")
    pg.check("#child-sex")
    fill_date(pg, "incident-date", "2", "3", "2025")
    pg.check("#incident-type-2")
    pg.fill("#incident-description", "Sam was admitted to hospital with injuries.")
    pg.fill("#rationale", "Several agencies knew of concerns and did not share them.")
    pg.check("#abuse-or-neglect-suspected")
    pg.fill("#agencies-involved", "Police\nSchool")
    pg.click("button.button:has-text('Send notification')")
    pg.wait_for_url("**/notify/case-review/confirmation")
    reference = pg.inner_text("#reference").strip()
    token = pg.inner_text("#status-token").strip()
    assert re.fullmatch(r"CR-\d{4}-\d{4,6}", reference)
    assert len(token) > 20
    assert "Keep this status token" in pg.inner_text("main")
    assert token not in pg.url
    shot(pg, "04-case-review-confirmation")

    # the status link: reference filled in, the token posted in the form body
    pg.click("#status-link")
    assert pg.input_value("#reference") == reference
    shot(pg, "05-status-form")
    pg.fill("#status-token", "wrong-token-0000000000000")
    pg.click("button.button:has-text('Check progress')")
    assert pg.title().startswith("Error: ")
    assert "could not find a notification" in pg.inner_text(".error-summary")
    assert pg.input_value("#status-token") == ""
    pg.fill("#status-token", token)
    pg.click("button.button:has-text('Check progress')")
    assert pg.inner_text("#stage") == "Received"
    assert token not in pg.url
    shot(pg, "06-status-result")


def test_child_death_notification_and_reporting_form_link(live_server, page, shot) -> None:
    pg = page
    pg.goto(live_server.url + "/notify/child-death")
    shot(pg, "07-child-death-form")
    pg.click("button.button:has-text('Send notification')")
    assert pg.title().startswith("Error: ")
    shot(pg, "08-child-death-errors")
    pg.locator(".error-summary a", has_text="date of death").first.click()
    assert focused_id(pg) == "death-date-day"

    pg.fill("#notifier-name", "Dr Alex Morgan")
    pg.fill("#notifier-email", "alex.morgan@nhs.example")
    pg.fill("#notifier-agency", "Example Hospitals NHS Trust")
    pg.fill("#child-first-name", "Jamie")
    pg.fill("#child-last-name", "Lee")
    fill_date(pg, "child-date-of-birth", "12", "1", "2020")
    fill_date(pg, "death-date", "3", "3", "2025")
    pg.fill("#death-time", "14:30")
    pg.check("#death-place")
    pg.check("#death-expected")
    pg.check("label[for='death-coroner-involved-3']")
    pg.fill("#agencies-0-name", "Example GP Practice")
    pg.fill("#agencies-0-contact-email", "gp.practice@nhs.example")
    # "Add another agency" shows one more row, without errors and keeping the answers
    pg.click("button:has-text('Add another agency')")
    assert not pg.locator(".error-summary").count()
    assert pg.input_value("#agencies-0-name") == "Example GP Practice"
    assert pg.locator("#agencies-3-name").count() == 1
    pg.fill("#agencies-1-name", "Example Primary School")
    pg.click("button.button:has-text('Send notification')")
    pg.wait_for_url("**/notify/child-death/confirmation")
    reference = pg.inner_text("#reference").strip()
    assert re.fullmatch(r"CD-\d{4}-\d{4,6}", reference)
    shot(pg, "09-child-death-confirmation")

    # the coordinator starts information gathering: a reporting form link is emailed to the GP
    headers = {"Authorization": f"Bearer {live_server.token_for('cdop_coordinator')}"}
    with httpx.Client(base_url=live_server.url + "/api/v1", headers=headers) as api:
        found = api.get("/child-deaths", params={"q": reference}).json()["items"]
        case_id = found[0]["id"]
        got = api.get(f"/child-deaths/{case_id}")
        case = got.json()
        assert case["child"]["first_name"] == "Jamie"
        assert [a["name"] for a in case["agencies"]] == ["Example GP Practice", "Example Primary School"]
        r = api.post(f"/child-deaths/{case_id}/transitions", json={"action": "start_information_gathering"},
                     headers={"If-Match": got.headers["ETag"]})
        assert r.status_code == 200, r.text
    mails = []
    for _ in range(100):
        mails = [m for m in live_server.smtp.messages if "gp.practice@nhs.example" in m["to"]]
        if mails:
            break
        live_server.smtp.wait_for(len(live_server.smtp.messages) + 1, timeout=0.2)
    assert mails, "no reporting form email"
    token = re.search(r"/(?:reporting-forms|forms/reporting)/([A-Za-z0-9._~-]+)", mails[0]["body"]).group(1)

    link = f"{live_server.url}/forms/reporting/{token}"
    pg.goto(link)
    assert reference in pg.inner_text("#reference")
    assert "Jamie" not in pg.inner_text("main")  # no identifiers on a forwarded link
    shot(pg, "10-reporting-form")
    pg.fill("#answers-agency-involvement", "The GP saw the child four times in 2024.")
    pg.check("#not-known-health")
    pg.fill("#answers-health", "Asthma, well controlled.")
    pg.click("button.button:has-text('Send reporting form')")
    assert pg.title().startswith("Error: ")
    texts = pg.locator(".error-summary a").all_inner_texts()
    assert any("not both" in t for t in texts)
    assert any("family and environment" in t for t in texts)
    assert pg.input_value("#answers-agency-involvement") == "The GP saw the child four times in 2024."
    shot(pg, "11-reporting-form-errors")
    pg.uncheck("#not-known-health")
    for key in ("family-and-environment", "parenting-capacity", "service-provision", "other-information"):
        pg.check(f"#not-known-{key}")
    pg.click("button.button:has-text('Send reporting form')")
    pg.wait_for_url("**/forms/reporting/sent")
    assert reference in pg.inner_text("main")
    shot(pg, "12-reporting-form-sent")

    # the link works once
    response = pg.goto(link)
    assert response is not None and response.status == 404
    assert "Page not found" in pg.inner_text("h1")
    shot(pg, "13-reporting-link-used")


def test_forms_work_with_javascript_off(live_server, browser, shot) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 400, "height": 800})
    pg = context.new_page()
    try:
        pg.goto(live_server.url + "/notify/case-review")
        pg.click("button.button:has-text('Send notification')")
        assert pg.title().startswith("Error: ")
        shot(pg, "14-mobile-no-js-errors")
        pg.fill("#notifier-name", "Jo Bloggs")
        pg.fill("#notifier-email", "jo@school.example")
        pg.fill("#notifier-agency", "Example School")
        pg.fill("#child-first-name", "Max")
        pg.fill("#child-last-name", "Smith")
        fill_date(pg, "incident-date", "1", "1", "2025")
        pg.check("#incident-type-3")
        pg.fill("#incident-description", "A serious incident at home.")
        pg.fill("#rationale", "The family was known to several services for years.")
        pg.check("label[for='abuse-or-neglect-suspected-2']")
        # Enter in a text field sends the form (the main button is the default one)
        pg.press("#notifier-agency", "Enter")
        pg.wait_for_url("**/notify/case-review/confirmation")
        assert re.fullmatch(r"CR-\d{4}-\d{4,6}", pg.inner_text("#reference").strip())
        shot(pg, "15-mobile-no-js-confirmation")
    finally:
        context.close()


def test_keyboard_skip_link_and_focus_styles(live_server, page, shot) -> None:
    pg = page
    pg.goto(live_server.url + "/notify/child-death")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip-link"
    assert pg.locator(".skip-link").is_visible()
    shot(pg, "16-skip-link-focused")
    pg.keyboard.press("Enter")
    pg.keyboard.press("Tab")
    # the honeypot is never reached by keyboard
    assert focused_id(pg) != "website"
    outline = pg.evaluate("getComputedStyle(document.activeElement).outlineColor + ' ' + "
                          "getComputedStyle(document.activeElement).backgroundColor")
    assert "255, 221, 0" in outline  # the yellow focus state
    pg.focus("#notifier-name")
    assert "255, 221, 0" in pg.evaluate("getComputedStyle(document.activeElement).outlineColor")
    # Enter in a field sends the form, never "Add another agency" (which shows no errors)
    pg.fill("#notifier-name", "Kim Example")
    pg.press("#notifier-name", "Enter")
    pg.wait_for_load_state()
    assert pg.title().startswith("Error: ")
    assert pg.input_value("#notifier-name") == "Kim Example"
    assert pg.locator("#agencies-3-name").count() == 0
