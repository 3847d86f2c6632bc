"""Reports with charts and administration in the staff app (issue 18, journeys 4 and 5).

Expected figures come from API.md ("Meetings, reports, audit, operations": the case review
figures are for notifications received in the period, by outcome; the child death statistics of
DOMAIN.md: notifications received, reviews completed, by category with the number and %
modifiable, by age band, expected vs unexpected) and API.md "Browser sessions" (a deactivated
user's sessions end at once). Cases are made through the API with bearer tokens (token_for) and
If-Match; the figures are checked as "what was there before, plus what this test made", so that
other tests' cases in the same server do not matter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from tests.browser.staff import (
    StaffUser,
    check_axe,
    focused_id,
    key_type,
    make_user,
    sign_in,
    tab_to,
    tab_to_text,
)

# Serious Case Reviews and WT2015's decisions: new notifications follow WT2015 here (the CSPR
# journey is tests/browser/test_staff_cspr.py)
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("wt2015_default")]


# ---- set-up through the API -------------------------------------------------------------------

def financial_year(today: dt.date) -> tuple[str, str]:
    """The financial year (1 April to 31 March) that holds today: cases made now fall in it."""
    start = today.year if today.month >= 4 else today.year - 1
    return f"{start}-04-01", f"{start + 1}-03-31"


class Api:
    def __init__(self, live_server: Any, *roles: str) -> None:
        self.client = httpx.Client(base_url=live_server.url + "/api/v1",
                                   headers={"Authorization": f"Bearer {live_server.token_for(*roles)}"})

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, path: str, **kw: Any) -> Any:
        r = self.client.get(path, **kw)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    def post(self, path: str, body: dict[str, Any], status: int = 201, **kw: Any) -> Any:
        r = self.client.post(path, json=body, **kw)
        assert r.status_code == status, (path, r.status_code, r.text)
        return r.json()

    def go(self, kind: str, case_id: int, action: str, **fields: Any) -> Any:
        tag = self.client.get(f"/{kind}/{case_id}").headers["etag"]
        return self.post(f"/{kind}/{case_id}/transitions", {"action": action, **fields}, status=200,
                         headers={"If-Match": tag})


def case_review(api: Api, surname: str) -> dict[str, Any]:
    return api.post("/case-reviews", {
        "notifier": {"name": "Jo Sample", "email": "jo.sample@police.example", "agency": "Example Police"},
        "child": {"first_name": "Reportchild", "last_name": surname},
        "incident": {"date": "2026-01-10", "type": "serious_harm", "description": "Injuries were found."},
        "rationale": "Agencies may not have worked together well.",
        "abuse_or_neglect_suspected": True,
        "agencies_involved": ["Police"],
    })


def child_death(api: Api, surname: str, born: str, died: str, *, expected: bool) -> dict[str, Any]:
    return api.post("/child-deaths", {
        "notifier": {"name": "Nora Notifier", "email": "nora.notifier@example.org",
                     "agency": "Testshire Hospital", "role": "Paediatric registrar"},
        "child": {"first_name": "Testchild", "last_name": surname, "date_of_birth": born, "sex": "female",
                  "address": "12 Testing Lane, Exampleton, EX1 2AB", "local_authority": "Testshire"},
        "death": {"date": died, "place": "hospital", "expected": expected},
        "agencies": [],
        "case_summary": "A synthetic case for the reports journey.",
    })


def make_report_cases(live_server: Any) -> None:
    """Three case reviews (no further action, a management review, no decision yet) and two child
    deaths reviewed at a panel (category 10 with modifiable factors, 5 years old, unexpected;
    category 8 without, under 28 days old, expected)."""
    tag = uuid.uuid4().hex[:6]
    with Api(live_server, "business_unit", "crg_chair") as api:
        nfa, mr, _pending = (case_review(api, f"Report{tag}{i}") for i in range(3))
        for case, decision in ((nfa, "no_further_action"), (mr, "commission_management_review")):
            api.go("case-reviews", case["id"], "start_screening")
            api.go("case-reviews", case["id"], "refer_to_group")
            api.go("case-reviews", case["id"], decision, rationale="Decided at the group's meeting.")
    with Api(live_server, "cdop_coordinator") as coordinator, Api(live_server, "cdop_chair") as chair:
        chair_id = chair.get("/me")["id"]
        soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=14)).replace(microsecond=0).isoformat()
        meeting = coordinator.post("/meetings", {"kind": "cdop_panel", "scheduled_for": soon, "member_ids": [chair_id]})
        older = child_death(coordinator, f"Older{tag}", "2021-03-15", "2026-06-01", expected=False)
        baby = child_death(coordinator, f"Baby{tag}", "2026-05-01", "2026-05-10", expected=True)
        for case, category, modifiable in ((older, 10, "yes"), (baby, 8, "no")):
            coordinator.go("child-deaths", case["id"], "start_information_gathering")
            coordinator.go("child-deaths", case["id"], "mark_ready_for_panel",
                           cdrm_not_required_reason="Not needed (synthetic).")
            coordinator.go("child-deaths", case["id"], "schedule_for_panel", meeting_id=meeting["id"])
            done = chair.go("child-deaths", case["id"], "record_analysis", category=category, modifiable=modifiable,
                            domain_scores={"A": 1, "B": 1, "C": 1, "D": 1}, learning="Learning for the partnership.",
                            learning_points=["Share concerns early"], actions=[], refer_to_case_review=False)
            assert done["status"] == "reviewed"


def reports(live_server: Any, period: tuple[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    query = {"from": period[0], "to": period[1]}
    with Api(live_server, "business_unit") as bu, Api(live_server, "cdop_coordinator") as co:
        return bu.get("/reports/case-reviews", params=query), co.get("/reports/child-deaths", params=query)


# ---- page helpers -----------------------------------------------------------------------------

def figures(pg: Any, section: str) -> dict[str, str]:
    """Every figure shown in a report section, by the key its CSV row gives (section|item|measure)."""
    return pg.evaluate(
        "(s) => Object.fromEntries([...document.querySelectorAll(`[data-testid=${s}-report] [data-figure]`)]"
        ".map(td => [td.dataset.figure, td.innerText.trim()]))", section)


def figures_with(pg: Any, section: str, key: str) -> dict[str, str]:
    """The figures of a section once they include ``key`` and nothing is loading. Used after
    :func:`new_period`, which waits for the new figures' answers: until the page has drawn them it
    shows "Loading the ... figures" (the figures shown before could be read a moment earlier)."""
    return pg.wait_for_function(
        "([s, key]) => { if (document.body.innerText.includes('Loading the')) return null;"
        " const f = Object.fromEntries([...document.querySelectorAll(`[data-testid=${s}-report] [data-figure]`)]"
        ".map(td => [td.dataset.figure, td.innerText.trim()])); return key in f ? f : null; }", arg=[section, key]).json_value()


def new_period(pg: Any, period: tuple[str, str], show: Any, kinds: tuple[str, ...] = ("case-reviews",)) -> None:
    """``show()`` asks for the figures of ``period``; returns once the answers of these reports
    (those the user reads) for it came."""
    def for_period(kind: str) -> Any:
        return lambda r: (f"/api/v1/reports/{kind}?" in r.url and f"from={period[0]}" in r.url
                          and f"to={period[1]}" in r.url)
    with ExitStack() as waits:
        for kind in kinds:
            waits.enter_context(pg.expect_response(for_period(kind)))
        show()
    pg.wait_for_url(f"**/app/reports?from={period[0]}&to={period[1]}")


def csv_figures(text: str, kind: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text)))
    out: dict[str, str] = {}
    if kind == "case-reviews":
        assert rows[0] == ["section", "item", "measure", "value"]
        for section, item, measure, value in rows[1:]:
            out[f"{section}|{item}|{measure}"] = value
    else:
        assert rows[0] == ["section", "item", "count", "percent"]
        for section, item, count, percent in rows[1:]:
            out[f"{section}|{item}|"] = count
            if percent:
                out[f"{section}|{item}|percent"] = percent
    return out


def same_number(shown: str, in_csv: str) -> bool:
    return float(shown.rstrip("%")) == float(in_csv)


def download_csv(pg: Any, button: str) -> str:
    with pg.expect_download() as info:
        pg.get_by_role("button", name=button).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as fh:
        return fh.read()


def api_calls(pg: Any, action: Any) -> list[str]:
    """The API requests a page makes while `action` runs (GET /auth/session, made once per app load,
    not counted): DESIGN.md allows at most 3 per page."""
    seen: list[str] = []

    def record(request: Any) -> None:
        if "/api/v1/" in request.url and "/api/v1/auth/session" not in request.url:
            seen.append(request.url)

    pg.on("request", record)
    action()
    pg.wait_for_load_state("networkidle")
    pg.remove_listener("request", record)
    return seen


def type_date(pg: Any, field_id: str, day: str, month: str, year: str) -> None:
    """The three GOV.UK date boxes (day, month, year), typed."""
    for box, value in ((field_id, day), (f"{field_id}-month", month), (f"{field_id}-year", year)):
        pg.locator(f"#{box}").press("Control+a")
        pg.locator(f"#{box}").type(value)


# ---- journey 4: reports -------------------------------------------------------------------------

def test_reports_show_the_cases_made_and_the_csv_matches(live_server, page, shot) -> None:
    base, pg = live_server.url, page
    period = financial_year(dt.date.today())
    before_cr, before_cd = reports(live_server, period)
    make_report_cases(live_server)
    after_cr, after_cd = reports(live_server, period)
    # the API counts what was made (API.md, DOMAIN.md)
    assert after_cr["notifications_received"] == before_cr["notifications_received"] + 3
    for outcome in ("nfa", "management_review", "pending"):
        assert after_cr["outcomes"][outcome] == before_cr["outcomes"][outcome] + 1
    assert after_cd["reviews_completed"] == before_cd["reviews_completed"] + 2
    assert after_cd["notifications_received"] == before_cd["notifications_received"] + 2

    reader = make_user(live_server, "business_unit", "cdop_coordinator", name="Rhea Reports")
    sign_in(pg, base, reader)
    pg.get_by_role("link", name="Reports").first.click()
    pg.wait_for_selector("h1:has-text('Reports')")
    pg.wait_for_selector("[data-testid=outcomes-table]")
    assert "1 April" in pg.inner_text("[data-testid=report-period]")  # the last financial year by default
    check_axe(pg, "reports, the last financial year")
    shot(pg, "reports-01-last-financial-year")

    # a period that does not exist: the error summary, linked to the field
    type_date(pg, "f-from", "31", "2", period[0][:4])
    pg.get_by_role("button", name="Show figures").click()
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert "The first day must be a real date" in summary.inner_text()
    check_axe(pg, "reports, a wrong date")
    shot(pg, "reports-02-wrong-date")
    summary.get_by_role("link", name="The first day must be a real date").click()
    assert focused_id(pg) == "f-from"

    # this financial year, which holds the cases made above; the period goes into the address
    type_date(pg, "f-from", "1", "4", period[0][:4])
    type_date(pg, "f-to", "31", "3", period[1][:4])
    new_period(pg, period, lambda: pg.get_by_role("button", name="Show figures").click(),
               ("case-reviews", "child-deaths"))
    pg.wait_for_selector("[data-testid=outcomes-table]")
    pg.wait_for_selector("[data-testid=categories-table]")
    assert pg.locator("[data-testid=error-summary]").count() == 0
    check_axe(pg, "reports, this financial year")
    shot(pg, "reports-03-this-financial-year")

    cr = figures_with(pg, "case-reviews", "notifications_received||")
    assert cr["notifications_received||"] == str(after_cr["notifications_received"])
    assert cr["outcomes|nfa|"] == str(after_cr["outcomes"]["nfa"])
    assert cr["outcomes|management_review|"] == str(after_cr["outcomes"]["management_review"])
    assert cr["outcomes|pending|"] == str(after_cr["outcomes"]["pending"])
    cd = figures_with(pg, "child-deaths", "reviews_completed||")
    assert cd["reviews_completed||"] == str(after_cd["reviews_completed"])
    cats = {c["category"]: c for c in after_cd["by_category"]}
    assert cd[f"category_reviews|10 {cats[10]['label']}|"] == str(cats[10]["reviews"])
    assert cd[f"category_modifiable|10 {cats[10]['label']}|"] == str(cats[10]["modifiable"])
    assert cd[f"category_reviews|8 {cats[8]['label']}|"] == str(cats[8]["reviews"])
    assert cd["by_age_band|under_28_days|"] == str(after_cd["by_age_band"]["under_28_days"])
    assert cd["by_age_band|5_9_years|"] == str(after_cd["by_age_band"]["5_9_years"])
    assert int(cd["by_age_band|under_28_days|"]) >= 1 and int(cd["by_age_band|5_9_years|"]) >= 1

    # the charts: images named by their title, their description reads the figures out
    outcomes_svg = pg.locator("[data-testid=outcomes-chart] svg[role=img]")
    assert outcomes_svg.get_attribute("aria-labelledby")
    assert pg.locator("[data-testid=outcomes-chart] title").text_content() == "Outcomes of the notifications received"
    assert f"No further action: {after_cr['outcomes']['nfa']}" in (pg.locator("[data-testid=outcomes-chart] desc").text_content() or "")
    c10 = cats[10]
    assert (f"10. {c10['label']}: {c10['reviews']} ({c10['modifiable']} with modifiable factors"
            in (pg.locator("[data-testid=categories-chart] desc").text_content() or ""))
    for chart in ("outcomes", "timeliness", "categories", "age-bands"):
        assert pg.locator(f"[data-testid={chart}-chart] svg[role=img]").count() == 1

    # each CSV (the API's, downloaded through a Blob URL) has the page's figures
    for kind, button in (("case-reviews", "Download the case reviews figures (CSV)"),
                         ("child-deaths", "Download the child deaths figures (CSV)")):
        shown = figures(pg, kind)
        in_csv = csv_figures(download_csv(pg, button), kind)
        assert len(shown) > 20
        missing = [k for k in shown if k not in in_csv]
        assert not missing, (kind, missing)
        differ = {k: (v, in_csv[k]) for k, v in shown.items() if not same_number(v, in_csv[k])}
        assert not differ, (kind, differ)
    shot(pg, "reports-04-after-download")

    # the address is a bookmark: the same period, the form filled in, in two API calls
    calls = api_calls(pg, lambda: pg.goto(f"{base}/app/reports?from={period[0]}&to={period[1]}"))
    pg.wait_for_selector("[data-testid=categories-table]")
    assert len(calls) == 2, calls
    assert pg.input_value("#f-from") == "1" and pg.input_value("#f-from-month") == "4"
    assert pg.input_value("#f-to-year") == period[1][:4]
    assert figures_with(pg, "case-reviews", "notifications_received||") == cr
    assert figures_with(pg, "child-deaths", "reviews_completed||") == cd


def test_reports_only_for_the_roles_that_read_them(live_server, page, shot) -> None:
    base, pg = live_server.url, page
    chair = make_user(live_server, "crg_chair", name="Cal Chair")
    sign_in(pg, base, chair)
    pg.goto(f"{base}/app/reports")
    pg.wait_for_selector("[data-testid=outcomes-table]")
    assert pg.locator("[data-testid=child-deaths-report]").count() == 0
    check_axe(pg, "reports, case reviews only")
    shot(pg, "reports-05-case-reviews-only")


def test_reports_with_the_keyboard_alone(live_server, page, shot) -> None:
    """Journey 4 by keyboard: the period typed, the figures shown, a CSV downloaded; the CSPR
    figures of API.md are on the page and in the CSV."""
    base, pg = live_server.url, page
    period = financial_year(dt.date.today())
    reader = make_user(live_server, "business_unit", name="Kai Keyboard")
    sign_in(pg, base, reader, keyboard=True)
    press(pg, "Reports")
    pg.wait_for_selector("[data-testid=outcomes-table]")
    tab_to(pg, "el.id === 'f-from'")
    for value in ("1", "4", period[0][:4]):
        pg.keyboard.press("Control+a")
        pg.keyboard.type(value)
        pg.keyboard.press("Tab")
    assert focused_id(pg) == "f-to"
    for value in ("31", "3", period[1][:4]):
        pg.keyboard.press("Control+a")
        pg.keyboard.type(value)
        pg.keyboard.press("Tab")
    new_period(pg, period, lambda: press(pg, "Show figures"))
    shown = figures_with(pg, "case-reviews", "cspr|rapid_reviews_completed|")
    assert "by_regime|CSPR|" in shown
    check_axe(pg, "reports by keyboard")
    tab_to_text(pg, "Download the case reviews figures (CSV)")
    with pg.expect_download() as info:
        pg.keyboard.press("Enter")
    with open(info.value.path(), encoding="utf-8") as fh:
        in_csv = csv_figures(fh.read(), "case-reviews")
    for key in ("cspr|serious_incident_notifications|", "cspr|lcspr_published_within_6_months|", "by_regime|WT2015|"):
        assert key in shown and same_number(shown[key], in_csv[key]), key


# ---- journey 5: administration ------------------------------------------------------------------

def press(pg: Any, text: str) -> None:
    """Tab to the link or button with this text and press Enter."""
    tab_to_text(pg, text)
    pg.keyboard.press("Enter")


def admin_journey(live_server: Any, pg: Any, browser: Any, shot: Any, *, keyboard: bool) -> None:
    base = live_server.url
    mode = "keyboard" if keyboard else "mouse"
    admin = make_user(live_server, "admin", name=f"Ada Admin {mode.title()}")
    sign_in(pg, base, admin, keyboard=keyboard)

    if keyboard:
        press(pg, "Users")
    else:
        pg.get_by_role("link", name="Users", exact=True).click()
    pg.wait_for_selector("[data-testid=users-table]")
    assert pg.locator("[data-testid=users-table] tbody tr").count() >= 1  # oldest first: the admin may be on a later page
    check_axe(pg, "users")
    shot(pg, f"admin-{mode}-01-users")

    if keyboard:
        press(pg, "Add a user")
    else:
        pg.get_by_role("link", name="Add a user").click()
    pg.wait_for_selector("h1:has-text('Add a user')")
    check_axe(pg, "add a user")

    # nothing entered: the error summary takes focus, its links move focus to the fields
    if keyboard:
        press(pg, "Add user")
    else:
        pg.get_by_role("button", name="Add user").click()
    summary = pg.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert "Enter the user’s email address" in summary.inner_text()
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert pg.title().startswith("Error: ")
    check_axe(pg, "add a user, errors")
    shot(pg, f"admin-{mode}-02-add-user-errors")
    if keyboard:
        press(pg, "Enter the user’s email address")
    else:
        summary.get_by_role("link", name="Enter the user’s email address").click()
    assert focused_id(pg) == "f-email"

    email = f"new-{mode}-{uuid.uuid4().hex[:8]}@example.org"
    name = f"Nia New {mode.title()}"
    password = "a long synthetic password"
    if keyboard:
        pg.keyboard.type(email)  # focus is on the email field already
        key_type(pg, "f-name", name)
        tab_to(pg, "el.id === 'f-roles'")  # the first role: Business unit
        pg.keyboard.press("Space")
        key_type(pg, "f-password", password)
        press(pg, "Add user")
    else:
        pg.get_by_label("Email address").fill(email)
        pg.get_by_label("Full name").fill(name)
        pg.get_by_label("Business unit").check()
        pg.get_by_label("Initial password (optional)").fill(password)
        pg.get_by_role("button", name="Add user").click()
    pg.wait_for_selector(f"h1:has-text('{name}')")
    assert "can now sign in" in pg.inner_text(".govuk-notification-banner--success")
    assert "Business unit" in pg.inner_text("#user-details")
    check_axe(pg, "the new user")
    shot(pg, f"admin-{mode}-03-user-created")

    # the new user signs in, in a browser of their own
    other = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    try:
        upg = other.new_page()
        upg.set_default_timeout(10_000)
        errors: list[str] = []
        upg.on("pageerror", lambda exc: errors.append(str(exc)))
        new_user = StaffUser(0, email, name, ("business_unit",), password=password)
        sign_in(upg, base, new_user, keyboard=keyboard)
        assert name in upg.inner_text("[data-testid=signed-in-as]")
        check_axe(upg, "the new user's first page")
        shot(upg, f"admin-{mode}-04-new-user-signed-in")

        # the admin deactivates them
        if keyboard:
            press(pg, f"Deactivate {name}")
        else:
            pg.get_by_role("button", name=f"Deactivate {name}").click()
        pg.wait_for_selector("text=is deactivated and has been signed out")
        assert "Deactivated" in pg.inner_text("#user-details")
        assert pg.get_by_role("button", name=f"Reactivate {name}").count() == 1
        check_axe(pg, "the user deactivated")
        shot(pg, f"admin-{mode}-05-user-deactivated")

        # their open session has ended: the next navigation lands on sign-in
        if keyboard:
            press(upg, "Reports")
        else:
            upg.get_by_role("link", name="Reports").first.click()
        upg.wait_for_selector("h1:has-text('Sign in')")
        assert "/app/sign-in" in upg.url
        check_axe(upg, "the deactivated user's sign-in page")
        shot(upg, f"admin-{mode}-06-deactivated-user-signed-out")
        # and they cannot sign in again
        with httpx.Client(base_url=base) as raw:
            assert raw.post("/api/v1/auth/session", json={"email": email, "password": password}).status_code == 401
        assert not errors, errors
    finally:
        other.close()

    # the audit log shows the admin's changes, filtered by who made them; the chain verifies
    if keyboard:
        press(pg, "Audit log")
    else:
        pg.get_by_role("link", name="Audit log").click()
    pg.wait_for_selector("[data-testid=chain-status]")
    pg.wait_for_selector("[data-testid=audit-table]")
    assert "Intact" in pg.inner_text("[data-testid=chain-status]")
    check_axe(pg, "audit log")
    shot(pg, f"admin-{mode}-07-audit")
    if keyboard:
        key_type(pg, "f-actor", f"user:{admin.id}")
        press(pg, "Apply filters")
    else:
        pg.get_by_label("Who").fill(f"user:{admin.id}")
        pg.get_by_role("button", name="Apply filters").click()
    pg.wait_for_url(f"**/app/admin/audit?actor=user%3A{admin.id}")
    # the filtered events, not the unfiltered ones still shown before the page starts loading them
    pg.wait_for_function(
        "who => { const cells = [...document.querySelectorAll('[data-testid=audit-table] tbody tr td:nth-child(2)')];"
        " return cells.length > 0 && cells.every(td => td.innerText.trim() === who); }", arg=f"user:{admin.id}")
    pg.wait_for_selector("[data-testid=audit-table] >> text=user.update")
    actors = pg.locator("[data-testid=audit-table] tbody tr td:nth-child(2)").all_inner_texts()
    assert actors and set(actors) == {f"user:{admin.id}"}
    actions = pg.locator("[data-testid=audit-table] tbody tr td:nth-child(3)").all_inner_texts()
    assert "user.create" in actions and "user.update" in actions
    check_axe(pg, "audit log filtered by actor")
    shot(pg, f"admin-{mode}-08-audit-filtered")
    if not keyboard:
        # a bookmark of the filtered log: the filter filled in, two API calls (events, verification)
        url = pg.url
        calls = api_calls(pg, lambda: pg.goto(url))
        pg.wait_for_selector("[data-testid=audit-table]")
        assert len(calls) == 2, calls
        assert pg.input_value("#f-actor") == f"user:{admin.id}"


def test_users_list_pages_by_keyset(live_server, page, shot) -> None:
    """More users than a page holds (50): the next page, then back to the first, the cursor in the address."""
    from core.auth.models import User

    tag = uuid.uuid4().hex[:6]
    with live_server.session_factory() as s:
        s.add_all([User(email=f"pager-{tag}-{i:02d}@example.org", name=f"Pager {tag} {i:02d}", password_hash=None,
                        roles=["crg_member"], is_active=True) for i in range(55)])
        s.commit()
    base, pg = live_server.url, page
    sign_in(pg, base, make_user(live_server, "admin", name="Ada Admin Pages"))
    pg.goto(f"{base}/app/admin/users")
    rows = pg.locator("[data-testid=users-table] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 50
    first_page = set(rows.locator("td:nth-child(2)").all_inner_texts())
    emails = "[...document.querySelectorAll('[data-testid=users-table] tbody tr td:nth-child(2)')].map(td => td.innerText)"
    pg.get_by_role("link", name="Next users").click()
    pg.wait_for_url("**/app/admin/users?cursor=*")
    pg.get_by_role("link", name="First page").wait_for()
    # the next page's rows, not the first page's still shown before it starts loading
    pg.wait_for_function(f"first => {{ const now = {emails}; return now.length > 0 && !now.some(e => first.includes(e)); }}",
                         arg=sorted(first_page))
    second_page = set(rows.locator("td:nth-child(2)").all_inner_texts())
    assert second_page and not (first_page & second_page)
    check_axe(pg, "users, second page")
    shot(pg, "admin-09-users-second-page")
    pg.get_by_role("link", name="First page").click()
    pg.wait_for_url("**/app/admin/users")
    pg.wait_for_function(f"first => {{ const now = {emails}; return now.length === first.length && now.every(e => first.includes(e)); }}",
                         arg=sorted(first_page))
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == first_page


def test_admin_creates_a_user_then_deactivates_them(live_server, page, browser, shot) -> None:
    admin_journey(live_server, page, browser, shot, keyboard=False)


def test_admin_journey_with_the_keyboard_alone(live_server, page, browser, shot) -> None:
    admin_journey(live_server, page, browser, shot, keyboard=True)
