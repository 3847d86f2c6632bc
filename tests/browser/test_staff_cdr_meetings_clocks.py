"""The staff app's review meetings and clocks (issue 20) in a real browser against the real
service: the coordinator records a Joint Agency Response and a child death review meeting
(first submitting the form empty: a GOV.UK error summary linked to each field), sees the case's
clocks (the notification met late, the CDRM met on the day it was held, the panel running),
marks the case ready for the panel; the outstanding page counts the overdue clocks and links to
the list filtered to them. axe-core on every page state, a screenshot of each; the same journey
once with the keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.browser.staff import (
    api_client, check_axe, fill_app_date, focused_id, key_app_date, key_press, key_radio, key_type, make_user,
    sign_in, tab_to, wait_banner, wait_status,
)

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
DIED = TODAY - dt.timedelta(days=40)


def _case(live_server: Any, last: str, died: dt.date = DIED, received: dt.date | None = None) -> dict[str, Any]:
    """A death entered by the coordinator through the API, information being gathered, its
    reporting forms waived (so only the CDRM rule stands between it and the panel)."""
    body = {
        "notifier": {"name": "Nora Notifier", "email": "nora.notifier@example.org", "agency": "Testshire Hospital"},
        "child": {"first_name": "Testchild", "last_name": last, "date_of_birth": "2021-03-15", "sex": "female"},
        "death": {"date": died.isoformat(), "place": "hospital", "expected": False, "jar_triggered": True},
        "agencies": [{"name": "Testshire Police"}, {"name": "Testshire Children's Services"}],
        "received_on": (received or died + dt.timedelta(days=2)).isoformat(),
    }
    with api_client(live_server, "cdop_coordinator") as api:
        r = api.post("/child-deaths", json=body)
        assert r.status_code == 201, r.text
        case = r.json()
        r = api.post(f"/child-deaths/{case['id']}/transitions", json={"action": "start_information_gathering"},
                     headers={"If-Match": r.headers["etag"]})
        assert r.status_code == 200, r.text
        for form in r.json()["reporting_forms"]:
            w = api.post(f"/child-deaths/{case['id']}/reporting-forms/{form['id']}/waive",
                         json={"reason": "Not involved (synthetic)."})
            assert w.status_code == 200, w.text
    return case


def _clock_text(pg: Any, kind: str) -> str:
    return pg.locator(f"[data-testid=clock-{kind}]").inner_text()


def test_coordinator_records_a_jar_and_a_cdrm_sees_the_clocks_and_marks_ready(live_server, page, shot) -> None:
    base, pg = live_server.url, page
    tag = uuid.uuid4().hex[:6]
    case = _case(live_server, f"Meadow{tag}")
    overdue = _case(live_server, f"Overdue{tag}", died=TODAY - dt.timedelta(days=120))  # no CDRM after 4 months
    coordinator = make_user(live_server, "cdop_coordinator", name=f"Casey Coordinator {tag}")
    sign_in(pg, base, coordinator)

    pg.goto(f"{base}/app/child-deaths/{case['id']}")
    pg.locator("[data-testid=clocks]").wait_for()
    assert "Met late" in _clock_text(pg, "cdop_notification")  # received two days after the death
    assert "Running" in _clock_text(pg, "cdop_cdrm") and "Running" in _clock_text(pg, "cdop_panel")
    assert "No review meeting has been recorded" in pg.locator("[data-testid=review-meetings]").inner_text()
    assert "The panel needs a child death review meeting" in pg.locator("[data-testid=cdrm-needed]").inner_text()
    check_axe(pg, "a case with its clocks")
    shot(pg, "cdr-01-clocks")

    # the form sent empty: the error summary links each field
    form = pg.locator("[data-testid=record-meeting-form]")
    form.get_by_role("button", name="Record the meeting").click()
    summary = form.locator("[data-testid=error-summary]")
    summary.wait_for()
    text = summary.inner_text()
    for words in ("Select which meeting was held", "Select or enter at least one agency", "Enter the outcome of the meeting"):
        assert words in text, text
    assert "held" in text.lower()
    check_axe(pg, "the review meeting form with errors")
    shot(pg, "cdr-02-meeting-errors")
    summary.get_by_role("link", name="Enter the outcome of the meeting").click()
    assert focused_id(pg) == "f-meeting-outcome"

    # a Joint Agency Response: the case's agencies ticked, another typed
    form.locator("#f-meeting-kind").check()
    fill_app_date(pg, "f-meeting-held_on", DIED + dt.timedelta(days=1))
    form.get_by_label("Testshire Police").check()
    form.get_by_label("Testshire Hospital").check()
    pg.fill("#f-meeting-other_agencies", "Testshire Ambulance Service")
    pg.fill("#f-meeting-outcome", "Joint home visit made; no immediate safeguarding concerns.")
    form.get_by_role("button", name="Record the meeting").click()
    wait_banner(pg, "Joint Agency Response held on")
    table = pg.locator("[data-testid=review-meetings-table]")
    assert "Testshire Ambulance Service" in table.inner_text() and "Joint Agency Response" in table.inner_text()
    assert "Running" in _clock_text(pg, "cdop_cdrm")  # a JAR is not the review meeting

    # the child death review meeting, held five days ago
    held = TODAY - dt.timedelta(days=5)
    form.locator("#f-meeting-kind-2").check()
    fill_app_date(pg, "f-meeting-held_on", held)
    form.get_by_label("Testshire Children's Services").check()
    pg.fill("#f-meeting-outcome", "Information agreed for the panel.")
    form.get_by_role("button", name="Record the meeting").click()
    wait_banner(pg, "Child death review meeting held on")
    pg.wait_for_function("() => document.querySelector('[data-testid=clock-cdop_cdrm]').innerText.includes('Met')")
    assert held.strftime("%-d %B %Y") in _clock_text(pg, "cdop_cdrm")
    assert pg.locator("[data-testid=review-meetings-table] tbody tr").count() == 2
    assert pg.locator("[data-testid=cdrm-needed]").count() == 0
    check_axe(pg, "a case with its review meetings")
    shot(pg, "cdr-03-meetings-recorded")

    # a hold for an inquest, reviewed with a new expected date (a clock of its own), then released
    pg.get_by_role("button", name="Place on hold", exact=True).click()
    pg.locator("#action-form-heading").wait_for()
    pg.locator("label", has_text="Inquest").click()
    fill_app_date(pg, "f-action-expected_on", TODAY + dt.timedelta(days=10))
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]", has_text="Place on hold").click()
    wait_status(pg, "On hold")
    assert "Running" in _clock_text(pg, "cdop_hold_review")
    pg.get_by_role("button", name="Review the hold", exact=True).click()
    pg.locator("#action-form-heading").wait_for()
    fill_app_date(pg, "f-action-expected_on", TODAY + dt.timedelta(days=30))
    pg.fill("#f-action-note", "The inquest was adjourned for a month.")
    check_axe(pg, "review the hold form")
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]", has_text="Review the hold").click()
    wait_banner(pg, "Review the hold: done")
    holds = pg.locator("[data-testid=holds-table]")
    assert (TODAY + dt.timedelta(days=30)).strftime("%-d %B %Y") in holds.inner_text()
    hold_clocks = pg.locator("[data-testid=clock-cdop_hold_review]").all_inner_texts()
    assert len(hold_clocks) == 2 and "Met" in hold_clocks[0] and "Running" in hold_clocks[1], hold_clocks
    check_axe(pg, "a reviewed hold")
    shot(pg, "cdr-035-hold-reviewed")
    pg.get_by_role("button", name="Release the hold", exact=True).click()
    pg.locator("#action-form-heading").wait_for()
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]", has_text="Release the hold").click()
    wait_status(pg, "Information gathering")

    # ready for the panel: the CDRM is there, so no reason is needed
    pg.get_by_role("button", name="Mark ready for the panel", exact=True).click()
    pg.locator("#action-form-heading").wait_for()
    assert pg.locator("#f-action-cdrm_not_required_reason").count() == 1  # offered, optional
    check_axe(pg, "mark ready form")
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]",
               has_text="Mark ready for the panel").click()
    wait_status(pg, "Ready for panel")
    check_axe(pg, "ready for the panel")
    shot(pg, "cdr-04-ready")

    # the outstanding page counts the overdue clocks; each count lists exactly its cases
    pg.goto(f"{base}/app/child-deaths")
    clocks = pg.locator("[data-testid=overdue-clocks-table]")
    clocks.wait_for()
    assert "Child death review meeting within 3 months of the death" in clocks.inner_text()
    check_axe(pg, "outstanding page with overdue clocks")
    shot(pg, "cdr-05-outstanding")
    clocks.get_by_role("link", name="overdue: child death review meeting within 3 months of the death").first.click()
    pg.wait_for_url("**/child-deaths/list?overdue=true&overdue_kind=cdop_cdrm")
    rows = pg.locator("[data-testid=child-deaths-table] tbody tr")
    rows.first.wait_for()
    listed = rows.all_inner_texts()
    assert any(overdue["reference"] in t for t in listed) and not any(case["reference"] in t for t in listed)
    check_axe(pg, "the list of overdue cases")
    shot(pg, "cdr-06-overdue-list")


def test_the_same_with_the_keyboard_alone(live_server, page, shot) -> None:
    base, pg = live_server.url, page
    tag = uuid.uuid4().hex[:6]
    case = _case(live_server, f"Keys{tag}", received=DIED)
    coordinator = make_user(live_server, "cdop_coordinator", name=f"Kim Coordinator {tag}")
    pg.goto(f"{base}/app/sign-in")
    sign_in(pg, base, coordinator, keyboard=True, goto=False)
    pg.goto(f"{base}/app/child-deaths/{case['id']}")
    pg.locator("[data-testid=clocks]").wait_for()
    assert "Met" in _clock_text(pg, "cdop_notification") and "late" not in _clock_text(pg, "cdop_notification")

    def record(kind: int, held: dt.date, outcome: str) -> None:
        key_radio(pg, "f-meeting-kind", kind)
        key_app_date(pg, "f-meeting-held_on", held)
        tab_to(pg, "el.id === 'f-meeting-agencies'")
        pg.keyboard.press("Space")
        key_type(pg, "f-meeting-other_agencies", "Testshire Ambulance Service")
        key_type(pg, "f-meeting-outcome", outcome)
        tab_to(pg, "el.type === 'submit' && el.innerText.trim() === 'Record the meeting'")
        pg.keyboard.press("Enter")

    record(1, DIED, "Joint home visit made.")
    wait_banner(pg, "Joint Agency Response held on")
    pg.locator("body").focus()
    record(2, TODAY, "Information agreed for the panel.")
    wait_banner(pg, "Child death review meeting held on")
    pg.wait_for_function("() => document.querySelector('[data-testid=clock-cdop_cdrm]').innerText.includes('Met')")
    check_axe(pg, "review meetings recorded by keyboard")
    shot(pg, "cdr-07-keyboard-meetings")

    pg.locator("body").focus()
    key_press(pg, "Mark ready for the panel")
    pg.wait_for_function("() => document.activeElement && document.activeElement.id === 'action-form-heading'")
    tab_to(pg, "el.type === 'submit' && el.innerText.trim() === 'Mark ready for the panel'")
    pg.keyboard.press("Enter")
    wait_status(pg, "Ready for panel")
    check_axe(pg, "ready for the panel by keyboard")
    shot(pg, "cdr-08-keyboard-ready")
