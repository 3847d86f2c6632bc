"""My work per role and the Case Review Group meetings in the staff app (issue 17, journey 4).

Expected behaviour from API.md (the case review workflow, "Meetings", a case the caller may not
see answers 404) and DOMAIN.md (the CRG meets on a tracker of open cases; a crg_member reads only
the cases on agendas of meetings they belong to). Cases are put in their states through the API
with bearer tokens (token_for) and If-Match, then each user signs in through the sign-in page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from tests.browser.staff import (
    check_axe,
    focused_id,
    focused_text,
    make_user,
    require_build,
    sign_in,
    sign_out,
    tab_to,
    tab_to_text,
)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _built() -> None:
    require_build()


# ---- set-up through the API ------------------------------------------------------------------

class Api:
    def __init__(self, live_server: Any) -> None:
        self.base = live_server.url
        self.bu = live_server.token_for("business_unit")
        self.chair = live_server.token_for("crg_chair")
        self.ic = live_server.token_for("independent_chair")

    def call(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.base}/api/v1{path}", headers=headers, timeout=20, **kwargs)

    def new_case(self, first: str, last: str, *, received_days_ago: int = 0) -> dict[str, Any]:
        body: dict[str, Any] = {
            "notifier": {"name": "Testnotifier Bravo", "email": "notifier@example.org",
                         "agency": "Example Health Trust"},
            "child": {"first_name": first, "last_name": last, "date_of_birth": "2016-05-04"},
            "incident": {"date": (dt.date.today() - dt.timedelta(days=received_days_ago + 3)).isoformat(),
                         "type": "serious_harm", "description": "Synthetic incident for a browser test."},
            "rationale": "Synthetic rationale: agencies may not have worked together well.",
            "abuse_or_neglect_suspected": True,
            "agencies_involved": ["Police"],
        }
        if received_days_ago:
            body["received_on"] = (dt.date.today() - dt.timedelta(days=received_days_ago)).isoformat()
        # these journeys use the WT2015 table of API.md (SCR): asked for by name where the API
        # takes a regime (API.md v1.1 "Regime CSPR"), left out where it does not yet
        r = self.call("POST", "/case-reviews", self.bu, json={**body, "regime": "WT2015"})
        if r.status_code == 422 and "regime" in r.text:
            r = self.call("POST", "/case-reviews", self.bu, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, case: dict[str, Any], token: str, action: str, **fields: Any) -> dict[str, Any]:
        r = self.call("GET", f"/case-reviews/{case['id']}", token)
        assert r.status_code == 200, r.text
        r = self.call("POST", f"/case-reviews/{case['id']}/transitions", token,
                      json={"action": action, **fields}, headers={"If-Match": r.headers["ETag"]})
        assert r.status_code == 200, (action, r.text)
        return r.json()

    def to(self, case: dict[str, Any], *steps: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
        tokens = {"bu": self.bu, "chair": self.chair, "ic": self.ic}
        for who, action, fields in steps:
            case = self.act(case, tokens[who], action, **fields)
        return case


WHY = {"rationale": "Synthetic rationale for the decision."}
SCREENED = [("bu", "start_screening", {}), ("bu", "refer_to_group", {})]


def row(pg: Any, section: str, case_id: int) -> Any:
    return pg.locator(f"[data-section={section}] tr[data-case-id='{case_id}']")


def api_calls_on_load(pg: Any, url: str, ready: str) -> list[str]:
    """The API requests a page makes when loaded afresh at ``url`` (GET /auth/session, made once
    per app load, not counted)."""
    seen: list[str] = []

    def on_request(req: Any) -> None:
        path = urlparse(req.url).path
        if path.startswith("/api/v1/") and path != "/api/v1/auth/session":
            seen.append(f"{req.method} {path}")

    pg.on("request", on_request)
    try:
        pg.goto(url)
        pg.wait_for_selector(ready)
        pg.wait_for_load_state("networkidle")
    finally:
        pg.remove_listener("request", on_request)
    return seen


def focus_by_tab(pg: Any, element_id: str) -> None:
    if focused_id(pg) != element_id:
        tab_to(pg, f"el.id === {element_id!r}")


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].capitalize()}"


# ---- (a) My work per role --------------------------------------------------------------------

def test_my_work_shows_each_roles_cases_in_the_right_section(live_server, page, shot) -> None:
    pg, base = page, live_server.url
    api = Api(live_server)
    new = api.new_case("Testchild", unique("Received"))
    screening = api.to(api.new_case("Testchild", unique("Screening")), ("bu", "start_screening", {}))
    info = api.to(api.new_case("Testchild", unique("Info")), ("bu", "start_screening", {}),
                  ("bu", "request_information", {"note": "Synthetic: please send the school's records."}))
    late = api.new_case("Testchild", unique("Late"), received_days_ago=120)
    awaiting = api.to(api.new_case("Testchild", unique("Awaiting")), *SCREENED)
    learning = api.to(api.new_case("Testchild", unique("Learning")), *SCREENED,
                      ("chair", "commission_learning_event", WHY))
    learning_report = api.to(api.new_case("Testchild", unique("Report")), *SCREENED,
                             ("chair", "commission_learning_event", WHY), ("bu", "submit_report", {}))
    scr_recommended = api.to(api.new_case("Testchild", unique("Scr")), *SCREENED, ("chair", "recommend_scr", WHY))
    scr_report = api.to(api.new_case("Testchild", unique("Scrreport")), *SCREENED, ("chair", "recommend_scr", WHY),
                        ("ic", "endorse_scr", WHY), ("bu", "submit_report", {}))
    scr_approved = api.to(api.new_case("Testchild", unique("Approved")), *SCREENED, ("chair", "recommend_scr", WHY),
                          ("ic", "endorse_scr", WHY), ("bu", "submit_report", {}), ("ic", "approve_report", {}))
    assert late["overdue"] is True, late

    # the business unit
    bu = make_user(live_server, "business_unit", name="Bea Business")
    sign_in(pg, base, bu)
    pg.wait_for_selector("h1:has-text('My work')")
    calls = api_calls_on_load(pg, f"{base}/app/", "[data-section=to-screen]")
    assert sorted(calls) == ["GET /api/v1/case-reviews", "GET /api/v1/case-reviews"], calls
    assert pg.title().startswith("My work")
    assert row(pg, "to-screen", new["id"]).count() == 1
    assert row(pg, "to-screen", screening["id"]).count() == 1
    assert row(pg, "information-requested", info["id"]).count() == 1
    assert row(pg, "overdue", late["id"]).count() == 1
    assert "Overdue" in row(pg, "overdue", late["id"]).inner_text()
    assert row(pg, "reports-awaited", learning["id"]).count() == 1
    # not the business unit's to act on now
    for other in (awaiting, scr_recommended, learning_report, scr_approved):
        assert pg.locator(f"[data-role=business_unit] tr[data-case-id='{other['id']}']").count() == 0
    # counts in the headings; a row names the child and the status
    heading = pg.locator("[data-section=information-requested] h3").inner_text()
    assert heading.startswith("Information requested (") and heading.endswith(")")
    assert int(heading.rsplit("(", 1)[1].rstrip(")")) >= 1
    info_row = row(pg, "information-requested", info["id"]).inner_text()
    assert info["reference"] in info_row and info["child"]["last_name"] in info_row
    assert "Information requested" in info_row
    link = row(pg, "to-screen", new["id"]).get_by_role("link", name=new["reference"])
    assert link.get_attribute("href") == f"/app/case-reviews/{new['id']}"
    check_axe(pg, "my work, business unit")
    shot(pg, "work-01-my-work-business-unit")
    link.click()
    pg.wait_for_url(f"**/app/case-reviews/{new['id']}")
    sign_out(pg)

    # the CRG chair
    chair = make_user(live_server, "crg_chair", name="Cal Chair")
    sign_in(pg, base, chair)
    pg.wait_for_selector("[data-section=awaiting-decision]")
    assert row(pg, "awaiting-decision", awaiting["id"]).count() == 1
    assert row(pg, "reports-to-approve", learning_report["id"]).count() == 1
    assert row(pg, "reports-to-approve", scr_report["id"]).count() == 0  # the Independent Chair's
    assert pg.locator(f"tr[data-case-id='{new['id']}']").count() == 0
    assert pg.locator("[data-section=to-screen]").count() == 0
    check_axe(pg, "my work, CRG chair")
    shot(pg, "work-02-my-work-crg-chair")
    row(pg, "awaiting-decision", awaiting["id"]).get_by_role("link", name=awaiting["reference"]).click()
    pg.wait_for_url(f"**/app/case-reviews/{awaiting['id']}")
    sign_out(pg)

    # the Independent Chair
    ic = make_user(live_server, "independent_chair", name="Ira Independent")
    sign_in(pg, base, ic)
    pg.wait_for_selector("[data-section=scr-recommendations]")
    assert row(pg, "scr-recommendations", scr_recommended["id"]).count() == 1
    assert row(pg, "scr-reports", scr_report["id"]).count() == 1
    assert row(pg, "publications", scr_approved["id"]).count() == 1
    assert pg.locator(f"tr[data-case-id='{awaiting['id']}']").count() == 0
    assert pg.locator(f"tr[data-case-id='{learning_report['id']}']").count() == 0
    check_axe(pg, "my work, Independent Chair")
    shot(pg, "work-03-my-work-independent-chair")
    row(pg, "publications", scr_approved["id"]).get_by_role("link", name=scr_approved["reference"]).click()
    pg.wait_for_url(f"**/app/case-reviews/{scr_approved['id']}")
    sign_out(pg)

    # a user with two roles sees both roles' sections; an empty section says so
    both = make_user(live_server, "crg_chair", "crg_member", name="Dee Double")
    sign_in(pg, base, both)
    calls = api_calls_on_load(pg, f"{base}/app/", "[data-role=crg_member]")
    assert sorted(calls) == ["GET /api/v1/case-reviews", "GET /api/v1/meetings"], calls
    assert pg.locator("[data-role=crg_chair] h2").inner_text() == "Case Review Group chair"
    assert "You have no upcoming meetings with cases on their agendas." in pg.locator("[data-role=crg_member]").inner_text()
    check_axe(pg, "my work, two roles")
    shot(pg, "work-04-my-work-two-roles")


# ---- (b) meetings: create, agenda, minutes ---------------------------------------------------

def _meeting_journey(live_server: Any, pg: Any, shot: Any, *, keyboard: bool) -> None:
    base = live_server.url
    api = Api(live_server)
    tag = "kb" if keyboard else "mouse"
    first = api.to(api.new_case("Testchild", unique("Agendaone")), *SCREENED)
    second = api.to(api.new_case("Testchild", unique("Agendatwo")), ("bu", "start_screening", {}))
    member = make_user(live_server, "crg_member", name=unique("Mo Member "))
    chair = make_user(live_server, "crg_chair", name=unique("Cy Chair "))
    bu = make_user(live_server, "business_unit", name="Bo Unit")
    sign_in(pg, base, bu, keyboard=keyboard)

    # to the meetings list and the form
    if keyboard:
        tab_to_text(pg, "Meetings")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_role("link", name="Meetings", exact=True).click()
    pg.wait_for_selector("h1:has-text('Case Review Group meetings')")
    pg.wait_for_selector("[data-testid=upcoming-meetings]")
    check_axe(pg, "meetings list")
    shot(pg, f"work-10-meetings-list-{tag}")
    if keyboard:
        tab_to_text(pg, "Schedule a meeting")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_role("link", name="Schedule a meeting").click()
    pg.wait_for_selector("h1:has-text('Schedule a Case Review Group meeting')")
    pg.wait_for_selector("#f-member_ids")
    check_axe(pg, "new meeting")

    # nothing typed: the error summary, focused, its links moving focus to the fields
    if keyboard:
        tab_to_text(pg, "Schedule meeting")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_role("button", name="Schedule meeting").click()
    summary = pg.locator(".govuk-error-summary")
    summary.wait_for()
    assert pg.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert summary.locator("a").all_inner_texts() == ["Enter the date of the meeting", "Enter the time of the meeting"]
    assert pg.title().startswith("Error: ")
    check_axe(pg, "new meeting with errors")
    shot(pg, f"work-11-new-meeting-errors-{tag}")
    if keyboard:
        tab_to_text(pg, "Enter the time of the meeting")
        pg.keyboard.press("Enter")
    else:
        summary.get_by_role("link", name="Enter the time of the meeting").click()
    assert focused_id(pg) == "f-scheduled_time"

    when = dt.date.today() + dt.timedelta(days=10)
    title = unique("Synthetic CRG ")
    member_label = f"{member.name} (CRG member)"
    chair_label = f"{chair.name} (CRG chair)"
    if keyboard:
        pg.keyboard.type("2pm")
        for _ in range(3):  # back through the year and month boxes to the day
            pg.keyboard.press("Shift+Tab")
        assert focused_id(pg) == "f-scheduled_for"
        pg.keyboard.type(str(when.day))
        pg.keyboard.press("Tab")
        pg.keyboard.type(str(when.month))
        pg.keyboard.press("Tab")
        pg.keyboard.type(str(when.year))
        for _ in range(3):  # back through the month and day boxes to the title
            pg.keyboard.press("Shift+Tab")
        assert focused_id(pg) == "f-title"
        pg.keyboard.type(title)
        tab_to(pg, "el.id === 'f-location'")
        pg.keyboard.type("Room 4, Example House")
        for label in (member_label, chair_label):
            tab_to(pg, f"el.labels && el.labels[0] && el.labels[0].innerText.trim() === {label!r}")
            pg.keyboard.press("Space")
        tab_to_text(pg, "Schedule meeting")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_label("Title (optional)").fill(title)
        pg.get_by_label("Day").fill(str(when.day))
        pg.get_by_label("Month").fill(str(when.month))
        pg.get_by_label("Year").fill(str(when.year))
        pg.get_by_label("Time").fill("2pm")
        pg.get_by_label("Place (optional)").fill("Room 4, Example House")
        pg.get_by_label(member_label).check()
        pg.get_by_label(chair_label).check()
        pg.get_by_role("button", name="Schedule meeting").click()

    # the meeting's page: when, where, who; the tracker as a standing item
    pg.wait_for_selector(f"h1:has-text('{title}')")
    pg.wait_for_selector("text=The meeting is scheduled.")
    meeting_id = int(urlparse(pg.url).path.rsplit("/", 1)[1])
    assert f"{when.day} {when.strftime('%B')} {when.year} at 2pm" in pg.inner_text("main")
    assert "Room 4, Example House" in pg.inner_text("main")
    assert member_label in pg.inner_text("main") and chair_label in pg.inner_text("main")
    tracker = pg.locator("[data-testid=tracker]")
    assert tracker.get_by_role("link", name=first["reference"]).count() == 1  # an open case
    assert "There are no cases on the agenda yet." in pg.inner_text("[data-testid=agenda]")
    check_axe(pg, "new meeting's page")
    shot(pg, f"work-12-meeting-created-{tag}")

    # two cases added by reference, an unknown reference refused on its field
    agenda = pg.locator("[data-testid=agenda]")
    for ref in ("CR-0000-0000", first["reference"], second["reference"]):
        if keyboard:
            focus_by_tab(pg, "f-case_reference")
            pg.keyboard.type(ref)
            pg.keyboard.press("Enter")
        else:
            pg.get_by_label("Add a case by its reference").fill(ref)
            pg.get_by_role("button", name="Add to agenda").click()
        if ref == "CR-0000-0000":
            summary = pg.locator(".govuk-error-summary")
            summary.wait_for()
            assert summary.inner_text().endswith("There is no case review with the reference CR-0000-0000")
            assert pg.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
            check_axe(pg, "agenda with an error")
            shot(pg, f"work-13-agenda-error-{tag}")
            if keyboard:
                tab_to_text(pg, "There is no case review with the reference CR-0000-0000")
                pg.keyboard.press("Enter")
                assert focused_id(pg) == "f-case_reference"
                pg.keyboard.press("Control+A")
                pg.keyboard.press("Backspace")
        else:
            added = first if ref == first["reference"] else second
            agenda.locator(f"tr[data-case-id='{added['id']}']").wait_for()
            pg.wait_for_selector(f"text={ref} is on the agenda.")
    assert "Cases on the agenda (2)" in agenda.inner_text()
    line = agenda.locator(f"tr[data-case-id='{first['id']}']").inner_text()
    assert first["child"]["last_name"] in line and "Awaiting decision" in line
    # the same case again: a message (409)
    if keyboard:
        focus_by_tab(pg, "f-case_reference")
        pg.keyboard.type(first["reference"])
        pg.keyboard.press("Enter")
    else:
        pg.get_by_label("Add a case by its reference").fill(first["reference"])
        pg.get_by_role("button", name="Add to agenda").click()
    pg.wait_for_selector(".govuk-error-summary:has-text('already on this agenda')")
    check_axe(pg, "agenda with two cases and a conflict")
    shot(pg, f"work-14-agenda-two-cases-{tag}")

    # one removed
    if keyboard:
        tab_to(pg, f"(el.textContent || '').trim() === 'Remove {second['reference']} from the agenda'")
        pg.keyboard.press("Enter")
    else:
        agenda.get_by_role("button", name=f"Remove {second['reference']} from the agenda").click()
    pg.wait_for_selector(f"text={second['reference']} is no longer on the agenda.")
    assert agenda.locator(f"tr[data-case-id='{second['id']}']").count() == 0
    assert agenda.locator(f"tr[data-case-id='{first['id']}']").count() == 1
    assert "Cases on the agenda (1)" in agenda.inner_text()
    assert pg.evaluate("document.activeElement.dataset.testid") == "agenda-done"

    # the minutes
    minutes = pg.locator("[data-testid=minutes]")
    assert "Not written yet." in minutes.inner_text()
    text = "Synthetic minutes: the group discussed the tracker and one case."
    if keyboard:
        tab_to(pg, "el.id === 'f-minutes'")
        pg.keyboard.type(text)
        pg.keyboard.press("Tab")
        assert focused_text(pg) == "Save minutes"
        pg.keyboard.press("Enter")
    else:
        pg.get_by_label("Minutes of the meeting").fill(text)
        pg.get_by_role("button", name="Save minutes").click()
    pg.wait_for_selector("text=The minutes are saved.")
    assert minutes.locator("[data-testid=minutes-updated]").inner_text().startswith("Last updated ")
    check_axe(pg, "meeting with minutes")
    shot(pg, f"work-15-meeting-minutes-{tag}")

    # the page afresh: its data in at most 3 API calls
    if not keyboard:
        calls = api_calls_on_load(pg, f"{base}/app/meetings/{meeting_id}", "[data-testid=minutes]")
        assert len(calls) <= 3, calls
        assert pg.input_value("#f-minutes") == text
        assert "The meeting is scheduled." not in pg.inner_text("main")  # that banner was for the visit

    # what the API holds now
    r = api.call("GET", f"/meetings/{meeting_id}", api.bu)
    saved = r.json()
    assert [a["case_id"] for a in saved["agenda"]] == [first["id"]]
    assert saved["minutes"] == text
    assert sorted(saved["member_ids"]) == sorted([member.id, chair.id])
    assert saved["title"] == title and saved["location"] == "Room 4, Example House"
    assert dt.datetime.fromisoformat(saved["scheduled_for"]).date() == when

    # the list shows it, with its number of cases
    pg.goto(f"{base}/app/meetings")
    upcoming = pg.locator("[data-testid=upcoming-meetings]")
    upcoming.get_by_role("link", name=title).wait_for()
    cells = upcoming.locator("tr", has=pg.get_by_role("link", name=title)).locator("td").all_inner_texts()
    assert cells[2:] == ["Room 4, Example House", "1"]
    check_axe(pg, "meetings list with the meeting")
    shot(pg, f"work-16-meetings-list-after-{tag}")


def test_business_unit_runs_a_meeting(live_server, page, shot) -> None:
    _meeting_journey(live_server, page, shot, keyboard=False)


def test_business_unit_runs_a_meeting_with_the_keyboard_alone(live_server, page, shot) -> None:
    _meeting_journey(live_server, page, shot, keyboard=True)


def test_minutes_saved_by_someone_else_meanwhile_keep_what_was_typed(live_server, page, shot) -> None:
    pg, base = page, live_server.url
    api = Api(live_server)
    r = api.call("POST", "/meetings", api.bu, json={
        "kind": "crg", "title": "Synthetic conflict meeting",
        "scheduled_for": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    bu = make_user(live_server, "business_unit", name="Bo Unit")
    sign_in(pg, base, bu)
    pg.goto(f"{base}/app/meetings/{mid}")
    pg.wait_for_selector("h1:has-text('Synthetic conflict meeting')")
    # someone else saves first
    etag = api.call("GET", f"/meetings/{mid}", api.bu).headers["ETag"]
    r = api.call("PUT", f"/meetings/{mid}/minutes", api.bu, json={"minutes": "Synthetic: their minutes."},
                 headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    pg.get_by_label("Minutes of the meeting").fill("Synthetic: my minutes.")
    pg.get_by_role("button", name="Save minutes").click()
    pg.wait_for_selector("[data-testid=minutes-conflict]")
    assert "Someone else changed this meeting" in pg.inner_text(".govuk-error-summary")
    assert "Synthetic: their minutes." in pg.inner_text("[data-testid=minutes-conflict]")
    assert pg.input_value("#f-minutes") == "Synthetic: my minutes."
    check_axe(pg, "minutes conflict")
    shot(pg, "work-17-minutes-conflict")
    # saving again replaces theirs
    pg.get_by_role("button", name="Save minutes").click()
    pg.wait_for_selector("text=The minutes are saved.")
    assert api.call("GET", f"/meetings/{mid}", api.bu).json()["minutes"] == "Synthetic: my minutes."


# ---- (c) journey 4: a crg_member sees only the cases on agendas of their meetings ------------

def test_crg_member_sees_only_cases_on_their_meetings_agendas(live_server, page, shot) -> None:
    pg, base = page, live_server.url
    api = Api(live_server)
    member = make_user(live_server, "crg_member", name="Mel Member")
    other_member = make_user(live_server, "crg_member", name="Ola Other")
    mine = api.to(api.new_case("Testchild", unique("Mine")), *SCREENED)
    theirs = api.to(api.new_case("Testchild", unique("Theirs")), *SCREENED)
    nowhere = api.to(api.new_case("Testchild", unique("Nowhere")), *SCREENED)
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).isoformat()
    for members, case, title in (([member.id], mine, "Synthetic member meeting"),
                                 ([other_member.id], theirs, "Synthetic other meeting")):
        r = api.call("POST", "/meetings", api.bu, json={"kind": "crg", "title": title, "scheduled_for": soon,
                                                        "member_ids": members})
        assert r.status_code == 201, r.text
        r = api.call("POST", f"/meetings/{r.json()['id']}/agenda", api.bu, json={"case_id": case["id"]})
        assert r.status_code == 201, r.text

    sign_in(pg, base, member)
    pg.wait_for_selector("[data-section=agenda-cases]")
    section = pg.locator("[data-section=agenda-cases]")
    assert section.locator("h3").inner_text() == "Cases on the agendas of your upcoming meetings (1)"
    assert [int(x) for x in section.locator("tr[data-case-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.caseId)")] == [mine["id"]]
    assert "Synthetic member meeting" in section.inner_text()
    assert "Synthetic other meeting" not in pg.inner_text("main")
    assert mine["child"]["last_name"] in section.inner_text()
    # a member has no business unit or chair sections
    assert pg.locator("[data-role]").evaluate_all("els => els.map(e => e.dataset.role)") == ["crg_member"]
    check_axe(pg, "my work, CRG member")
    shot(pg, "work-20-my-work-crg-member")

    # the case on their agenda opens
    section.get_by_role("link", name=mine["reference"]).click()
    pg.wait_for_url(f"**/app/case-reviews/{mine['id']}")
    pg.wait_for_selector(f"h1:has-text('{mine['reference']}')")
    assert mine["reference"] in pg.locator("h1").inner_text()
    check_axe(pg, "an agenda case, CRG member")
    shot(pg, "work-21-agenda-case-crg-member")

    # a case not on an agenda of theirs, typed as an address: Page not found
    for other in (theirs, nowhere):
        pg.goto(f"{base}/app/case-reviews/{other['id']}")
        pg.wait_for_selector("h1:has-text('Page not found')")
        assert other["reference"] not in pg.inner_text("main")
        assert other["child"]["last_name"] not in pg.inner_text("main")
    check_axe(pg, "a case not on their agenda, CRG member")
    shot(pg, "work-22-not-found-crg-member")
    # and the API answers that browser 404, as for a case that does not exist
    status = pg.evaluate(
        "async (id) => (await fetch(`/api/v1/case-reviews/${id}`, {credentials: 'same-origin'})).status",
        nowhere["id"])
    assert status == 404
    status = pg.evaluate(
        "async (id) => (await fetch(`/api/v1/case-reviews/${id}`, {credentials: 'same-origin'})).status",
        mine["id"])
    assert status == 200

    # their meeting's page: the agenda, no tracker of every open case
    pg.goto(f"{base}/app/meetings")
    pg.get_by_role("link", name="Synthetic member meeting").click()
    pg.wait_for_selector("h1:has-text('Synthetic member meeting')")
    assert pg.locator("[data-testid=tracker]").count() == 0
    assert pg.locator("[data-testid=agenda]").get_by_role("link", name=mine["reference"]).count() == 1
    assert pg.get_by_role("button", name="Add to agenda").count() == 0
    assert pg.get_by_role("link", name="Synthetic other meeting").count() == 0
    check_axe(pg, "their meeting, CRG member")
    shot(pg, "work-23-meeting-crg-member")
    sign_out(pg)


def test_meetings_list_pages_and_splits_past_from_upcoming(live_server, page, shot) -> None:
    pg, base = page, live_server.url
    api = Api(live_server)
    now = dt.datetime.now(dt.UTC)
    past_title = unique("Synthetic past meeting ")
    r = api.call("POST", "/meetings", api.bu, json={"kind": "crg", "title": past_title,
                                                    "scheduled_for": (now - dt.timedelta(days=30)).isoformat()})
    assert r.status_code == 201, r.text
    for i in range(26):  # more than one page (25), newest first
        r = api.call("POST", "/meetings", api.bu, json={
            "kind": "crg", "title": f"Synthetic paging meeting {i:02d}",
            "scheduled_for": (now + dt.timedelta(days=40 + i)).isoformat()})
        assert r.status_code == 201, r.text
    bu = make_user(live_server, "business_unit", name="Bo Unit")
    sign_in(pg, base, bu)
    pg.goto(f"{base}/app/meetings")
    pg.get_by_role("link", name="Synthetic paging meeting 25").wait_for()
    assert pg.locator("[data-testid=upcoming-meetings] tbody tr").count() == 25
    assert pg.get_by_role("link", name=past_title).count() == 0  # on a later page
    check_axe(pg, "meetings list, first page")
    pg.get_by_role("link", name="Older meetings").click()
    pg.wait_for_url("**/app/meetings?cursor=*")
    pg.get_by_role("link", name="Synthetic paging meeting 00").wait_for()
    assert pg.get_by_role("link", name="Synthetic paging meeting 25").count() == 0
    past = pg.locator("[data-testid=past-meetings]")
    past.get_by_role("link", name=past_title).wait_for()
    assert pg.get_by_role("link", name="First page").count() == 1
    check_axe(pg, "meetings list, second page")
    shot(pg, "work-18-meetings-list-second-page")
    # the address holds the page: a reload shows the same one
    pg.reload()
    pg.get_by_role("link", name=past_title).wait_for()


def test_scheduling_errors_from_the_api_and_a_role_that_may_not_schedule(live_server, page, shot) -> None:
    pg, base = page, live_server.url
    bu = make_user(live_server, "business_unit", name="Bo Unit")
    sign_in(pg, base, bu)
    pg.goto(f"{base}/app/meetings/new")
    pg.wait_for_selector("#f-member_ids")
    # a title longer than the API takes: its 422, linked to the field, what was typed kept
    pg.get_by_label("Title (optional)").fill("T" * 201)
    pg.get_by_label("Day").fill("14")
    pg.get_by_label("Month").fill("12")
    pg.get_by_label("Year").fill(str(dt.date.today().year + 1))
    pg.get_by_label("Time").fill("14:30")
    pg.get_by_role("button", name="Schedule meeting").click()
    summary = pg.locator(".govuk-error-summary")
    summary.wait_for()
    assert summary.locator("a").all_inner_texts() == ["The title must be 200 characters or fewer"]
    summary.locator("a").click()
    assert focused_id(pg) == "f-title"
    assert pg.input_value("#f-title") == "T" * 201 and pg.input_value("#f-scheduled_for-year")
    assert pg.locator("#f-title-error").count() == 1
    check_axe(pg, "new meeting with an API error")
    shot(pg, "work-19-new-meeting-api-error")
    sign_out(pg)

    # the CRG chair reads meetings but does not schedule them: the API's 403, said in words
    chair = make_user(live_server, "crg_chair", name="Cal Chair")
    sign_in(pg, base, chair)
    pg.goto(f"{base}/app/meetings")
    pg.wait_for_selector("h1:has-text('Case Review Group meetings')")
    assert pg.get_by_role("link", name="Schedule a meeting").count() == 0
    pg.goto(f"{base}/app/meetings/new")
    pg.wait_for_selector("h1:has-text('You cannot schedule meetings')")
    assert pg.title().startswith("You cannot schedule meetings")
    check_axe(pg, "new meeting refused")
