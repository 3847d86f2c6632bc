"""The staff app's child death screens in a real browser against the real service (issue 18,
journey 1): a death notified through the public form is taken by the coordinator (signing in
through the sign-in page) through reporting forms (two requested: one returned through its
emailed single-use link, one waived with a reason), a hold and its release, ready for panel and
scheduled on a panel; the chair records the analysis with a referral to case review; the
coordinator closes the case; a business unit user sees the referral in the case review list.
A shorter journey runs with the keyboard alone. Every page state visited gets axe-core and a
screenshot.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.staff import (
    api_client, check_axe, fill_app_date, fill_date, focused_id, focused_text, key_app_date,
    key_date, key_press, key_radio, key_type, mail_link, make_user, open_action, schedule_on_panel,
    sign_in, sign_out, submit_action, tab_to, tab_to_text, wait_banner, wait_status,
)

pytestmark = pytest.mark.browser


def public_child_death(pg: Any, base: str, first: str, last: str) -> str:
    """A death notified through the public form at /notify/child-death; its reference."""
    pg.goto(base + "/notify/child-death")
    pg.fill("#notifier-name", "Dr Alex Morgan")
    pg.fill("#notifier-email", "alex.morgan@nhs.example")
    pg.fill("#notifier-agency", "Example Hospitals NHS Trust")
    pg.fill("#child-first-name", first)
    pg.fill("#child-last-name", last)
    fill_date(pg, "child-date-of-birth", "12", "1", "2020")
    died = dt.date.today() - dt.timedelta(days=40)
    fill_date(pg, "death-date", str(died.day), str(died.month), str(died.year))
    pg.check("#death-place")
    pg.check("label[for='death-expected-2']")
    pg.click("button.button:has-text('Send notification')")
    pg.wait_for_url("**/notify/child-death/confirmation")
    return pg.inner_text("#reference").strip()


def test_child_death_journey_from_public_notification_to_closed_with_a_referral(live_server, page, browser, shot) -> None:
    base = live_server.url
    pg = page
    tag = uuid.uuid4().hex[:4]
    first, last = "Robin", f"Ashdown{tag}"
    reference = public_child_death(pg, base, first, last)
    assert re.fullmatch(r"CD-\d{4}-\d{4,6}", reference)

    # the coordinator signs in and finds the case from the outstanding page
    coordinator = make_user(live_server, "cdop_coordinator", name="Casey Coordinator")
    sign_in(pg, base, coordinator)
    pg.get_by_role("link", name="Child deaths", exact=True).first.click()
    pg.wait_for_selector("h1:has-text('Outstanding child deaths')")
    pg.locator("[data-testid=summary-table]").wait_for()
    assert pg.locator("[data-testid=summary-chart] svg[role=img] title").count() == 1
    check_axe(pg, "outstanding")
    shot(pg, "cd-01-outstanding")
    # the notified count (under 3 months) links to the filtered list
    row = pg.locator("[data-testid=summary-table] tr", has=pg.locator("th", has_text=re.compile(r"^Notified$")))
    row.locator("td").first.get_by_role("link").click()
    pg.wait_for_selector("[data-testid=child-deaths-table]")
    assert "status=notified" in pg.url
    assert pg.locator("[data-testid=child-deaths-table]", has_text=reference).count() == 1
    check_axe(pg, "list (notified)")
    shot(pg, "cd-02-list-notified")
    pg.get_by_label("Reference or child’s name").fill(reference)
    pg.get_by_role("button", name="Apply filters").click()
    pg.wait_for_url(f"**q={reference}*")
    pg.get_by_role("link", name=reference, exact=True).click()
    pg.wait_for_selector(f"h1:has-text('{last}')")
    wait_status(pg, "Notified")
    check_axe(pg, "case (notified)")
    shot(pg, "cd-03-case-notified")

    open_action(pg, "Start gathering information")
    check_axe(pg, "start gathering form")
    submit_action(pg, "Start gathering information")
    wait_status(pg, "Information gathering")

    # two reporting forms requested; a bad email first (the API's 422 against its field)
    gp_email, school_email = f"gp-{tag}@nhs.example", f"school-{tag}@school.example"
    form = pg.locator("[data-testid=request-form]")
    form.get_by_label("Agency", exact=True).fill("Example GP Practice")
    form.get_by_label("Contact email address (optional)").fill("not-an-email")
    form.get_by_role("button", name="Request the form").click()
    form.locator("[data-testid=error-summary]").wait_for()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert pg.title().startswith("Error: ")
    check_axe(pg, "request form error")
    shot(pg, "cd-04-request-error")
    form.locator("[data-testid=error-summary] a").first.click()
    assert focused_id(pg) == "f-request-contact_email"
    form.get_by_label("Contact email address (optional)").fill(gp_email)
    due = dt.date.today() + dt.timedelta(days=21)
    fill_app_date(pg, "f-request-due_on", due)
    form.get_by_role("button", name="Request the form").click()
    wait_banner(pg, "requested from Example GP Practice")
    assert not pg.title().startswith("Error: ")
    form.get_by_label("Agency", exact=True).fill("Example Primary School")
    form.get_by_label("Contact email address (optional)").fill(school_email)
    form.get_by_role("button", name="Request the form").click()
    wait_banner(pg, "requested from Example Primary School")
    table = pg.locator("[data-testid=reporting-forms-table]")
    assert table.locator("tbody tr").count() == 2
    assert due.strftime("%-d %B %Y") in table.inner_text()
    check_axe(pg, "two forms requested")
    shot(pg, "cd-05-forms-requested")

    # the school's form is waived with a reason (empty first: the API's 422)
    pg.get_by_role("button", name="Waive the form from Example Primary School").click()
    assert focused_id(pg) == "waive-heading"
    pg.get_by_role("button", name="Waive the form", exact=True).click()
    pg.locator("form[aria-labelledby=waive-heading] [data-testid=error-summary]").wait_for()
    check_axe(pg, "waive error")
    pg.get_by_label("Why is the form no longer needed?").fill("The school had no contact with the child.")
    pg.get_by_role("button", name="Waive the form", exact=True).click()
    wait_banner(pg, "was waived")
    assert "The school had no contact with the child." in table.inner_text()
    # the link to the GP is sent again
    pg.get_by_role("button", name="Resend link to Example GP Practice").click()
    wait_banner(pg, "sent again")

    # the GP returns the form through the emailed single-use link (no sign-in)
    # (the link was sent twice: the second email carries the link that works)
    link = mail_link(live_server, gp_email, count=2)
    agency_ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    try:
        gp = agency_ctx.new_page()
        gp.goto(link)
        assert reference in gp.inner_text("#reference")
        assert last not in gp.inner_text("main")
        shot(gp, "cd-06-reporting-form-link")
        gp.fill("#answers-agency-involvement", "The GP saw the child three times this year.")
        for key in ("health", "family-and-environment", "parenting-capacity", "service-provision", "other-information"):
            gp.check(f"#not-known-{key}")
        gp.click("button.button:has-text('Send reporting form')")
        gp.wait_for_url("**/forms/reporting/sent")
    finally:
        agency_ctx.close()
    pg.reload()
    pg.locator("[data-testid=reporting-forms-table]").wait_for()
    gp_row = pg.locator("[data-testid=reporting-forms-table] tr", has_text="Example GP Practice")
    assert "Returned" in gp_row.inner_text()
    pg.get_by_text("Answers from Example GP Practice").click()
    pg.locator("details[open]", has_text="The GP saw the child three times this year.").wait_for()
    assert "Not known" in pg.locator("details[open]").inner_text()
    check_axe(pg, "answers")
    shot(pg, "cd-07-form-returned")

    # a hold (for an inquest) and its release
    open_action(pg, "Place on hold")
    pg.locator("label", has_text="Inquest").click()
    fill_app_date(pg, "f-action-expected_on", dt.date.today() + dt.timedelta(days=60))
    check_axe(pg, "hold form")
    submit_action(pg, "Place on hold")
    wait_status(pg, "On hold")
    holds = pg.locator("[data-testid=holds-table]")
    assert "Inquest" in holds.inner_text() and "On hold" in holds.inner_text()
    check_axe(pg, "on hold")
    shot(pg, "cd-08-on-hold")
    open_action(pg, "Release the hold")
    submit_action(pg, "Release the hold")
    wait_status(pg, "Information gathering")
    assert "by Casey Coordinator" in holds.inner_text()

    # a panel meeting (made through the API), and the case scheduled on it
    chair = make_user(live_server, "cdop_chair", name="Charlie Chair")
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=14)).replace(hour=10, minute=0, second=0, microsecond=0)
    with api_client(live_server, "cdop_coordinator") as api:
        r = api.post("/meetings", json={"kind": "cdop_panel", "scheduled_for": when.isoformat(),
                                        "title": f"Panel {tag}", "location": "Room 2", "member_ids": [chair.id]})
        assert r.status_code == 201, r.text
        meeting_id = r.json()["id"]
    open_action(pg, "Mark ready for the panel")
    pg.fill("#f-action-cdrm_not_required_reason", "An expected death; the panel's review is enough (synthetic).")
    submit_action(pg, "Mark ready for the panel")
    wait_status(pg, "Ready for panel")

    schedule_on_panel(pg, meeting_id)
    case_url = pg.url
    shot(pg, "cd-09-scheduled")
    sign_out(pg)

    # the chair records the panel's analysis, with a referral to the Case Review Group
    sign_in(pg, base, chair)
    pg.goto(case_url)
    wait_status(pg, "Scheduled for panel")
    pg.get_by_role("button", name="Record the panel's analysis").click()
    assert focused_id(pg) == "analysis-form-heading"
    pg.get_by_role("button", name="Record the analysis").click()
    summary = pg.locator("[data-testid=analysis-form] [data-testid=error-summary]")
    summary.wait_for()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    texts = summary.locator("a").all_inner_texts()
    assert pg.title().startswith("Error: ")
    assert any("category of death" in t for t in texts), texts
    assert any("domain" in t.lower() for t in texts), texts
    check_axe(pg, "analysis errors")
    shot(pg, "cd-10-analysis-errors")
    summary.locator("a", has_text="category of death").click()
    assert focused_id(pg) == "f-analysis-category"
    pg.get_by_label("10. Sudden unexpected, unexplained death").check()
    pg.locator("#f-analysis-modifiable-3").check()  # insufficient information
    for domain, score in (("A", "0"), ("B", "2"), ("C", "1"), ("D", "2")):
        idx = {"0": "", "1": "-2", "2": "-3"}[score]
        pg.locator(f"#f-analysis-scores-{domain}{idx}").check()
    assert "may have contributed" in pg.locator("label[for='f-analysis-scores-B-3']").inner_text()
    pg.get_by_label("Learning", exact=True).fill("Safer sleep advice was not repeated after the move.")
    pg.get_by_role("button", name="Add an action").click()
    pg.locator("#f-analysis-actions-0-description").fill("Remind health visitors of safer sleep advice")
    pg.locator("#f-analysis-actions-0-owner_agency").fill("Example Health Visiting")
    fill_app_date(pg, "f-analysis-actions-0-due_on", dt.date.today() + dt.timedelta(days=60))
    pg.locator("#f-analysis-refer_to_case_review").check()
    pg.get_by_label("Why the case is referred for a case review (optional)").fill("Agencies did not share concerns.")
    check_axe(pg, "analysis filled")
    shot(pg, "cd-11-analysis-filled")
    pg.get_by_role("button", name="Record the analysis").click()
    wait_status(pg, "Reviewed")
    analysis = pg.locator("[data-testid=analysis]")
    assert "Sudden unexpected, unexplained death" in analysis.inner_text()
    assert "by Charlie Chair" in analysis.inner_text()
    link = pg.locator("[data-testid=case-review-link] a")
    cr_reference = link.inner_text().replace("case review", "").strip()
    assert cr_reference
    assert re.search(r"/app/case-reviews/\d+$", link.get_attribute("href") or ""), link.get_attribute("href")
    check_axe(pg, "reviewed")
    shot(pg, "cd-12-reviewed")
    sign_out(pg)

    # the coordinator closes the case
    sign_in(pg, base, coordinator)
    pg.goto(case_url)
    wait_status(pg, "Reviewed")
    open_action(pg, "Close the review")
    submit_action(pg, "Close the review")
    wait_status(pg, "Closed")
    # the history is read again after the action: wait for its newest entry
    pg.wait_for_selector(".moj-timeline__title:has-text('Close the review')")
    timeline = pg.locator(".moj-timeline").inner_text()
    for words in ("Record the panel's analysis", "Release the hold", "Close the review"):
        assert words.replace("'", "’") in timeline or words in timeline, (words, timeline)
    check_axe(pg, "closed")
    shot(pg, "cd-13-closed")
    sign_out(pg)

    # the business unit sees the referral in the case review list
    bu = make_user(live_server, "business_unit", name="Bailey Unit")
    sign_in(pg, base, bu)
    pg.goto(f"{base}/app/case-reviews")
    pg.wait_for_selector("[data-testid=case-reviews-table]")
    table = pg.locator("[data-testid=case-reviews-table]")
    assert table.get_by_role("link", name=cr_reference, exact=True).count() == 1
    assert last in table.locator("tr", has_text=cr_reference).inner_text()
    check_axe(pg, "case review list with the referral")
    shot(pg, "cd-14-case-review-list")
    # the case review links back to the child death it came from
    table.get_by_role("link", name=cr_reference, exact=True).click()
    back = pg.get_by_role("link", name=reference, exact=True)
    back.wait_for()
    back.click()
    pg.wait_for_url(case_url)


def test_keyboard_alone_list_case_and_a_hold_with_an_error(live_server, page, shot) -> None:
    base = live_server.url
    pg = page
    tag = uuid.uuid4().hex[:4]
    with api_client(live_server, "cdop_coordinator") as api:
        died = (dt.date.today() - dt.timedelta(days=200)).isoformat()
        r = api.post("/child-deaths", json={
            "notifier": {"name": "Sam Notifier", "email": "sam@nhs.example", "agency": "Example Trust"},
            "child": {"first_name": "Kai", "last_name": f"Keyboard{tag}", "date_of_birth": "2015-05-05"},
            "death": {"date": died, "place": "home", "expected": False},
        })
        assert r.status_code == 201, r.text
        case = r.json()
        got = api.get(f"/child-deaths/{case['id']}")
        r = api.post(f"/child-deaths/{case['id']}/transitions", json={"action": "start_information_gathering"},
                     headers={"If-Match": got.headers["ETag"]})
        assert r.status_code == 200, r.text
    reference = case["reference"]
    coordinator = make_user(live_server, "cdop_coordinator", name="Kit Keys")
    pg.goto(f"{base}/app/child-deaths/list?q={reference}")
    sign_in(pg, base, coordinator, keyboard=True, goto=False)
    pg.wait_for_selector("[data-testid=child-deaths-table]")
    check_axe(pg, "list (keyboard)")
    tab_to(pg, f"el.tagName === 'A' && el.innerText.trim() === {reference!r}")
    pg.keyboard.press("Enter")
    pg.wait_for_selector(f"h1:has-text('Keyboard{tag}')")
    wait_status(pg, "Information gathering")
    check_axe(pg, "case (keyboard)")

    tab_to_text(pg, "Place on hold")
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "action-form-heading"
    tab_to(pg, "el.type === 'submit'")
    assert focused_text(pg) == "Place on hold"
    pg.keyboard.press("Enter")
    pg.locator("[data-testid=error-summary]").wait_for()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert pg.title().startswith("Error: ")
    check_axe(pg, "hold error (keyboard)")
    shot(pg, "cd-15-keyboard-error")
    # the first link moves focus to the reason's first radio; Space chooses it
    pg.keyboard.press("Tab")
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "f-action-hold_reason"
    pg.keyboard.press("Space")
    assert pg.is_checked("#f-action-hold_reason")
    expected = dt.date.today() + dt.timedelta(days=30)
    tab_to(pg, "el.id === 'f-action-expected_on'")
    pg.keyboard.type(str(expected.day))
    pg.keyboard.press("Tab")
    pg.keyboard.type(str(expected.month))
    pg.keyboard.press("Tab")
    pg.keyboard.type(str(expected.year))
    tab_to(pg, "el.type === 'submit'")
    assert focused_text(pg) == "Place on hold"
    pg.keyboard.press("Enter")
    wait_status(pg, "On hold")
    # the banner that says it was done takes focus
    pg.wait_for_function("() => document.activeElement && document.activeElement.dataset.testid === 'success-banner'")
    check_axe(pg, "on hold (keyboard)")
    shot(pg, "cd-16-keyboard-done")


def test_coordinator_enters_a_notification_with_errors(live_server, page, shot) -> None:
    base = live_server.url
    pg = page
    tag = uuid.uuid4().hex[:4]
    coordinator = make_user(live_server, "cdop_coordinator", name="Nico Notes")
    sign_in(pg, base, coordinator)
    pg.goto(f"{base}/app/child-deaths/new")
    pg.wait_for_selector("h1:has-text('Enter a child death notification')")
    check_axe(pg, "new notification")
    pg.get_by_role("button", name="Enter the notification").click()
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert pg.title().startswith("Error: ")
    texts = summary.locator("a").all_inner_texts()
    assert any("first name" in t for t in texts), texts
    assert any("date of death" in t.lower() for t in texts), texts
    check_axe(pg, "new notification errors")
    shot(pg, "cd-17-new-errors")
    summary.locator("a", has_text="first name").click()
    assert focused_id(pg) == "f-child-first_name"
    pg.fill("#f-child-first_name", "Noor")
    pg.fill("#f-child-last_name", f"Entered{tag}")
    fill_app_date(pg, "f-child-date_of_birth", dt.date(2018, 2, 3))
    fill_app_date(pg, "f-death-date", dt.date.today() - dt.timedelta(days=3))
    pg.locator("#f-death-place").check()
    pg.locator("#f-death-expected").check()
    pg.fill("#f-notifier-name", "Dr Pat Example")
    pg.fill("#f-notifier-email", "pat@nhs.example")
    pg.fill("#f-notifier-agency", "Example Trust")
    pg.fill("#f-agencies-0-name", "Example GP")
    pg.get_by_role("button", name="Enter the notification").click()
    wait_status(pg, "Notified")
    wait_banner(pg, "entered")
    assert "Example GP" in pg.locator("#notification").inner_text()
    check_axe(pg, "entered notification")
    shot(pg, "cd-18-entered")


def test_each_child_death_page_needs_at_most_three_api_calls(live_server, page) -> None:
    """DESIGN: a page's data arrives in at most 3 API calls (GET /auth/session aside)."""
    base = live_server.url
    pg = page
    with api_client(live_server, "cdop_coordinator") as api:
        r = api.post("/child-deaths", json={
            "notifier": {"name": "Sam Notifier", "email": "sam@nhs.example", "agency": "Example Trust"},
            "child": {"first_name": "Cal", "last_name": "Counted", "date_of_birth": "2016-06-06"},
            "death": {"date": (dt.date.today() - dt.timedelta(days=120)).isoformat(), "place": "hospital", "expected": True},
            "agencies": [{"name": "Example GP", "contact_email": "gp@nhs.example"}],
        })
        assert r.status_code == 201, r.text
        case = r.json()
    coordinator = make_user(live_server, "cdop_coordinator", name="Cy Counter")
    sign_in(pg, base, coordinator)
    calls: list[str] = []
    pg.on("request", lambda r: calls.append(f"{r.method} {urlparse(r.url).path}")
          if "/api/v1/" in r.url and not r.url.split("?")[0].endswith("/auth/session") else None)
    for path, ready in (
        ("/app/child-deaths", "[data-testid=summary-table]"),
        ("/app/child-deaths/list?outstanding=true", "[data-testid=child-deaths-table]"),
        (f"/app/child-deaths/{case['id']}", ".moj-timeline"),
        ("/app/child-deaths/new", "button:has-text('Enter the notification')"),
    ):
        calls.clear()
        pg.goto(base + path)
        pg.wait_for_selector(ready)
        pg.wait_for_load_state("networkidle")
        assert len(calls) <= 3, (path, calls)


