"""Agency authors' "My forms" and the CDOP panel's anonymised papers in the staff app (issue 18,
journeys 2 and 3).

Expected behaviour from API.md (child deaths: reporting forms submitted by the assigned
agency_author, every section answered or not known; meetings: a cdop_panel_member gets the
anonymised view at GET /meetings/{id}/papers) and DOMAIN.md (the panel reads anonymised papers).
Cases are put in their states through the API with a coordinator's bearer token; each user then
signs in through the sign-in page. Synthetic, distinctive identifiers only.
"""

from __future__ import annotations

import datetime as dt
import json
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
    tab_to,
    tab_to_text,
)

pytestmark = pytest.mark.browser

SECTIONS = ["agency_involvement", "health", "family_and_environment", "parenting_capacity",
            "service_provision", "other_information"]


@pytest.fixture(autouse=True)
def _built() -> None:
    require_build()


class Api:
    def __init__(self, live_server: Any) -> None:
        self.base = live_server.url
        self.coordinator = live_server.token_for("cdop_coordinator")

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.coordinator}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.base}/api/v1{path}", headers=headers, timeout=20, **kwargs)

    def act(self, case_id: int, action: str, **fields: Any) -> dict[str, Any]:
        tag = self.call("GET", f"/child-deaths/{case_id}").headers["ETag"]
        r = self.call("POST", f"/child-deaths/{case_id}/transitions", json={"action": action, **fields},
                      headers={"If-Match": tag})
        assert r.status_code == 200, (action, r.text)
        return r.json()

    def child_death(self, child: dict[str, Any], agencies: list[dict[str, Any]]) -> dict[str, Any]:
        body = {
            "notifier": {"name": "Testnotifier Kilo", "email": "notifier.kilo@example.org",
                         "agency": "Example Children's Hospital", "role": "Paediatric registrar"},
            "child": child,
            "death": {"date": (dt.date.today() - dt.timedelta(days=20)).isoformat(), "time": "09:15",
                      "place": "hospital", "expected": False},
            "agencies": agencies,
        }
        r = self.call("POST", "/child-deaths", json=body)
        assert r.status_code == 201, r.text
        case = r.json()
        self.act(case["id"], "start_information_gathering")
        return case

    def forms(self, case_id: int) -> list[dict[str, Any]]:
        r = self.call("GET", f"/child-deaths/{case_id}/reporting-forms")
        assert r.status_code == 200, r.text
        return r.json()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:5]}"


# ---- journey 3: an agency author completes an assigned reporting form in the app -------------

