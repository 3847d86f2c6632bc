"""Forms as versioned data in the browser (issue 20): the public reporting page renders and
accepts a supplementary form with conditional questions with JavaScript off; an agency author
completes one in the staff app (by mouse, and by the keyboard alone); the coordinator asks for
supplementary forms and reads the answers under the definition's question labels.

Expected behaviour from API.md ("Forms as versioned data") and the issue: every question has
"Not known"; a conditional question is asked only after the answer it follows. Synthetic data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest

from tests.browser.staff import (
    api_client, check_axe, focused_id, key_press, key_radio, mail_link, make_user, require_build,
    sign_in, tab_to,
)

pytestmark = pytest.mark.browser

SUPERVISED_HINT = "Answer only if you answered ‘Yes’ to ‘Was the child supervised at the time?’."


@pytest.fixture(autouse=True)
def _built() -> None:
    require_build()


def _case(api: httpx.Client) -> dict[str, Any]:
    body = {
        "notifier": {"name": "Testnotifier Lima", "email": "notifier.lima@example.org",
                     "agency": "Example Children's Hospital", "role": "Paediatric registrar"},
        "child": {"first_name": "Testchild", "last_name": f"Oscar{uuid.uuid4().hex[:5]}",
                  "date_of_birth": "2016-04-02", "sex": "male"},
        "death": {"date": (dt.date.today() - dt.timedelta(days=12)).isoformat(), "place": "public_place",
                  "expected": False},
        "agencies": [],
    }
    r = api.post("/child-deaths", json=body)
    assert r.status_code == 201, r.text
    case = r.json()
    tag = api.get(f"/child-deaths/{case['id']}").headers["ETag"]
    r = api.post(f"/child-deaths/{case['id']}/transitions", json={"action": "start_information_gathering"},
                 headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    return case


def _request(api: httpx.Client, case_id: int, agency: str, forms: list[str], **extra: Any) -> dict[str, Any]:
    r = api.post(f"/child-deaths/{case_id}/reporting-forms", json={"agency": agency, "forms": forms, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _form(api: httpx.Client, case_id: int, form_id: int) -> dict[str, Any]:
    return next(f for f in api.get(f"/child-deaths/{case_id}/reporting-forms").json() if f["id"] == form_id)


def _summary(pg: Any) -> dict[str, str]:
    return {a.get_attribute("href"): a.inner_text().strip() for a in pg.locator(".error-summary a").all()}


def test_public_page_with_javascript_off_takes_a_supplementary_form(live_server, browser, shot) -> None:
    api = api_client(live_server, "cdop_coordinator")
    case = _case(api)
    email = f"lifeguards.{uuid.uuid4().hex[:6]}@example.org"
    form = _request(api, case["id"], "Example Lifeguard Service", ["drowning"], contact_email=email)
    link = mail_link(live_server, email)

    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900}, locale="en-GB")
    try:
        pg = ctx.new_page()
        pg.goto(link)
        assert pg.evaluate("1 + 1") == 2  # (evaluate is the test's own channel, not the page's)
        assert pg.inner_text("#form-drowning") == "Supplementary form: drowning"
        assert pg.inner_text("#section-drowning-circumstances legend") == "Circumstances"
        # the conditional questions are on the page, with when to answer them
        assert SUPERVISED_HINT in pg.inner_text("main")
        assert pg.locator("#answers-drowning-supervisor").is_visible()
        assert pg.locator("#answers-drowning-buoyancy-aid").is_visible()
        shot(pg, "cdr-forms-public-nojs")

        # nothing answered: an error summary linked to each question, the page still without JS
        pg.click("button.button:has-text('Send reporting form')")
        errors = _summary(pg)
        assert errors["#answers-drowning-location"] == "Select an answer to ‘Where did the drowning happen?’, or ‘Not known’"
        assert "#answers-drowning-supervisor" not in errors  # not asked: its condition does not hold
        shot(pg, "cdr-forms-public-nojs-errors")

        # supervised: yes -> who was supervising is now required; the sea -> the buoyancy aid
        pg.check("#answers-drowning-location-5")  # the sea
        pg.check("#answers-drowning-supervised")  # yes
        pg.check("#answers-drowning-could-swim-2")  # a little
        pg.check("#answers-drowning-epilepsy-3")  # not known
        pg.check("#answers-drowning-alcohol-or-drugs-2")  # no
        pg.click("button.button:has-text('Send reporting form')")
        errors = _summary(pg)
        assert set(errors) == {"#answers-drowning-supervisor", "#answers-drowning-buoyancy-aid"}, errors
        assert errors["#answers-drowning-supervisor"] == (
            "Select an answer to ‘Who was supervising the child?’, or ‘Not known’")
        # what was given is kept
        assert pg.is_checked("#answers-drowning-location-5") and pg.is_checked("#answers-drowning-epilepsy-3")
        pg.click("a[href='#answers-drowning-supervisor']")
        pg.check("#answers-drowning-supervisor")  # a parent or carer
        pg.check("#answers-drowning-buoyancy-aid-2")  # no
        shot(pg, "cdr-forms-public-nojs-filled")
        pg.click("button.button:has-text('Send reporting form')")
        pg.wait_for_url("**/forms/reporting/sent")
        assert case["reference"] in pg.inner_text("#reference")
    finally:
        ctx.close()

    stored = _form(api, case["id"], form["id"])
    assert stored["status"] == "submitted"
    assert stored["answers"] == {"drowning": {"location": "sea", "supervised": True, "supervisor": "parent",
                                              "buoyancy_aid": False, "could_swim": "a_little",
                                              "alcohol_or_drugs": False}}
    assert stored["not_known"] == ["drowning.epilepsy"]


def test_public_page_is_accessible(live_server, page, shot) -> None:
    """The same page in a JavaScript context, for axe (it needs JavaScript to run)."""
    api = api_client(live_server, "cdop_coordinator")
    case = _case(api)
    email = f"school.{uuid.uuid4().hex[:6]}@example.org"
    _request(api, case["id"], "Example Academy", ["reporting_form", "drowning"], contact_email=email)
    page.goto(mail_link(live_server, email))
    assert page.locator("#form-drowning").inner_text() == "Supplementary form: drowning"
    check_axe(page, "public reporting page with two forms")
    page.click("button.button:has-text('Send reporting form')")
    page.wait_for_selector(".error-summary")
    check_axe(page, "public reporting page with errors")
    shot(page, "cdr-forms-public-errors-js")


def _author_form(live_server: Any) -> tuple[httpx.Client, dict[str, Any], dict[str, Any], Any]:
    api = api_client(live_server, "cdop_coordinator")
    case = _case(api)
    author = make_user(live_server, "agency_author", agency="Example Swim School")
    form = _request(api, case["id"], "Example Swim School", ["drowning"], assignee_user_id=author.id)
    return api, case, form, author


def test_agency_author_completes_a_supplementary_form_in_the_staff_app(live_server, page, shot) -> None:
    api, case, form, author = _author_form(live_server)
    pg = page
    sign_in(pg, live_server.url, author)
    pg.goto(f"{live_server.url}/app/my-forms")
    row = pg.locator("[data-testid=my-forms] tr", has_text=case["reference"])
    assert row.locator("[data-testid=forms-asked]").inner_text() == "Supplementary form: drowning"
    row.get_by_role("link").click()
    pg.wait_for_selector("[data-testid=answer-form]")
    assert pg.locator("[data-testid=answer-form] h2").all_inner_texts() == ["Supplementary form: drowning"]
    assert pg.locator("[data-testid=answer-form] legend h3").all_inner_texts() == ["Circumstances", "Health"]
    # conditional questions appear only after the answer they follow
    assert pg.locator("[data-question=supervisor]").count() == 0
    assert pg.locator("[data-question=buoyancy_aid]").count() == 0
    check_axe(pg, "supplementary form")
    pg.check("#f-answers-drowning-supervised")  # yes
    pg.wait_for_selector("[data-question=supervisor]")
    # said to screen reader users as well
    assert pg.inner_text("[data-testid=question-changes]") == "Question added: Who was supervising the child?"
    assert 'Asked because you answered "Yes" to "Was the child supervised at the time?"' in pg.inner_text(
        "[data-question=supervisor]")
    pg.check("#f-answers-drowning-location-5")  # the sea
    pg.wait_for_selector("[data-question=buoyancy_aid]")
    check_axe(pg, "supplementary form with conditional questions shown")

    pg.get_by_role("button", name="Submit form").click()
    pg.wait_for_selector("[data-testid=error-summary]")
    summary = pg.inner_text("[data-testid=error-summary]")
    assert 'Select an answer for "Who was supervising the child?", or "Not known"' in summary
    assert "Could the child swim" in summary and "Where did the drowning happen" not in summary
    check_axe(pg, "supplementary form with errors")
    shot(pg, "cdr-forms-staff-errors")

    pg.check("#f-answers-drowning-supervisor")  # a parent or carer
    pg.check("#f-answers-drowning-buoyancy_aid-2")  # no
    pg.check("#f-answers-drowning-could_swim-3")  # competently
    pg.check("#f-answers-drowning-epilepsy-2")  # no
    # a draft keeps what is there, and comes back
    pg.get_by_role("button", name="Save as draft").click()
    pg.wait_for_selector("[data-testid=draft-banner]")
    pg.reload()
    pg.wait_for_selector("[data-testid=answer-form]")
    assert pg.is_checked("#f-answers-drowning-supervisor") and pg.is_checked("#f-answers-drowning-could_swim-3")
    # the controlling answer changed: the question it asked goes, and is not sent
    pg.check("#f-answers-drowning-supervised-2")  # no
    assert pg.locator("[data-question=supervisor]").count() == 0
    pg.check("#f-answers-drowning-alcohol_or_drugs-3")  # not known
    shot(pg, "cdr-forms-staff-filled")
    pg.get_by_role("button", name="Submit form").click()
    pg.wait_for_selector("[data-testid=submitted-banner]")
    answers = pg.inner_text("[data-testid=answers]")
    assert "Where did the drowning happen?" in answers and "The sea or a beach" in answers
    assert "Who was supervising the child?" not in answers
    check_axe(pg, "supplementary form submitted")
    shot(pg, "cdr-forms-staff-submitted")
    stored = _form(api, case["id"], form["id"])
    assert stored["status"] == "submitted"
    assert stored["answers"]["drowning"] == {"location": "sea", "supervised": False, "buoyancy_aid": False,
                                             "could_swim": "competently", "epilepsy": False}
    assert stored["not_known"] == ["drowning.alcohol_or_drugs"]


def test_agency_author_completes_a_supplementary_form_by_keyboard_alone(live_server, page, shot) -> None:
    api, case, form, author = _author_form(live_server)
    pg = page
    sign_in(pg, live_server.url, author, keyboard=True)
    pg.goto(f"{live_server.url}/app/my-forms/{form['id']}")
    pg.wait_for_selector("[data-testid=answer-form]")
    key_radio(pg, "f-answers-drowning-location", 4)  # a river, lake, canal or reservoir
    key_radio(pg, "f-answers-drowning-supervised", 1)  # yes
    pg.wait_for_selector("[data-question=supervisor]")
    # the question that appeared comes next in the tab order
    pg.keyboard.press("Tab")
    assert focused_id(pg) == "f-answers-drowning-supervisor", focused_id(pg)
    pg.keyboard.press("ArrowDown")  # another adult
    key_radio(pg, "f-answers-drowning-buoyancy_aid", 3)  # not known
    key_radio(pg, "f-answers-drowning-could_swim", 1)  # no
    key_radio(pg, "f-answers-drowning-epilepsy", 2)  # no
    key_press(pg, "Submit form")
    pg.wait_for_selector("[data-testid=error-summary]")
    assert pg.evaluate("document.activeElement.dataset.testid") == "error-summary"
    tab_to(pg, "el.tagName === 'A' && el.closest('.govuk-error-summary') !== null")
    pg.keyboard.press("Enter")
    assert focused_id(pg) == "f-answers-drowning-alcohol_or_drugs", focused_id(pg)
    pg.keyboard.press("Space")  # yes
    key_press(pg, "Submit form")
    pg.wait_for_selector("[data-testid=submitted-banner]")
    shot(pg, "cdr-forms-staff-keyboard-submitted")
    stored = _form(api, case["id"], form["id"])
    assert stored["answers"]["drowning"] == {"location": "inland_open_water", "supervised": True,
                                             "supervisor": "other_adult", "could_swim": "no",
                                             "epilepsy": False, "alcohol_or_drugs": True}
    assert stored["not_known"] == ["drowning.buoyancy_aid"]


def test_coordinator_asks_for_supplementary_forms_and_reads_the_answers(live_server, page, shot) -> None:
    api = api_client(live_server, "cdop_coordinator")
    case = _case(api)
    done = _request(api, case["id"], "Example Coastguard", ["drowning"])
    r = api.post(f"/child-deaths/{case['id']}/reporting-forms/{done['id']}/submit", json={
        "answers": {"drowning": {"location": "bath", "supervised": False, "could_swim": "no",
                                 "epilepsy": True, "alcohol_or_drugs": False}}})
    assert r.status_code == 200, r.text
    coordinator = make_user(live_server, "cdop_coordinator")
    pg = page
    sign_in(pg, live_server.url, coordinator)
    pg.goto(f"{live_server.url}/app/child-deaths/{case['id']}")
    pg.wait_for_selector("[data-testid=request-form]")
    pg.locator(f"[data-testid=answers-{done['id']}] summary").click()
    box = pg.locator(f"[data-testid=answers-{done['id']}]")
    box.locator("text=Was the child supervised at the time?").wait_for()
    text = box.inner_text()
    assert "Where did the drowning happen?" in text and "In a bath" in text
    assert "Who was supervising the child?" not in text  # not asked
    check_axe(pg, "answers with the definition's labels")

    pg.fill("#f-request-agency", "Example Sailing Club")
    pg.locator("[data-testid=choose-forms] summary").click()
    pg.get_by_label("Supplementary form: drowning").check()
    assert pg.get_by_role("checkbox", name="Reporting form", exact=True).is_checked()
    check_axe(pg, "choosing the forms to ask for")
    shot(pg, "cdr-forms-coordinator-request")
    pg.get_by_role("button", name="Request the form").click()
    pg.locator("text=A reporting form was requested from Example Sailing Club").wait_for()
    made = next(f for f in api.get(f"/child-deaths/{case['id']}/reporting-forms").json()
                if f["agency"] == "Example Sailing Club")
    assert [(f["key"], f["version"]) for f in made["forms"]] == [("reporting_form", 1), ("drowning", 1)]
    assert pg.inner_text(f"[data-testid=forms-asked-{made['id']}]") == "Reporting form; Supplementary form: drowning"


def test_panel_member_reads_a_supplementary_form_on_the_papers(live_server, page, shot) -> None:
    api = api_client(live_server, "cdop_coordinator")
    case = _case(api)
    form = _request(api, case["id"], "Example Coastguard", ["drowning"])
    r = api.post(f"/child-deaths/{case['id']}/reporting-forms/{form['id']}/submit", json={
        "answers": {"drowning": {"location": "sea", "supervised": True, "supervisor": "lifeguard",
                                 "buoyancy_aid": False, "could_swim": "a_little", "epilepsy": False}},
        "not_known": ["drowning.alcohol_or_drugs"]})
    assert r.status_code == 200, r.text
    member = make_user(live_server, "cdop_panel_member")
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=20)).replace(microsecond=0).isoformat()
    meeting = api.post("/meetings", json={"kind": "cdop_panel", "scheduled_for": when, "member_ids": [member.id]}).json()
    for action, fields in (("mark_ready_for_panel", {"cdrm_not_required_reason": "Not needed (synthetic)."}),
                           ("schedule_for_panel", {"meeting_id": meeting["id"]})):
        tag = api.get(f"/child-deaths/{case['id']}").headers["ETag"]
        r = api.post(f"/child-deaths/{case['id']}/transitions", json={"action": action, **fields},
                     headers={"If-Match": tag})
        assert r.status_code == 200, r.text
    pg = page
    sign_in(pg, live_server.url, member)
    pg.goto(f"{live_server.url}/app/meetings/{meeting['id']}/papers")
    pg.wait_for_selector("h1:has-text('Panel papers')")
    pg.get_by_text("Example Coastguard: Returned").click()
    block = pg.locator("[data-testid=supplementary-drowning]")
    block.wait_for()
    text = block.inner_text()
    assert "Supplementary form: drowning" in text and "Who was supervising the child?" in text
    assert "A lifeguard" in text and "Not known" in text
    check_axe(pg, "papers with a supplementary form")
    shot(pg, "cdr-forms-papers-supplementary")
