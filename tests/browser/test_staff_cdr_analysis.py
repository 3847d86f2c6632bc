"""The panel's analysis in the staff app (issue 20): the chair records an analysis with factors
in a domain (rows added and removed, each scored with the guidance words), the event leading
to the death and two actions (owner agency, due date), first with errors in row fields that the
error summary links to; the coordinator marks one action complete on the case's Actions card.
Once with the mouse, once with the keyboard alone; axe on each page state, screenshots in
tests/artifacts/."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.staff import (
    api_client, check_axe, fill_app_date, focused_id, key_app_date, key_press, key_radio, key_type,
    make_user, sign_in, sign_out, tab_to, wait_banner, wait_status,
)

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
DUE_1 = TODAY + dt.timedelta(days=45)
DUE_2 = TODAY + dt.timedelta(days=90)


def scheduled_case(live_server: Any, chair_id: int) -> int:
    """A child death on the agenda of a future panel (set up through the API)."""
    api = api_client(live_server, "cdop_coordinator")
    tag = uuid.uuid4().hex[:6]
    r = api.post("/child-deaths", json={
        "notifier": {"name": "Dr Alex Morgan", "email": "alex.morgan@nhs.example", "agency": "Example Hospitals"},
        "child": {"first_name": "Sky", "last_name": f"Analysis{tag}", "date_of_birth": "2025-02-01", "sex": "female"},
        "death": {"date": (TODAY - dt.timedelta(days=80)).isoformat(), "place": "home", "expected": False},
        "agencies": [],
    })
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]

    def act(action: str, **fields: Any) -> None:
        etag = api.get(f"/child-deaths/{case_id}").headers["etag"]
        res = api.post(f"/child-deaths/{case_id}/transitions", json={"action": action, **fields},
                       headers={"If-Match": etag})
        assert res.status_code == 200, res.text

    act("start_information_gathering")
    act("mark_ready_for_panel", cdrm_not_required_reason="Not needed for this synthetic case.")
    when = dt.datetime.combine(TODAY + dt.timedelta(days=7), dt.time(10), dt.UTC).isoformat()
    meeting = api.post("/meetings", json={"kind": "cdop_panel", "scheduled_for": when, "member_ids": [chair_id]})
    assert meeting.status_code == 201, meeting.text
    act("schedule_for_panel", meeting_id=meeting.json()["id"])
    return case_id


def test_chair_records_factors_and_actions_and_the_coordinator_completes_one(live_server, page, shot) -> None:
    base, pg = live_server.url, page
    chair = make_user(live_server, "cdop_chair", name="Charlie Chair")
    coordinator = make_user(live_server, "cdop_coordinator", name="Casey Coordinator")
    case_url = f"{base}/app/child-deaths/{scheduled_case(live_server, chair.id)}"

    sign_in(pg, base, chair)
    pg.goto(case_url)
    wait_status(pg, "Scheduled for panel")
    pg.get_by_role("button", name="Record the panel's analysis").click()
    assert focused_id(pg) == "analysis-form-heading"
    form = pg.locator("[data-testid=analysis-form]")
    # the scores in the guidance's words
    assert "may have contributed" in pg.locator("label[for='f-analysis-scores-A-3']").inner_text()
    # a factor in domain B: the keyboard goes to the new row; a second one added and removed
    pg.get_by_role("button", name="Add a factor in domain B").click()
    assert focused_id(pg) == "f-analysis-factors-0-factor"
    pg.get_by_role("button", name="Add another factor in domain B").click()
    assert form.locator("[data-testid=factor-B-2]").count() == 1
    pg.get_by_role("button", name="Remove factor 2 in domain B").click()
    assert form.locator("[data-testid=factor-B-2]").count() == 0
    assert focused_id(pg) == "add-factor-B"
    # two actions; the second left without its owner
    pg.get_by_role("button", name="Add an action").click()
    assert focused_id(pg) == "f-analysis-actions-0-description"
    pg.locator("#f-analysis-actions-0-description").fill("Repeat safer sleep advice at every health visitor contact")
    pg.locator("#f-analysis-actions-0-owner_agency").fill("Example Health Visiting")
    pg.locator("#f-analysis-actions-0-owner_email").fill("hv.lead@example.org")
    fill_app_date(pg, "f-analysis-actions-0-due_on", DUE_1)
    pg.get_by_role("button", name="Add another action").click()
    pg.locator("#f-analysis-actions-1-description").fill("Add safer sleep to the housing officers' training")
    fill_app_date(pg, "f-analysis-actions-1-due_on", DUE_2)
    pg.get_by_role("button", name="Record the analysis").click()
    summary = form.locator("[data-testid=error-summary]")
    summary.wait_for()
    texts = summary.locator("a").all_inner_texts()
    assert pg.title().startswith("Error: ")
    assert "Describe factor 1 in domain B" in texts, texts
    assert "Select a score for factor 1 in domain B" in texts, texts
    assert "Enter the agency that owns action 2" in texts, texts
    check_axe(pg, "analysis with row errors")
    shot(pg, "cdr-a-01-analysis-errors")
    summary.locator("a", has_text="Enter the agency that owns action 2").click()
    assert focused_id(pg) == "f-analysis-actions-1-owner_agency"
    pg.keyboard.type("Example Housing")

    pg.get_by_label("10. Sudden unexpected, unexplained death").check()
    pg.locator("#f-analysis-modifiable").check()  # yes
    for domain, idx in (("A", "-2"), ("B", "-3"), ("C", "-2"), ("D", "")):  # 1, 2, 1, 0
        pg.locator(f"#f-analysis-scores-{domain}{idx}").check()
    pg.locator("#f-analysis-factors-0-factor").fill("Sofa sharing with a parent who had drunk alcohol")
    pg.locator("#f-analysis-factors-0-score-3").check()  # 2: may have contributed
    pg.locator("#f-analysis-factors-0-comment").fill("The panel's main factor")
    pg.get_by_label("The event that led to the death (optional)").fill("Found unresponsive after sharing a sofa.")
    pg.get_by_label("Learning", exact=True).fill("Safer sleep advice was not repeated after the family moved.")
    pg.locator("#f-analysis-refer_to_case_review-2").check()  # no
    check_axe(pg, "analysis filled")
    shot(pg, "cdr-a-02-analysis-filled")
    pg.get_by_role("button", name="Record the analysis").click()
    wait_status(pg, "Reviewed")
    analysis = pg.locator("[data-testid=analysis]")
    assert "Sofa sharing with a parent who had drunk alcohol" in analysis.inner_text()
    assert "Found unresponsive after sharing a sofa." in analysis.inner_text()
    card = pg.locator("[data-testid=analysis-actions]")
    assert card.locator("tbody tr").count() == 2
    assert card.locator("[data-testid=action-row-2]").inner_text().count("Example Housing") == 1
    assert "Open" in card.locator("[data-testid=action-row-1]").inner_text()
    assert card.get_by_role("button", name="Mark complete (action 1)").count() == 0  # the chair does not complete
    check_axe(pg, "reviewed with actions (chair)")
    shot(pg, "cdr-a-03-reviewed-actions")
    sign_out(pg)

    sign_in(pg, base, coordinator)
    pg.goto(case_url)
    wait_status(pg, "Reviewed")
    card.get_by_role("button", name="Mark complete (action 1)").click()
    assert focused_id(pg) == "change-action-heading"
    complete = pg.locator("[data-testid=complete-form]")
    complete.get_by_role("button", name="Mark complete", exact=True).click()
    errors = complete.locator("[data-testid=error-summary]")
    errors.wait_for()
    assert errors.locator("a").all_inner_texts() == ["Enter what was done"]
    check_axe(pg, "mark complete with an error")
    shot(pg, "cdr-a-04-complete-error")
    errors.locator("a").click()
    assert focused_id(pg) == "f-complete-evidence"
    pg.keyboard.type("Procedure updated, version 4, section 2.")
    complete.get_by_role("button", name="Mark complete", exact=True).click()
    wait_banner(pg, "Action 1 was marked complete.")
    row = card.locator("[data-testid=action-row-1]")
    assert "Completed" in row.inner_text() and "Procedure updated, version 4, section 2." in row.inner_text()
    assert "Open" in card.locator("[data-testid=action-row-2]").inner_text()
    check_axe(pg, "an action completed")
    shot(pg, "cdr-a-05-action-completed")
    # the other is cancelled, with the reason
    card.get_by_role("button", name="Cancel action 2").click()
    assert focused_id(pg) == "change-action-heading"
    cancel = pg.locator("[data-testid=cancel-form]")
    cancel.get_by_role("button", name="Cancel the action").click()
    cancel.locator("[data-testid=error-summary] a", has_text="Enter why the action is cancelled").wait_for()
    check_axe(pg, "cancel with an error")
    pg.get_by_label("Why is the action no longer to be done?").fill("The housing service was recommissioned.")
    cancel.get_by_role("button", name="Cancel the action").click()
    wait_banner(pg, "Action 2 was cancelled.")
    row = card.locator("[data-testid=action-row-2]")
    assert "Cancelled" in row.inner_text() and "recommissioned" in row.inner_text()
    assert "All 2 done or cancelled." in card.inner_text()
    check_axe(pg, "an action cancelled")
    shot(pg, "cdr-a-05b-action-cancelled")


def test_keyboard_alone_analysis_with_a_factor_and_an_action_then_completed(live_server, page, shot) -> None:
    base, pg = live_server.url, page
    chair = make_user(live_server, "cdop_chair", name="Kim Chair")
    coordinator = make_user(live_server, "cdop_coordinator", name="Kit Coordinator")
    case_url = f"{base}/app/child-deaths/{scheduled_case(live_server, chair.id)}"

    sign_in(pg, base, chair, keyboard=True)
    pg.goto(case_url)
    wait_status(pg, "Scheduled for panel")
    key_press(pg, "Record the panel's analysis")
    assert focused_id(pg) == "analysis-form-heading"
    key_radio(pg, "f-analysis-category", 9)  # infection
    key_radio(pg, "f-analysis-modifiable", 2)  # no
    for domain, choice in (("A", 2), ("B", 1), ("C", 1), ("D", 2)):  # 1, 0, 0, 1
        key_radio(pg, f"f-analysis-scores-{domain}", choice)
    key_press(pg, "Add a factor in domain A")
    assert focused_id(pg) == "f-analysis-factors-0-factor"
    pg.keyboard.type("Born at 30 weeks")
    key_radio(pg, "f-analysis-factors-0-score", 2)  # 1: unlikely to have contributed
    assert pg.is_checked("#f-analysis-factors-0-score-2")
    key_type(pg, "f-analysis-event_leading_to_death", "Sepsis after a short illness.")
    key_type(pg, "f-analysis-learning", "Sepsis awareness for reception staff.")
    key_press(pg, "Add an action")
    assert focused_id(pg) == "f-analysis-actions-0-description"
    pg.keyboard.type("Circulate the sepsis leaflet to practices")
    key_type(pg, "f-analysis-actions-0-owner_agency", "Example Primary Care")
    key_app_date(pg, "f-analysis-actions-0-due_on", DUE_1)
    key_radio(pg, "f-analysis-refer_to_case_review", 2)  # no
    check_axe(pg, "analysis filled (keyboard)")
    key_press(pg, "Record the analysis")
    wait_status(pg, "Reviewed")
    assert "Born at 30 weeks" in pg.locator("[data-testid=analysis]").inner_text()
    check_axe(pg, "reviewed (keyboard)")
    shot(pg, "cdr-a-06-keyboard-reviewed")
    tab_to(pg, "el.tagName === 'A' && el.innerText.trim() === 'Sign out'")
    pg.keyboard.press("Enter")
    pg.wait_for_selector("h1:has-text('Sign in')")

    sign_in(pg, base, coordinator, keyboard=True)
    pg.goto(case_url)
    wait_status(pg, "Reviewed")
    key_press(pg, "Mark complete (action 1)")
    assert focused_id(pg) == "change-action-heading"
    key_type(pg, "f-complete-evidence", "Leaflet sent to every practice.")
    key_press(pg, "Mark complete")
    wait_banner(pg, "Action 1 was marked complete.")
    assert "Completed" in pg.locator("[data-testid=action-row-1]").inner_text()
    check_axe(pg, "an action completed (keyboard)")
    shot(pg, "cdr-a-07-keyboard-completed")