def _author_journey(live_server: Any, pg: Any, shot: Any, *, keyboard: bool) -> None:
    base, api = live_server.url, Api(live_server)
    agency = unique("Testshire School ")
    author = make_user(live_server, "agency_author", name="Avery Author", agency=agency)
    case = api.child_death(
        {"first_name": "Ottoline", "last_name": "Brackenridge", "date_of_birth": "2017-02-11", "sex": "female"},
        [{"name": "Testshire Police", "contact_email": "police.kilo@example.org"}])
    r = api.call("POST", f"/child-deaths/{case['id']}/reporting-forms",
                 json={"agency": agency, "assignee_user_id": author.id,
                       "due_on": (dt.date.today() + dt.timedelta(days=10)).isoformat()})
    assert r.status_code == 201, r.text
    form_id = r.json()["id"]
    suffix = "keyboard" if keyboard else "mouse"

    sign_in(pg, base, author, keyboard=keyboard)
    if keyboard:
        tab_to_text(pg, "My forms")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_role("link", name="My forms", exact=True).click()
    pg.wait_for_selector("h1:has-text('My forms')")
    pg.wait_for_selector("[data-testid=my-forms]")
    table = pg.locator("[data-testid=my-forms]")
    assert case["reference"] in table.inner_text() and agency in table.inner_text()
    assert "To do" in table.inner_text()
    assert "Ottoline" not in pg.content() and "Brackenridge" not in pg.content()
    check_axe(pg, "my forms")
    shot(pg, f"forms-18-my-forms-{suffix}")

    link_name = f"{case['reference']} reporting form for {agency}"
    if keyboard:
        tab_to(pg, f"el.tagName === 'A' && el.getAttribute('href') === '/app/my-forms/{form_id}'")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_role("link", name=link_name).click()
    pg.wait_for_selector("[data-testid=answer-form]")
    assert pg.url.endswith(f"/app/my-forms/{form_id}")
    assert pg.title().startswith(f"Reporting form {case['reference']}")
    headings = pg.locator("[data-testid=answer-form] legend h2").all_inner_texts()
    assert headings == ["Agency involvement", "Health", "Family and environment", "Parenting capacity",
                        "Service provision", "Other information"]
    check_axe(pg, "form to complete")
    shot(pg, f"forms-18-form-{suffix}")

    # nothing answered: the error summary, focused, names each section and links to it
    if keyboard:
        tab_to_text(pg, "Submit form")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_role("button", name="Submit form").click()
    pg.wait_for_selector("[data-testid=error-summary]")
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert pg.title().startswith("Error: ")
    summary = pg.inner_text("[data-testid=error-summary]")
    assert 'Enter your answer for agency involvement, or select "Not known"' in summary
    assert summary.count("Enter your answer") == 6
    check_axe(pg, "form with errors")
    shot(pg, f"forms-18-form-errors-{suffix}")

    answers = {"agency_involvement": "Pupil at the school since 2022; attendance good.",
               "health": "Asthma plan held by the school nurse."}
    if keyboard:
        tab_to(pg, "el.tagName === 'A' && el.closest('.govuk-error-summary') !== null")
        assert focused_text(pg).startswith("Enter your answer for agency involvement")
        pg.keyboard.press("Enter")
        assert focused_id(pg) == "f-answers-agency_involvement"
        for key in SECTIONS:
            assert focused_id(pg) == f"f-answers-{key}", focused_id(pg)
            if key in answers:
                pg.keyboard.type(answers[key])
                pg.keyboard.press("Tab")  # past its "Not known"
                pg.keyboard.press("Tab")
            else:
                pg.keyboard.press("Tab")
                assert focused_id(pg) == f"f-not_known-{key}"
                pg.keyboard.press("Space")
                pg.keyboard.press("Tab")
        tab_to_text(pg, "Submit form")
        pg.keyboard.press("Enter")
    else:
        pg.get_by_role("link", name='Enter your answer for health, or select "Not known"').click()
        assert focused_id(pg) == "f-answers-health"
        # part of the form saved as a draft, and still there when the author comes back
        pg.locator("#f-answers-health").fill(answers["health"])
        pg.locator("#f-not_known-parenting_capacity").check()
        pg.get_by_role("button", name="Save as draft").click()
        pg.wait_for_selector("[data-testid=draft-banner]")
        assert pg.evaluate("document.activeElement.dataset.testid") == "draft-banner"
        assert not pg.title().startswith("Error")
        check_axe(pg, "draft saved")
        shot(pg, f"forms-18-draft-saved-{suffix}")
        pg.reload()
        pg.wait_for_selector("[data-testid=answer-form]")
        assert pg.input_value("#f-answers-health") == answers["health"]
        assert pg.locator("#f-not_known-parenting_capacity").is_checked()
        assert next(f for f in api.forms(case["id"]) if f["id"] == form_id)["status"] == "requested"
        for key in SECTIONS:
            if key in answers:
                pg.locator(f"#f-answers-{key}").fill(answers[key])
            else:
                pg.locator(f"#f-not_known-{key}").check()  # (already checked from the draft: stays)
        # an answer and "not known" together are refused before anything is sent
        pg.locator("#f-answers-other_information").fill("Typed by mistake")
        pg.get_by_role("button", name="Submit form").click()
        pg.wait_for_selector("text=Remove your answer for other information")
        assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
        check_axe(pg, "form with an answer and not known")
        pg.locator("#f-answers-other_information").fill("")
        pg.get_by_role("button", name="Submit form").click()

    # submitted once: read-only with the answers, the banner focused
    pg.wait_for_selector("[data-testid=submitted-banner]")
    pg.wait_for_selector("[data-testid=answers]")
    assert pg.evaluate("document.activeElement.dataset.testid") == "submitted-banner"
    assert pg.locator("[data-testid=answer-form]").count() == 0
    assert pg.get_by_role("button", name="Submit form").count() == 0
    shown = pg.inner_text("[data-testid=answers]")
    assert answers["health"] in shown and "Not known" in shown
    assert not pg.title().startswith("Error")
    check_axe(pg, "form submitted")
    shot(pg, f"forms-18-form-submitted-{suffix}")

    # the coordinator's API view: returned, with the answers
    form = next(f for f in api.forms(case["id"]) if f["id"] == form_id)
    assert form["status"] == "submitted"
    assert form["answers"] == answers
    assert sorted(form["not_known"]) == sorted(k for k in SECTIONS if k not in answers)

    # no longer to do; in "All my forms" as submitted
    pg.goto(f"{base}/app/my-forms")
    pg.wait_for_selector("[data-testid=no-forms]")
    check_axe(pg, "my forms, none to do")
    pg.goto(f"{base}/app/my-forms?show=all")
    pg.wait_for_selector("[data-testid=my-forms]")
    assert "Submitted" in pg.inner_text("[data-testid=my-forms]")
    check_axe(pg, "all my forms")
    shot(pg, f"forms-18-all-my-forms-{suffix}")