def test_outstanding_counts_link_to_the_list_and_a_stale_case_keeps_the_input(live_server, page, browser, shot) -> None:
    """Overdue reporting forms by agency and a hold past its expected date on the outstanding
    page, each a link to the filtered list; then a second browser changes the case and the first
    one's action answers 412: the current version is shown and what was typed is kept."""
    from sqlalchemy import text

    base = live_server.url
    pg = page
    tag = uuid.uuid4().hex[:4]
    school = f"Example School {tag}"
    with api_client(live_server, "cdop_coordinator") as api:
        r = api.post("/child-deaths", json={
            "notifier": {"name": "Sam Notifier", "email": "sam@nhs.example", "agency": "Example Trust"},
            "child": {"first_name": "Ola", "last_name": f"Overdue{tag}", "date_of_birth": "2012-02-02"},
            "death": {"date": (dt.date.today() - dt.timedelta(days=250)).isoformat(), "place": "home", "expected": False},
            "agencies": [{"name": school, "contact_email": f"school-{tag}@school.example"}],
        })
        assert r.status_code == 201, r.text
        case_id = r.json()["id"]
        reference = r.json()["reference"]
        for body in ({"action": "start_information_gathering"},
                     {"action": "place_on_hold", "hold_reason": "criminal_proceedings",
                      "expected_on": (dt.date.today() + dt.timedelta(days=5)).isoformat()}):
            got = api.get(f"/child-deaths/{case_id}")
            r = api.post(f"/child-deaths/{case_id}/transitions", json=body, headers={"If-Match": got.headers["ETag"]})
            assert r.status_code == 200, r.text
    # time passes: the form's due date and the hold's expected date are behind us
    with live_server.session_factory() as s:
        past = dt.date.today() - dt.timedelta(days=4)
        s.execute(text("UPDATE core_agency_requests SET due_on = :d WHERE subject_id = :id AND agency = :a"),
                  {"d": past, "id": case_id, "a": school})
        s.execute(text("UPDATE cdop_holds SET expected_on = :d WHERE child_death_id = :id"), {"d": past, "id": case_id})
        s.commit()

    coordinator = make_user(live_server, "cdop_coordinator", name="Olu Outstanding")
    sign_in(pg, base, coordinator)
    pg.goto(f"{base}/app/child-deaths")
    forms = pg.locator("[data-testid=overdue-forms-table]")
    forms.wait_for()
    holds = pg.locator("[data-testid=holds-table]")
    holds.wait_for()
    assert "Criminal proceedings" in holds.inner_text()
    check_axe(pg, "outstanding with overdue forms and holds")
    shot(pg, "cd-19-outstanding-overdue")
    forms.get_by_role("link", name=f"1 overdue from {school}").click()
    pg.wait_for_selector("[data-testid=child-deaths-table]")
    assert "has_overdue_reports=true" in pg.url and "agency=" in pg.url
    rows = pg.locator("[data-testid=child-deaths-table] tbody tr")
    assert rows.count() == 1 and reference in rows.inner_text()
    assert "Forms overdue" in rows.inner_text() and "Hold past expected date" in rows.inner_text()
    check_axe(pg, "list of overdue forms")
    shot(pg, "cd-20-list-overdue")
    pg.go_back()
    holds.get_by_role("link", name=re.compile("criminal proceedings past the expected date")).click()
    pg.wait_for_selector("[data-testid=child-deaths-table]")
    assert "hold_reason=criminal_proceedings" in pg.url and "hold_overdue=true" in pg.url
    assert pg.locator("[data-testid=child-deaths-table] tbody tr").count() == 1
    assert pg.locator("[data-testid=child-deaths-table]", has_text=reference).count() == 1

    # a stale case: the first browser's action is refused with 412, the note is kept
    pg.goto(f"{base}/app/child-deaths/{case_id}")
    wait_status(pg, "On hold")
    assert "Past expected date" in pg.locator("[data-testid=holds-table]").inner_text()
    open_action(pg, "Release the hold")
    pg.fill("#f-action-note", "The trial has ended.")
    other = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    try:
        pg2 = other.new_page()
        sign_in(pg2, base, make_user(live_server, "cdop_coordinator", name="Second Coordinator"))
        pg2.goto(f"{base}/app/child-deaths/{case_id}")
        wait_status(pg2, "On hold")
        pg2.get_by_role("button", name="Release the hold", exact=True).click()
        pg2.locator("form[aria-labelledby=action-form-heading] button[type=submit]").click()
        wait_status(pg2, "Information gathering")
    finally:
        other.close()
    submit_action(pg, "Release the hold")
    # the action is no longer offered (the hold is released): the page says why it was not done
    summary = pg.locator("[data-testid=error-summary]", has_text="Someone else changed this case")
    summary.wait_for()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert pg.title().startswith("Error: ")
    wait_status(pg, "Information gathering")
    pg.wait_for_selector(".moj-timeline__byline:has-text('Second Coordinator')")
    check_axe(pg, "stale case")
    shot(pg, "cd-21-stale-case")


