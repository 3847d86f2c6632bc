"""A death of a child from another area in the staff app (issue 20, "Other areas"; the board's
"follow up and report on out of area child deaths and the outcome of other LA's CDOP panels"):
the coordinator enters the notification (home local authority outside ``ECR_CDOP_AREAS``), the
case warns that it belongs to that area, the coordinator transfers it out with the home CDOP's
contact; six months on (the service's clock moved) no outcome has come: the case is overdue, in
the list filtered ``overdue=true`` and on the reports page; the home panel's outcome is recorded
(after an error shown in the error summary) and the reports page counts and lists it. axe on
each page state; a second run with the keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from cdop import config
from cdop.config import get_config
from core.deadlines import add_months
from tests.browser.staff import (
    api_client, check_axe, fill_app_date, focused_id, key_app_date, key_press, key_radio, key_type,
    make_user, sign_in, tab_to,
)

pytestmark = pytest.mark.browser

# The service's clock (the live server runs in this process): the transfer on T0, six months and a
# day after the outcome's due date T1. Both before the real date, so dates typed are not future.
T0 = dt.date.today() - dt.timedelta(days=220)
DUE = add_months(T0, 6)
T1 = DUE + dt.timedelta(days=2)


@pytest.fixture
def areas(monkeypatch):
    monkeypatch.setenv("ECR_CDOP_AREAS", "Testshire, Exampleton City")
    get_config.cache_clear()
    yield
    get_config.cache_clear()


def set_today(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(config, "today", lambda: day)


def wait_text(pg: Any, selector: str, text: str) -> None:
    pg.wait_for_function(
        "([s, t]) => { const el = document.querySelector(s); return !!el && el.innerText.includes(t); }",
        arg=[selector, text])


def long_date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def test_out_of_area_death_transferred_overdue_and_its_outcome_reported(live_server, page, shot, areas,
                                                                          monkeypatch) -> None:
    base, pg = live_server.url, page
    tag = uuid.uuid4().hex[:4]
    set_today(monkeypatch, T0)
    coordinator = make_user(live_server, "cdop_coordinator", name="Ola Outofarea")
    sign_in(pg, base, coordinator)

    # the notification, from a child who lived in Otherborough (not one of our areas)
    pg.goto(f"{base}/app/child-deaths/new")
    pg.wait_for_selector("h1:has-text('Enter a child death notification')")
    pg.fill("#f-child-first_name", "Orla")
    pg.fill("#f-child-last_name", f"Elsewhere{tag}")
    fill_app_date(pg, "f-child-date_of_birth", dt.date(2016, 4, 9))
    pg.fill("#f-child-local_authority", "Otherborough")
    pg.locator("label[for='f-child-looked_after-2']").click()  # No
    fill_app_date(pg, "f-death-date", T0 - dt.timedelta(days=5))
    pg.locator("#f-death-place").check()
    pg.locator("#f-death-expected-2").check()
    pg.fill("#f-notifier-name", "Dr Pat Example")
    pg.fill("#f-notifier-email", "pat@nhs.example")
    pg.fill("#f-notifier-agency", "Example Trust")
    check_axe(pg, "new notification with the area fields")
    pg.get_by_role("button", name="Enter the notification").click()
    pg.wait_for_selector("[data-testid=other-areas]")
    warning = pg.locator("[data-testid=belongs-elsewhere]")
    assert "belongs to Otherborough" in warning.inner_text()
    assert "not covered by this panel" in pg.locator("[data-testid=other-areas]").inner_text()
    case_url = pg.url
    case_id = int(case_url.rstrip("/").split("/")[-1])
    check_axe(pg, "case that belongs to another area")
    shot(pg, "cdr-areas-01-belongs-elsewhere")

    # transfer out, with the home CDOP's contact
    pg.get_by_role("button", name="Transfer to the home area's CDOP", exact=True).click()
    pg.locator("#action-form-heading").wait_for()
    pg.fill("#f-action-home_area", "Otherborough")
    pg.fill("#f-action-home_cdop_email", "cdop@otherborough.example")
    pg.fill("#f-action-home_cdop_contact_name", "Olive Other")
    pg.fill("#f-action-home_cdop_phone", "01632 960000")
    check_axe(pg, "transfer form")
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]").click()
    wait_text(pg, "[data-testid=case-status]", "Transferred out")
    wait_text(pg, "[data-testid=external-outcome]", f"due {long_date(DUE)}")
    card = pg.locator("[data-testid=other-areas]").inner_text()
    assert "Olive Other" in card and "cdop@otherborough.example" in card
    assert pg.locator("[data-testid=belongs-elsewhere]").count() == 0
    check_axe(pg, "transferred out")
    shot(pg, "cdr-areas-02-transferred")
    # the list's filter of transfers still awaiting the home panel's outcome
    pg.goto(f"{base}/app/child-deaths/list?q=Elsewhere{tag}")
    pg.wait_for_selector(f"[data-testid=child-deaths-table] >> text=Elsewhere{tag}")
    pg.locator("#f-awaiting_external_outcome").check()
    pg.get_by_role("button", name="Apply filters").click()
    pg.wait_for_url("**awaiting_external_outcome=true**")
    pg.wait_for_selector(f"[data-testid=child-deaths-table] >> text=Elsewhere{tag}")
    assert "Awaiting the home panel’s outcome" in pg.inner_text("body")
    check_axe(pg, "list of transfers awaiting an outcome")
    pg.goto(case_url)
    pg.wait_for_selector("[data-testid=other-areas]")

    # six months on, no outcome: overdue on the case and in the list filtered overdue=true
    set_today(monkeypatch, T1)
    pg.reload()
    wait_text(pg, "[data-testid=external-outcome]", "Overdue")
    with api_client(live_server, "cdop_coordinator") as api:
        listed = api.get("/child-deaths", params={"overdue": "true", "limit": 200}).json()
        assert case_id in {c["id"] for c in listed["items"]}
    pg.goto(f"{base}/app/child-deaths/list?overdue=true&q=Elsewhere{tag}")
    pg.wait_for_selector(f"[data-testid=child-deaths-table] a:has-text('Elsewhere{tag}'), "
                         f"[data-testid=child-deaths-table] >> text=Elsewhere{tag}")
    assert "the outcome of Otherborough's child death overview panel" in pg.locator(
        "[data-testid=child-deaths-table]").inner_text()
    check_axe(pg, "list of overdue cases")
    shot(pg, "cdr-areas-03-overdue-list")
    # the reports page says so too, and links to the list of overdue transfers
    pg.goto(f"{base}/app/reports?from={T0.year}-01-01&to={T1.year}-12-31")
    row = pg.locator(f"[data-testid=out-of-area-{case_id}]")
    row.wait_for()
    assert "Awaiting" in row.inner_text() and "Overdue" in row.inner_text()
    pg.locator("[data-testid=overdue-transfers] a").click()
    pg.wait_for_selector(f"[data-testid=child-deaths-table] >> text=Elsewhere{tag}")
    assert "overdue_kind=external_outcome" in pg.url

    # the home panel's outcome: an error first (nothing chosen), then recorded
    pg.goto(case_url)
    pg.get_by_role("button", name="Record the home area's panel outcome", exact=True).click()
    pg.locator("#action-form-heading").wait_for()
    fill_app_date(pg, "f-action-outcome_received_on", T1 + dt.timedelta(days=1))  # after the service's today
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]").click()
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    texts = " ".join(summary.locator("a").all_inner_texts()).lower()
    assert "category of death" in texts and "modifiable factors" in texts, texts
    assert pg.title().startswith("Error: ")
    check_axe(pg, "outcome form with errors")
    shot(pg, "cdr-areas-04-outcome-errors")
    pg.select_option("#f-action-category", "5")
    pg.locator("#f-action-modifiable-2").check()  # No
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]").click()
    wait_text(pg, "[data-testid=error-summary]", "future")  # the service's today is T1
    summary.locator("a").first.click()
    assert focused_id(pg) == "f-action-outcome_received_on"
    check_axe(pg, "outcome date in the future")
    fill_app_date(pg, "f-action-outcome_received_on", T1)
    pg.fill("#f-action-note", "Reviewed by the Otherborough panel.")
    pg.locator("form[aria-labelledby=action-form-heading] button[type=submit]").click()
    wait_text(pg, "[data-testid=external-outcome]", "Category 5. Acute medical or surgical condition")
    outcome = pg.locator("[data-testid=external-outcome]").inner_text()
    assert "Overdue" not in outcome and "Modifiable factors: no" in outcome
    wait_text(pg, ".moj-timeline", "Record the home area's panel outcome")
    check_axe(pg, "outcome recorded")
    shot(pg, "cdr-areas-05-outcome")

    # counted in the statistics of the year
    pg.goto(f"{base}/app/reports?from={T0.year}-01-01&to={T1.year}-12-31")
    row = pg.locator(f"[data-testid=out-of-area-{case_id}]")
    row.wait_for()
    assert "Out to Otherborough" in row.inner_text() and "Category 5" in row.inner_text()
    la = pg.locator("[data-testid=local-authorities-table]").inner_text()
    assert "Otherborough" in la
    check_axe(pg, "reports with other areas")
    shot(pg, "cdr-areas-06-reports")


def test_keyboard_alone_transfer_and_outcome(live_server, page, shot, areas, monkeypatch) -> None:
    base, pg = live_server.url, page
    tag = uuid.uuid4().hex[:4]
    set_today(monkeypatch, T0)
    with api_client(live_server, "cdop_coordinator") as api:
        r = api.post("/child-deaths", json={
            "notifier": {"name": "Sam Notifier", "email": "sam@nhs.example", "agency": "Example Trust"},
            "child": {"first_name": "Kit", "last_name": f"Farshire{tag}", "date_of_birth": "2014-06-06",
                      "local_authority": "Farshire"},
            "death": {"date": (T0 - dt.timedelta(days=3)).isoformat(), "place": "hospital", "expected": True},
        })
        assert r.status_code == 201, r.text
        case = r.json()
    coordinator = make_user(live_server, "cdop_coordinator", name="Kay Keys")
    pg.goto(f"{base}/app/child-deaths/{case['id']}")
    sign_in(pg, base, coordinator, keyboard=True, goto=False)
    pg.wait_for_selector("[data-testid=belongs-elsewhere]")
    check_axe(pg, "case (keyboard)")

    key_press(pg, "Transfer to the home area's CDOP")
    assert focused_id(pg) == "action-form-heading"
    key_type(pg, "f-action-home_area", "Farshire")
    key_type(pg, "f-action-home_cdop_email", "cdop@farshire.example")
    tab_to(pg, "el.type === 'submit'")
    pg.keyboard.press("Enter")
    wait_text(pg, "[data-testid=case-status]", "Transferred out")
    check_axe(pg, "transferred (keyboard)")

    set_today(monkeypatch, T1)
    pg.reload()
    wait_text(pg, "[data-testid=external-outcome]", "Overdue")
    key_press(pg, "Record the home area's panel outcome")
    assert focused_id(pg) == "action-form-heading"
    key_app_date(pg, "f-action-outcome_received_on", T1)
    tab_to(pg, "el.id === 'f-action-category'")
    pg.keyboard.press("End")  # 10: sudden unexpected, unexplained death
    key_radio(pg, "f-action-modifiable", 3)  # insufficient information
    tab_to(pg, "el.type === 'submit'")
    pg.keyboard.press("Enter")
    wait_text(pg, "[data-testid=external-outcome]", "Category 10.")
    assert "insufficient information" in pg.locator("[data-testid=external-outcome]").inner_text()
    check_axe(pg, "outcome recorded (keyboard)")
    shot(pg, "cdr-areas-07-keyboard-outcome")

    # to the reports page through the header's link, the period typed, by keyboard
    key_press(pg, "Reports")
    pg.wait_for_selector("h1:has-text('Reports')")
    for box, value in (("f-from", "1"), ("f-from-month", "1"), ("f-from-year", str(T0.year)),
                       ("f-to", "31"), ("f-to-month", "12"), ("f-to-year", str(T1.year))):
        tab_to(pg, f"el.id === {box!r}")
        pg.keyboard.press("Control+A")
        pg.keyboard.type(value)
    key_press(pg, "Show figures")
    row = pg.locator(f"[data-testid=out-of-area-{case['id']}]")
    row.wait_for()
    assert "Out to Farshire" in row.inner_text() and "Category 10" in row.inner_text()
    check_axe(pg, "reports (keyboard)")
    shot(pg, "cdr-areas-08-keyboard-reports")