def test_agency_author_completes_an_assigned_form(live_server, page, shot) -> None:
    _author_journey(live_server, page, shot, keyboard=False)


def test_agency_author_completes_an_assigned_form_with_the_keyboard_alone(live_server, page, shot) -> None:
    _author_journey(live_server, page, shot, keyboard=True)


def test_agency_author_completes_a_case_review_agency_report(live_server, page, shot) -> None:
    """My forms lists the case review agency reports assigned to the author too (issue 18), and
    one is completed in the app: every section answered or not known, submitted once."""
    pg, base = page, live_server.url
    bu_token = live_server.token_for("business_unit")
    bu = {"Authorization": f"Bearer {bu_token}"}
    agency = unique("Testshire Health ")
    author = make_user(live_server, "agency_author", name="Rowan Reporter", agency=agency)
    r = httpx.post(f"{base}/api/v1/case-reviews", headers=bu, timeout=20, json={
        "notifier": {"name": "Pat Example", "email": "pat.example@council.example", "agency": "Police"},
        "child": {"first_name": "Quentin", "last_name": "Zephyrine"},
        "incident": {"date": (dt.date.today() - dt.timedelta(days=30)).isoformat(), "type": "serious_harm",
                     "description": "Admitted to hospital."},
        "rationale": "Agencies did not share concerns.", "abuse_or_neglect_suspected": True,
        "agencies_involved": [agency], "regime": "WT2015"})
    assert r.status_code == 201, r.text
    case = r.json()
    r = httpx.post(f"{base}/api/v1/case-reviews/{case['id']}/agency-reports", headers=bu, timeout=20,
                   json={"agency": agency, "assignee_user_id": author.id,
                         "due_on": (dt.date.today() + dt.timedelta(days=14)).isoformat()})
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]

    sign_in(pg, base, author)
    pg.get_by_role("link", name="My forms", exact=True).click()
    reports = pg.locator("[data-testid=my-reports]")
    reports.wait_for()
    assert case["reference"] in reports.inner_text() and agency in reports.inner_text()
    assert "Quentin" not in pg.content() and "Zephyrine" not in pg.content()
    check_axe(pg, "my forms with an agency report")
    shot(pg, "forms-19-my-forms-with-report")
    reports.get_by_role("link", name=f"{case['reference']} agency report for {agency}").click()
    pg.wait_for_selector("[data-testid=answer-form]")
    assert pg.title().startswith(f"Agency report {case['reference']}")
    pg.get_by_role("button", name="Submit report").click()
    pg.wait_for_selector("[data-testid=error-summary]")
    assert pg.inner_text("[data-testid=error-summary]").count("Enter your answer") == 4
    check_axe(pg, "agency report with errors")
    # part of it saved as a draft, still there when the author comes back
    pg.locator("#f-answers-chronology").fill("Seen at the clinic in March.")
    pg.get_by_role("button", name="Save as draft").click()
    pg.wait_for_selector("[data-testid=draft-banner]")
    assert pg.evaluate("document.activeElement.dataset.testid") == "draft-banner"
    check_axe(pg, "agency report draft saved")
    pg.reload()
    pg.wait_for_selector("[data-testid=answer-form]")
    assert pg.input_value("#f-answers-chronology") == "Seen at the clinic in March."
    for key, text in (("analysis", "Referral was not made."), ("learning", "Share concerns the same day.")):
        pg.locator(f"#f-answers-{key}").fill(text)
    pg.locator("#f-not_known-recommendations").check()
    pg.get_by_role("button", name="Submit report").click()
    pg.wait_for_selector("[data-testid=submitted-banner]")
    assert "Referral was not made." in pg.inner_text("[data-testid=answers]")
    check_axe(pg, "agency report submitted")
    shot(pg, "forms-19-report-submitted")
    got = httpx.get(f"{base}/api/v1/case-reviews/{case['id']}/agency-reports/{report_id}", headers=bu, timeout=20)
    assert got.json()["status"] == "submitted" and got.json()["not_known"] == ["recommendations"]
    assert got.json()["answers"]["learning"] == "Share concerns the same day."