def test_possible_duplicate_links_to_the_other_case(live_server, page, shot) -> None:
    """The same death notified twice (the same NHS number): each case warns and links the other."""
    base = live_server.url
    pg = page
    tag = uuid.uuid4().hex[:4]
    body = {
        "notifier": {"name": "Sam Notifier", "email": "sam@nhs.example", "agency": "Example Trust"},
        "child": {"first_name": "Dee", "last_name": f"Double{tag}", "date_of_birth": "2019-09-09",
                  "nhs_number": "943 476 5919"},
        "death": {"date": (dt.date.today() - dt.timedelta(days=2)).isoformat(), "place": "hospital", "expected": True},
    }
    with api_client(live_server, "cdop_coordinator") as api:
        first = api.post("/child-deaths", json=body)
        assert first.status_code == 201, first.text
        second = api.post("/child-deaths", json={**body, "notifier": {**body["notifier"], "name": "Another Notifier"}})
        assert second.status_code == 201, second.text
    first, second = first.json(), second.json()
    coordinator = make_user(live_server, "cdop_coordinator", name="Dana Duplicates")
    sign_in(pg, base, coordinator)
    pg.goto(f"{base}/app/child-deaths/{second['id']}")
    warning = pg.locator("[data-testid=duplicate-warning]")
    warning.wait_for()
    assert "same NHS number" in warning.inner_text()
    check_axe(pg, "possible duplicate")
    shot(pg, "cd-22-duplicate")
    warning.get_by_role("link", name=first["reference"]).click()
    pg.wait_for_url(f"**/app/child-deaths/{first['id']}")
    pg.wait_for_selector(f"h1:has-text('{first['reference']}')")
    # the list marks both
    pg.goto(f"{base}/app/child-deaths/list?q=Double{tag}")
    rows = pg.locator("[data-testid=child-deaths-table] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert all("Possible duplicate" in t for t in rows.all_inner_texts())


# ---- journey 1 with the keyboard alone (issue 18: "each journey run once with the keyboard alone") ----


def key_action(pg: Any, label: str, fill: Any = None) -> None:
    """Open an action of the case by keyboard, fill its form (``fill(pg)``) and submit it; done
    when the success banner takes focus, which it does once the case and its actions are read
    again (a key pressed before, on a button the new list replaces, would be lost)."""
    key_press(pg, label)
    pg.wait_for_function("() => document.activeElement && document.activeElement.id === 'action-form-heading'")
    if fill is not None:
        fill(pg)
    tab_to(pg, f"el.type === 'submit' && el.innerText.trim() === {label!r}")
    pg.keyboard.press("Enter")
    pg.wait_for_function("t => { const el = document.activeElement; return !!el && el.dataset.testid === 'success-banner'"
                         " && el.innerText.includes(t); }", arg=label)


def key_sign_out(pg: Any) -> None:
    key_press(pg, "Sign out")
    pg.wait_for_selector("h1:has-text('Sign in')")


def test_keyboard_alone_child_death_journey_from_public_notification_to_closed(live_server, page, browser, shot) -> None:
    """Journey 1 as the mouse run above, every step with the keyboard alone: the public form, the
    reporting forms (one through its emailed link, one waived), a hold and its release, ready,
    scheduled, the chair's analysis with a referral, closed, and the referral in the case review
    list. Addresses are typed only where a person would follow an emailed link."""
    base = live_server.url
    pg = page
    tag = uuid.uuid4().hex[:4]
    first, last = "Jordan", f"Keyfield{tag}"
    gp_email, school_email = f"gp-k{tag}@nhs.example", f"school-k{tag}@school.example"

    # the public form, by keyboard; the GP is named on it, with its contact
    pg.goto(base + "/notify/child-death")
    key_type(pg, "notifier-name", "Dr Sam Rivers")
    key_type(pg, "notifier-email", "sam.rivers@nhs.example")
    key_type(pg, "notifier-agency", "Example Hospitals NHS Trust")
    key_type(pg, "child-first-name", first)
    key_type(pg, "child-last-name", last)
    key_date(pg, "child-date-of-birth-day", "child-date-of-birth-month", "child-date-of-birth-year", dt.date(2019, 3, 14))
    died = dt.date.today() - dt.timedelta(days=35)
    key_date(pg, "death-date-day", "death-date-month", "death-date-year", died)
    key_radio(pg, "death-place", 2)  # home
    key_radio(pg, "death-expected", 2)  # not expected
    key_type(pg, "agencies-0-name", "Example GP Practice")
    key_type(pg, "agencies-0-contact-email", gp_email)
    assert pg.is_checked("#death-place-2") and pg.is_checked("#death-expected-2")
    check_axe(pg, "public form filled (keyboard)")
    key_press(pg, "Send notification")
    pg.wait_for_url("**/notify/child-death/confirmation")
    reference = pg.inner_text("#reference").strip()
    assert re.fullmatch(r"CD-\d{4}-\d{4,6}", reference)

    # the coordinator signs in and goes from the outstanding page to the list and the case
    coordinator = make_user(live_server, "cdop_coordinator", name="Kerry Keys")
    sign_in(pg, base, coordinator, keyboard=True)
    key_press(pg, "Child deaths")
    pg.wait_for_selector("h1:has-text('Outstanding child deaths')")
    pg.locator("[data-testid=summary-table]").wait_for()
    key_press(pg, "All child deaths")
    pg.wait_for_selector("[data-testid=child-deaths-table]")
    tab_to(pg, "el.name === 'q'")
    pg.keyboard.type(reference)
    key_press(pg, "Apply filters")
    pg.wait_for_url(f"**q={reference}*")
    pg.wait_for_function("() => !document.querySelector('[aria-busy=true]')")
    tab_to(pg, f"el.tagName === 'A' && el.innerText.trim() === {reference!r}")
    pg.keyboard.press("Enter")
    pg.wait_for_selector(f"h1:has-text('{last}')")
    wait_status(pg, "Notified")
    check_axe(pg, "case (keyboard)")

    # start gathering: the GP's form is requested from the notification, with its emailed link
    key_action(pg, "Start gathering information")
    wait_status(pg, "Information gathering")
    table = pg.locator("[data-testid=reporting-forms-table]")
    table.wait_for()
    assert "Example GP Practice" in table.inner_text()

    # the school's form, requested by keyboard, then waived with a reason (empty first: 422)
    form = pg.locator("[data-testid=request-form]")
    key_type(pg, "f-request-agency", "Example Primary School")
    key_type(pg, "f-request-contact_email", school_email)
    key_press(pg, "Request the form")
    wait_banner(pg, "requested from Example Primary School")
    assert table.locator("tbody tr").count() == 2
    key_press(pg, "Waive the form from Example Primary School")
    assert focused_id(pg) == "waive-heading"
    key_press(pg, "Waive the form")
    pg.locator("form[aria-labelledby=waive-heading] [data-testid=error-summary]").wait_for()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    check_axe(pg, "waive error (keyboard)")
    # the error's link takes focus to the reason
    pg.keyboard.press("Tab")
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.tagName") == "TEXTAREA"
    pg.keyboard.type("The school did not know the family.")
    key_press(pg, "Waive the form")
    wait_banner(pg, "was waived")
    assert "The school did not know the family." in table.inner_text()
    assert form.count() == 1

    # the GP answers through the emailed single-use link, by keyboard too
    link = mail_link(live_server, gp_email)
    agency_ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    try:
        gp = agency_ctx.new_page()
        gp.goto(link)
        assert reference in gp.inner_text("#reference")
        key_type(gp, "answers-agency-involvement", "Registered with the practice since birth.")
        for key in ("health", "family-and-environment", "parenting-capacity", "service-provision", "other-information"):
            tab_to(gp, f"el.id === 'not-known-{key}'")
            gp.keyboard.press("Space")
            assert gp.is_checked(f"#not-known-{key}")
        key_press(gp, "Send reporting form")
        gp.wait_for_url("**/forms/reporting/sent")
    finally:
        agency_ctx.close()
    pg.reload()
    gp_row = pg.locator("[data-testid=reporting-forms-table] tr", has_text="Example GP Practice")
    gp_row.wait_for()
    assert "Returned" in gp_row.inner_text()
    # the answers open with the keyboard (a details element)
    key_press(pg, "Answers from Example GP Practice")
    pg.locator("details[open]", has_text="Registered with the practice since birth.").wait_for()
    check_axe(pg, "answers (keyboard)")
    shot(pg, "cd-17-keyboard-forms")

    # a hold for criminal proceedings, and its release
    expected = dt.date.today() + dt.timedelta(days=45)
    key_action(pg, "Place on hold", lambda p: (key_radio(p, "f-action-hold_reason", 2),
                                               key_app_date(p, "f-action-expected_on", expected)))
    wait_status(pg, "On hold")
    assert "Criminal proceedings" in pg.locator("[data-testid=holds-table]").inner_text()
    key_action(pg, "Release the hold")
    wait_status(pg, "Information gathering")

    # ready for the panel, and scheduled on a panel meeting (made through the API)
    chair = make_user(live_server, "cdop_chair", name=f"Kim Chair {tag}")
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    with api_client(live_server, "cdop_coordinator") as api:
        r = api.post("/meetings", json={"kind": "cdop_panel", "scheduled_for": when.isoformat(),
                                        "title": f"Panel K{tag}", "location": "Room 3", "member_ids": [chair.id]})
        assert r.status_code == 201, r.text
        meeting_id = str(r.json()["id"])
    # the child death review meeting (2018 guidance) is recorded before the case is ready
    key_radio(pg, "f-meeting-kind", 2)  # child death review meeting
    key_app_date(pg, "f-meeting-held_on", died + dt.timedelta(days=30))
    tab_to(pg, "el.type === 'checkbox' && el.value === 'Example GP Practice'")
    pg.keyboard.press("Space")
    key_type(pg, "f-meeting-outcome", "No further information needed before the panel.")
    key_press(pg, "Record the meeting")
    wait_banner(pg, "recorded")
    meetings = pg.locator("[data-testid=review-meetings-table]")
    assert "Example GP Practice" in meetings.inner_text()
    check_axe(pg, "review meeting recorded (keyboard)")
    key_action(pg, "Mark ready for the panel")
    wait_status(pg, "Ready for panel")

    def choose_meeting(p: Any) -> None:
        p.wait_for_function("id => !!document.querySelector(`#f-action-meeting_id option[value='${id}']`)", arg=meeting_id)
        tab_to(p, "el.id === 'f-action-meeting_id'")
        for _ in range(60):
            if p.evaluate("document.activeElement.value") == meeting_id:
                break
            p.keyboard.press("ArrowDown")
        assert p.evaluate("document.activeElement.value") == meeting_id
    key_action(pg, "Schedule for a panel meeting", choose_meeting)
    wait_status(pg, "Scheduled for panel")
    case_url = pg.url
    key_sign_out(pg)

    # the chair records the analysis with a referral, by keyboard
    sign_in(pg, base, chair, keyboard=True)
    pg.goto(case_url)
    wait_status(pg, "Scheduled for panel")
    key_press(pg, "Record the panel's analysis")
    assert focused_id(pg) == "analysis-form-heading"
    key_radio(pg, "f-analysis-category", 10)  # sudden unexpected, unexplained death
    assert pg.is_checked("#f-analysis-category-10")
    key_radio(pg, "f-analysis-modifiable", 1)  # yes
    for domain, score in (("A", 1), ("B", 2), ("C", 1), ("D", 3)):  # 0, 1, 0, 2
        key_radio(pg, f"f-analysis-scores-{domain}", score)
    assert pg.is_checked("#f-analysis-scores-D-3")
    tab_to(pg, "el.id === 'f-analysis-learning'")
    pg.keyboard.type("Agencies did not share what they knew about the household.")
    tab_to(pg, "el.id === 'f-analysis-refer_to_case_review'")
    pg.keyboard.press("Space")
    assert pg.is_checked("#f-analysis-refer_to_case_review")
    check_axe(pg, "analysis filled (keyboard)")
    key_press(pg, "Record the analysis")
    wait_status(pg, "Reviewed")
    cr_link = pg.locator("[data-testid=case-review-link] a")
    cr_reference = cr_link.inner_text().replace("case review", "").strip()
    assert cr_reference
    check_axe(pg, "reviewed (keyboard)")
    shot(pg, "cd-18-keyboard-reviewed")
    key_sign_out(pg)

    # the coordinator closes the review
    sign_in(pg, base, coordinator, keyboard=True)
    pg.goto(case_url)
    wait_status(pg, "Reviewed")
    key_action(pg, "Close the review")
    wait_status(pg, "Closed")
    pg.wait_for_function("() => document.activeElement && document.activeElement.dataset.testid === 'success-banner'")
    check_axe(pg, "closed (keyboard)")
    key_sign_out(pg)

    # the business unit finds the referral in the case review list, by keyboard
    bu = make_user(live_server, "business_unit", name="Kai Unit")
    sign_in(pg, base, bu, keyboard=True)
    key_press(pg, "Case reviews")
    pg.wait_for_selector("[data-testid=case-reviews-table]")
    cr_table = pg.locator("[data-testid=case-reviews-table]")
    assert cr_table.get_by_role("link", name=cr_reference, exact=True).count() == 1
    tab_to(pg, f"el.tagName === 'A' && el.innerText.trim() === {cr_reference!r}")
    pg.keyboard.press("Enter")
    pg.get_by_role("link", name=reference, exact=True).wait_for()
    check_axe(pg, "case review from the referral (keyboard)")
    shot(pg, "cd-19-keyboard-referral")