def test_a_form_assigned_to_another_author_is_not_found(live_server, page, shot) -> None:
    base, api = live_server.url, Api(live_server)
    owner = make_user(live_server, "agency_author", agency="Testshire Nursery")
    other = make_user(live_server, "agency_author", agency="Elsewhere Nursery")
    case = api.child_death({"first_name": "Perpetua", "last_name": "Swithinbank", "date_of_birth": "2020-08-01"},
                           [{"name": "Testshire Police", "contact_email": "police.lima@example.org"}])
    r = api.call("POST", f"/child-deaths/{case['id']}/reporting-forms",
                 json={"agency": "Testshire Nursery", "assignee_user_id": owner.id})
    assert r.status_code == 201, r.text
    sign_in(page, base, other)
    page.goto(f"{base}/app/my-forms/{r.json()['id']}")
    page.wait_for_selector("h1:has-text('Page not found')")
    assert case["reference"] not in page.content()
    check_axe(page, "another author's form")


# ---- journey 2: a panel member reads the papers; no response carries an identifier -----------

CHILD = {"first_name": "Wenceslas", "last_name": "Thistlewaite", "date_of_birth": "2018-11-23",
         "sex": "male", "nhs_number": "943 476 5919",
         "address": "41 Periwinkle Terrace, Mossbridge, MB7 3QX", "local_authority": "Testshire"}
# every way the page could receive them
IDENTIFIERS = ["Wenceslas", "Thistlewaite", "9434765919", "943 476 5919", "Periwinkle", "Mossbridge",
               "MB7 3QX", "2018-11-23", "23 November 2018", "23/11/2018"]


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
def test_coordinator_schedules_a_panel_and_a_panel_member_reads_only_anonymised_papers(
        live_server, browser, page, shot, keyboard) -> None:
    base, api = live_server.url, Api(live_server)
    member = make_user(live_server, "cdop_panel_member", name=unique("Morgan Panelmember "))
    coordinator = make_user(live_server, "cdop_coordinator", name="Cora Coordinator")
    title = unique("Synthetic panel ")

    # the coordinator schedules the panel in the app, choosing its member among the CDOP roles
    pg = page
    sign_in(pg, base, coordinator)
    pg.get_by_role("link", name="Meetings", exact=True).click()
    pg.wait_for_selector("h1:has-text('Child Death Overview Panel meetings')")
    check_axe(pg, "panel meetings (coordinator)")
    pg.get_by_role("link", name="Schedule a meeting").click()
    pg.wait_for_selector("h1:has-text('Schedule a Child Death Overview Panel meeting')")
    check_axe(pg, "schedule a panel")
    shot(pg, "panel-18-schedule")
    when = dt.date.today() + dt.timedelta(days=14)
    pg.get_by_label("Title (optional)").fill(title)
    pg.locator("#f-scheduled_for").fill(str(when.day))
    pg.locator("#f-scheduled_for-month").fill(str(when.month))
    pg.locator("#f-scheduled_for-year").fill(str(when.year))
    pg.get_by_label("Time").fill("10am")
    pg.get_by_label("Place (optional)").fill("Room 4, Synthetic House")
    pg.get_by_label(f"{member.name} (panel member)").check()
    pg.get_by_role("button", name="Schedule meeting").click()
    pg.wait_for_selector(f"h1:has-text('{title}')")
    meeting_id = int(pg.url.rstrip("/").split("/")[-1])
    m = api.call("GET", f"/meetings/{meeting_id}").json()
    assert m["kind"] == "cdop_panel" and m["member_ids"] == [member.id]

    # a child death on its agenda, with a returned form whose answer names the child
    case = api.child_death(CHILD, [{"name": "Testshire Police", "contact_email": "police.mike@example.org"},
                                   {"name": "Testshire GP Practice", "contact_email": "gp.mike@example.org"}])
    forms = {f["agency"]: f for f in api.forms(case["id"])}
    r = api.call("POST", f"/child-deaths/{case['id']}/reporting-forms/{forms['Testshire Police']['id']}/submit",
                 json={"answers": {"agency_involvement": "Wenceslas Thistlewaite of 41 Periwinkle Terrace was "
                                                         "known to the neighbourhood team.",
                                   "health": "No concerns known to the police."},
                       "not_known": SECTIONS[2:]})
    assert r.status_code == 200, r.text
    r = api.call("POST", f"/child-deaths/{case['id']}/reporting-forms/{forms['Testshire GP Practice']['id']}/waive",
                 json={"reason": "Not registered with the practice"})
    assert r.status_code == 200, r.text
    tag = api.call("GET", f"/child-deaths/{case['id']}").headers["ETag"]
    r = api.call("PATCH", f"/child-deaths/{case['id']}",
                 json={"case_summary": "Wenceslas was found unresponsive at home in Mossbridge; "
                                       "taken to hospital by ambulance."},
                 headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    api.act(case["id"], "mark_ready_for_panel", cdrm_not_required_reason="Not needed (synthetic).")
    api.act(case["id"], "schedule_for_panel", meeting_id=meeting_id)

    # the coordinator's view of the meeting: the agenda line and the way to the papers
    pg.reload()
    pg.wait_for_selector("[data-testid=agenda]")
    agenda = pg.locator("[data-testid=agenda]")
    agenda.get_by_role("link", name=case["reference"]).wait_for()
    assert agenda.get_by_role("link", name=case["reference"]).get_attribute("href") == f"/app/child-deaths/{case['id']}"
    assert pg.get_by_role("button", name="Add to agenda").count() == 0
    assert pg.get_by_role("link", name="Read the anonymised papers").count() == 1
    check_axe(pg, "panel meeting (coordinator)")
    shot(pg, "panel-18-meeting-coordinator")

    # the panel member, in a browser of their own; every API response body is kept
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    mp = ctx.new_page()
    mp.set_default_timeout(10_000)
    problems: list[str] = []
    mp.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" and
          not msg.text.startswith("Failed to load resource") else None)
    mp.on("pageerror", lambda exc: problems.append(str(exc)))
    bodies: dict[str, list[str]] = {}

    def on_response(resp: Any) -> None:
        path = urlparse(resp.url).path
        if path.startswith("/api/") and resp.status not in (204, 304):
            try:
                body = resp.body().decode("utf-8", "replace")
            except Exception as exc:  # noqa: BLE001 - a body the browser did not keep is a failure
                body = f"<unreadable: {exc}>"
            bodies.setdefault(f"{resp.request.method} {path} {resp.status}", []).append(body)

    mp.on("response", on_response)
    try:
        sign_in(mp, base, member, keyboard=keyboard)
        if keyboard:
            tab_to_text(mp, "Meetings")
            mp.keyboard.press("Enter")
        else:
            mp.get_by_role("link", name="Meetings", exact=True).click()
        mp.wait_for_selector("h1:has-text('Child Death Overview Panel meetings')")
        mp.get_by_role("link", name=title, exact=True).wait_for()
        check_axe(mp, "panel meetings (member)")
        shot(mp, "panel-18-meetings-member")
        if keyboard:
            tab_to(mp, f"el.tagName === 'A' && el.getAttribute('href') === '/app/meetings/{meeting_id}/papers'")
            mp.keyboard.press("Enter")
        else:
            mp.get_by_role("link", name=f"Papers for {title}").click()
        mp.wait_for_selector("h1:has-text('Panel papers')")
        paper = mp.locator("[data-testid=paper]")
        paper.wait_for()
        text = paper.inner_text()
        assert case["reference"] in text and "Male" in text and "[redacted]" in text
        assert "taken to hospital by ambulance" in text
        check_axe(mp, "panel papers")
        shot(mp, "panel-18-papers")
        if keyboard:  # a details summary opens with Enter
            tab_to(mp, "el.tagName === 'SUMMARY' && el.innerText.includes('Testshire Police: Returned')")
            mp.keyboard.press("Enter")
        else:
            mp.get_by_text("Testshire Police: Returned").click()
        mp.get_by_text("No concerns known to the police.").wait_for()
        assert "No concerns known to the police." in paper.inner_text()
        assert "Not known" in paper.inner_text()
        check_axe(mp, "panel papers, a form open")
        shot(mp, "panel-18-papers-form-open")
        # their meeting page too: no agenda lines, no minutes, the link to the papers
        mp.goto(f"{base}/app/meetings/{meeting_id}")
        mp.wait_for_selector(f"h1:has-text('{title}')")
        assert "The cases on this agenda are not shown to you." in mp.inner_text("[data-testid=agenda]")
        check_axe(mp, "panel meeting (member)")
        shot(mp, "panel-18-meeting-member")
        mp.wait_for_load_state("networkidle")
    finally:
        ctx.close()
    assert not problems, problems

    called = set(bodies)
    assert any(k.startswith(f"GET /api/v1/meetings/{meeting_id}/papers 200") for k in called), called
    # never a child death record, nor anything the member may not read
    assert not any("/child-deaths" in k for k in called), called
    unreadable = [k for k, v in bodies.items() if any(b.startswith("<unreadable") for b in v)]
    assert not unreadable, unreadable
    everything = json.dumps(bodies)
    leaks = [s for s in IDENTIFIERS if s.lower() in everything.lower()]
    assert not leaks, (leaks, sorted(called))
