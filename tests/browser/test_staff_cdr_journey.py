"""Issue 20's "Done when", as people use the app (set-up through the API only where a person would
not use the app: the users and the panel meeting): a coordinator enters the unexpected death of an
infant, starts gathering information, records a Joint Agency Response and a child death review
meeting, asks an agency for the reporting form with the SUDI/SUDC supplementary form; the agency
answers through its emailed link on the public page (a conditional question included); the case
is marked ready and scheduled on a panel; the chair records the analysis with factors and two
actions; the coordinator completes one action, closes the review, downloads the NCMD record from
the case page and checks it against the committed schema (openapi/ncmd-record.v1.schema.json),
then downloads the period's export from the reports page (first with a period the API refuses).
axe on every page state, a screenshot of each; the case page's download once with the keyboard
alone. Expected values from API.md / the issue / the README's "National data export (NCMD)".
Synthetic names only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.browser.staff import (
    api_client, check_axe, fill_app_date, fill_date, focused_id, mail_link, make_user, open_action,
    schedule_on_panel, sign_in, sign_out, submit_action, tab_to_text, wait_banner, wait_status,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "openapi" / "ncmd-record.v1.schema.json").read_text(encoding="utf-8"))
TODAY = dt.date.today()
BORN = TODAY - dt.timedelta(days=130)  # an infant
DIED = TODAY - dt.timedelta(days=20)
JAR_ON = DIED + dt.timedelta(days=1)
CDRM_ON = TODAY - dt.timedelta(days=3)
DUE_1 = TODAY + dt.timedelta(days=45)
DUE_2 = TODAY + dt.timedelta(days=90)


def _validate(record: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(record)


def _part(locator: Any, name: str) -> None:
    """A screenshot of one part of a page (the full page is too tall to read) in tests/artifacts/."""
    out = ROOT / "tests" / "artifacts"
    out.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(out / f"{name}.png"))


def _download_json(pg: Any, click: Any) -> tuple[str, Any]:
    """Do ``click`` (which starts a download) and give the file's name and parsed content."""
    with pg.expect_download() as info:
        click()
    download = info.value
    path = download.path()
    return download.suggested_filename, json.loads(Path(path).read_text(encoding="utf-8"))


def test_a_death_from_notification_to_the_national_data_export(live_server, page, browser, shot) -> None:
    base, pg = live_server.url, page
    tag = uuid.uuid4().hex[:6]
    last = f"Journey{tag}"
    coordinator = make_user(live_server, "cdop_coordinator", name=f"Casey Coordinator {tag}")
    chair = make_user(live_server, "cdop_chair", name=f"Charlie Chair {tag}")

    # ---- the coordinator enters the notification: an unexpected death of an infant, a JAR started
    sign_in(pg, base, coordinator)
    pg.goto(f"{base}/app/child-deaths/new")
    pg.wait_for_selector("h1:has-text('Enter a child death notification')")
    pg.fill("#f-child-first_name", "Robin")
    pg.fill("#f-child-last_name", last)
    fill_app_date(pg, "f-child-date_of_birth", BORN)
    fill_app_date(pg, "f-death-date", DIED)
    pg.locator("#f-death-place-2").check()  # home
    pg.locator("#f-death-expected-2").check()  # no: unexpected
    pg.locator("#f-death-jar_triggered").check()  # yes
    pg.fill("#f-notifier-name", "Dr Pat Example")
    pg.fill("#f-notifier-email", "pat.example@nhs.example")
    pg.fill("#f-notifier-agency", "Example Children's Hospital")
    check_axe(pg, "new notification filled")
    pg.get_by_role("button", name="Enter the notification").click()
    wait_status(pg, "Notified")
    case_url = pg.url
    reference = pg.locator("h1 .govuk-caption-l").inner_text().replace("Child death", "").strip()
    assert re.fullmatch(r"CD-\d{4}-\d{4,6}", reference), reference
    assert pg.locator("[data-testid=ncmd-export]").count() == 0  # not reviewed: no export offered
    check_axe(pg, "entered notification")
    shot(pg, "cdr-j-01-entered")

    open_action(pg, "Start gathering information")
    submit_action(pg, "Start gathering information")
    wait_status(pg, "Information gathering")

    # ---- the Joint Agency Response and the child death review meeting (Review meetings card)
    form = pg.locator("[data-testid=record-meeting-form]")
    form.locator("#f-meeting-kind").check()  # Joint Agency Response
    fill_app_date(pg, "f-meeting-held_on", JAR_ON)
    pg.fill("#f-meeting-other_agencies", "Example Police\nExample Children's Services")
    pg.fill("#f-meeting-outcome", "Joint home visit made; the sleep environment was recorded.")
    form.get_by_role("button", name="Record the meeting").click()
    wait_banner(pg, "Joint Agency Response held on")
    form.locator("#f-meeting-kind-2").check()  # child death review meeting
    fill_app_date(pg, "f-meeting-held_on", CDRM_ON)
    pg.fill("#f-meeting-other_agencies", "Example Health Visiting\nExample GP Practice")
    pg.fill("#f-meeting-outcome", "Information agreed for the panel.")
    form.get_by_role("button", name="Record the meeting").click()
    wait_banner(pg, "Child death review meeting held on")
    assert pg.locator("[data-testid=review-meetings-table] tbody tr").count() == 2
    check_axe(pg, "case with its review meetings")
    shot(pg, "cdr-j-02-meetings")

    # ---- a reporting form with the SUDI/SUDC supplementary form, for the health visitors
    hv_email = f"hv.{tag}@example.org"
    pg.fill("#f-request-agency", "Example Health Visiting")
    pg.get_by_label("Contact email address (optional)").fill(hv_email)
    pg.locator("[data-testid=choose-forms] summary").click()
    pg.get_by_label("Supplementary form: sudden unexpected death in infancy or childhood").check()
    check_axe(pg, "asking for the SUDI/SUDC form")
    pg.get_by_role("button", name="Request the form").click()
    pg.locator("text=A reporting form was requested from Example Health Visiting").wait_for()
    shot(pg, "cdr-j-03-form-requested")

    # ---- the agency answers through its emailed link (no sign-in), on the public page
    agency_ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    try:
        hv = agency_ctx.new_page()
        hv.goto(mail_link(live_server, hv_email))
        assert reference in hv.inner_text("#reference")
        hv.fill("#answers-agency-involvement", "The health visitor saw the family at 10 days and 6 weeks.")
        for key in ("health", "family-and-environment", "parenting-capacity", "service-provision", "other-information"):
            hv.check(f"#not-known-{key}")
        s = "answers-sudi-sudc"
        hv.check(f"#{s}-found-asleep")  # yes: so the position the child was put down in is asked
        hv.check(f"#{s}-sleep-place")  # a cot
        hv.check(f"#{s}-sleep-position-3")  # front
        hv.check(f"#{s}-shared-sleep-surface-2")  # no
        hv.check(f"#{s}-loose-bedding")  # yes
        hv.check("#not-known-sudi-sudc-room-temperature-celsius")
        hv.check(f"#{s}-smoking-in-household-2")  # no
        hv.check(f"#{s}-smoking-in-pregnancy-3")  # not known
        hv.check(f"#{s}-feeding-2")  # formula
        hv.check(f"#{s}-recent-illness-2")  # no
        last_well = DIED - dt.timedelta(days=1)
        fill_date(hv, f"{s}-last-seen-well-on", str(last_well.day), str(last_well.month), str(last_well.year))
        hv.fill(f"#{s}-hours-until-found", "9")
        check_axe(hv, "public reporting page with the SUDI/SUDC form")
        hv.click("button.button:has-text('Send reporting form')")
        # the conditional question: asked because the child was found where put down to sleep
        hv.wait_for_selector(".error-summary")
        links = {a.get_attribute("href") for a in hv.locator(".error-summary a").all()}
        assert links == {f"#{s}-position-put-down"}, links
        check_axe(hv, "public reporting page with the conditional question missing")
        shot(hv, "cdr-j-04-public-conditional-error")
        hv.check(f"#{s}-position-put-down")  # on the back
        hv.click("button.button:has-text('Send reporting form')")
        hv.wait_for_url("**/forms/reporting/sent")
        shot(hv, "cdr-j-05-public-sent")
    finally:
        agency_ctx.close()

    pg.reload()
    row = pg.locator("[data-testid=reporting-forms-table] tr", has_text="Example Health Visiting")
    row.wait_for()
    assert "Returned" in row.inner_text()

    # ---- ready for the panel (the CDRM is recorded), scheduled on a panel made through the API
    when = dt.datetime.combine(TODAY + dt.timedelta(days=7), dt.time(10), dt.UTC)
    with api_client(live_server, "cdop_coordinator") as api:
        r = api.post("/meetings", json={"kind": "cdop_panel", "scheduled_for": when.isoformat(),
                                        "title": f"Panel {tag}", "member_ids": [chair.id]})
        assert r.status_code == 201, r.text
        meeting_id = r.json()["id"]
    open_action(pg, "Mark ready for the panel")
    submit_action(pg, "Mark ready for the panel")
    wait_status(pg, "Ready for panel")
    schedule_on_panel(pg, meeting_id)
    shot(pg, "cdr-j-06-scheduled")
    sign_out(pg)

    # ---- the chair records the analysis with factors and two actions
    sign_in(pg, base, chair)
    pg.goto(case_url)
    wait_status(pg, "Scheduled for panel")
    pg.get_by_role("button", name="Record the panel's analysis").click()
    pg.get_by_label("10. Sudden unexpected, unexplained death").check()
    pg.locator("#f-analysis-modifiable").check()  # yes
    for domain, idx in (("A", "-2"), ("B", "-3"), ("C", "-2"), ("D", "")):  # 1, 2, 1, 0
        pg.locator(f"#f-analysis-scores-{domain}{idx}").check()
    pg.get_by_role("button", name="Add a factor in domain B").click()
    pg.locator("#f-analysis-factors-0-factor").fill("Placed to sleep on the front")
    pg.locator("#f-analysis-factors-0-score-3").check()  # 2
    pg.locator("#f-analysis-factors-0-comment").fill("Against the safer sleep advice given.")
    pg.get_by_role("button", name="Add a factor in domain A").click()
    pg.locator("#f-analysis-factors-1-factor").fill("Born at 35 weeks")
    pg.locator("#f-analysis-factors-1-score-2").check()  # 1
    pg.get_by_label("The event that led to the death (optional)").fill("Found unresponsive in the cot in the morning.")
    pg.get_by_label("Learning", exact=True).fill("Safer sleep advice is to be repeated at every contact.")
    pg.get_by_role("button", name="Add an action").click()
    pg.locator("#f-analysis-actions-0-description").fill("Repeat safer sleep advice at every health visitor contact")
    pg.locator("#f-analysis-actions-0-owner_agency").fill("Example Health Visiting")
    fill_app_date(pg, "f-analysis-actions-0-due_on", DUE_1)
    pg.get_by_role("button", name="Add another action").click()
    pg.locator("#f-analysis-actions-1-description").fill("Add safer sleep to the housing officers' training")
    pg.locator("#f-analysis-actions-1-owner_agency").fill("Example Housing")
    fill_app_date(pg, "f-analysis-actions-1-due_on", DUE_2)
    pg.locator("#f-analysis-refer_to_case_review-2").check()  # no
    check_axe(pg, "analysis filled")
    shot(pg, "cdr-j-07-analysis")
    pg.get_by_role("button", name="Record the analysis").click()
    wait_status(pg, "Reviewed")
    assert pg.locator("[data-testid=ncmd-export]").count() == 0  # the chair does not export
    sign_out(pg)

    # ---- the coordinator completes one action and closes the review
    sign_in(pg, base, coordinator)
    pg.goto(case_url)
    wait_status(pg, "Reviewed")
    pg.locator("[data-testid=ncmd-export]").wait_for()  # offered once reviewed
    card = pg.locator("[data-testid=analysis-actions]")
    card.get_by_role("button", name="Mark complete (action 1)").click()
    pg.fill("#f-complete-evidence", "Advice added to the contact checklist (synthetic).")
    pg.locator("[data-testid=complete-form]").get_by_role("button", name="Mark complete", exact=True).click()
    wait_banner(pg, "Action 1 was marked complete.")
    open_action(pg, "Close the review")
    submit_action(pg, "Close the review")
    wait_status(pg, "Closed")

    # ---- the NCMD record, downloaded from the case page
    section = pg.locator("[data-testid=ncmd-export]")
    assert "no connection" in section.inner_text()
    check_axe(pg, "closed case with the NCMD section")
    shot(pg, "cdr-j-08-closed-ncmd")
    button = section.get_by_role("button", name="Download the NCMD record (JSON)")
    # the service failing (a 500, made in the browser): said in a GOV.UK error summary, nothing saved
    pg.route("**/api/v1/child-deaths/*/ncmd", lambda route: route.fulfill(
        status=500, content_type="application/problem+json", body=json.dumps({"status": 500, "title": "Internal error"})))
    button.click()
    failed = section.locator("[data-testid=error-summary]")
    failed.wait_for()
    assert "The NCMD record could not be downloaded. Sorry, there is a problem with the service" in failed.inner_text()
    pg.wait_for_function("() => document.title.startsWith('Error: ')")
    check_axe(pg, "case page with the download failed")
    _part(section, "cdr-j-08a-ncmd-failed")
    failed.locator("a").click()
    assert focused_id(pg) == "ncmd-download"
    pg.unroute("**/api/v1/child-deaths/*/ncmd")
    name, record = _download_json(pg, button.click)
    assert name == f"ncmd-{reference}.json"
    pg.locator(f"[data-testid=ncmd-downloaded]:has-text('{name}')").wait_for()
    assert section.locator("[data-testid=error-summary]").count() == 0
    assert not pg.title().startswith("Error: ")
    check_axe(pg, "case page after the download")
    _part(section, "cdr-j-08b-ncmd-downloaded")
    _validate(record)
    assert (record["schema"], record["version"]) == ("ecr-ncmd-export", 1)
    assert record["case"]["reference"] == reference and record["case"]["status"] == "closed"
    meetings = {m["kind"]: m for m in record["review_meetings"]}
    assert set(meetings) == {"jar", "cdrm"}, meetings
    assert meetings["jar"]["held_on"] == JAR_ON.isoformat()
    assert meetings["cdrm"]["held_on"] == CDRM_ON.isoformat()
    assert "Example Police" in meetings["jar"]["agencies"]
    assert meetings["cdrm"]["outcome"] == "Information agreed for the panel."
    (hv_form,) = [f for f in record["reporting_forms"] if f["agency"] == "Example Health Visiting"]
    assert hv_form["status"] == "submitted"
    sudi = next(f for f in hv_form["forms"] if f["form"] == "sudi_sudc")
    assert sudi["answers"]["found_asleep"] is True
    assert sudi["answers"]["position_put_down"] == "back"  # the conditional question
    assert sudi["answers"]["sleep_place"] == "cot" and sudi["answers"]["sleep_position"] == "front"
    assert sudi["answers"]["hours_until_found"] == 9
    assert "shared_with" not in sudi["answers"]  # not asked: no shared sleep surface
    assert set(sudi["not_known"]) >= {"room_temperature_celsius", "smoking_in_pregnancy"}, sudi["not_known"]
    analysis = record["analysis"]
    assert analysis["category"] == 10 and analysis["modifiable"] == "yes"
    assert sorted((f["domain"], f["factor"], f["score"]) for f in analysis["factors"]) == [
        ("A", "Born at 35 weeks", 1), ("B", "Placed to sleep on the front", 2)]
    actions = sorted((a["owner_agency"], a["status"], a["due_on"]) for a in analysis["actions"])
    assert actions == [("Example Health Visiting", "completed", DUE_1.isoformat()),
                       ("Example Housing", "open", DUE_2.isoformat())], actions
    assert analysis["event_leading_to_death"] == "Found unresponsive in the cot in the morning."

    # ---- the period's export from the reports page: a refused period, then this year so far
    pg.goto(f"{base}/app/reports")
    export = pg.locator("[data-testid=ncmd-export]")
    export.wait_for()
    assert pg.input_value("#f-ncmd_from") == "1" and pg.input_value("#f-ncmd_from-month") == "1"
    assert pg.input_value("#f-ncmd_from-year") == str(TODAY.year)
    assert pg.input_value("#f-ncmd_to-year") == str(TODAY.year) and pg.input_value("#f-ncmd_to") == str(TODAY.day)
    check_axe(pg, "reports page with the national data export")
    fill_app_date(pg, "f-ncmd_from", dt.date(TODAY.year - 2, 1, 1))  # more than 366 days: the API refuses
    export.get_by_role("button", name="Download the records (JSON)").click()
    summary = export.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert "The period is limited to 366 days" in summary.inner_text()
    assert "The period is limited to 366 days" in export.locator("#f-ncmd_from-error").inner_text()
    pg.wait_for_function("() => document.title.startsWith('Error: ')")
    check_axe(pg, "national data export with a refused period")
    shot(pg, "cdr-j-09-export-refused")
    summary.locator("a").first.click()
    assert focused_id(pg) == "f-ncmd_from"
    fill_app_date(pg, "f-ncmd_from", dt.date(TODAY.year, 1, 1))
    name, export_doc = _download_json(pg, lambda: export.get_by_role("button", name="Download the records (JSON)").click())
    assert name == f"ncmd-{TODAY.year}-01-01-to-{TODAY.isoformat()}.json"
    assert export_doc["schema"] == "ecr-ncmd-export" and export_doc["count"] == len(export_doc["records"])
    mine = [r for r in export_doc["records"] if r["case"]["reference"] == reference]
    assert len(mine) == 1
    for rec in export_doc["records"]:
        _validate(rec)
    n = export_doc["count"]
    wait_success = f"Downloaded {n} record{'' if n == 1 else 's'}"
    pg.locator("[data-testid=ncmd-success]", has_text=wait_success).wait_for()
    assert export.locator("[data-testid=error-summary]").count() == 0
    pg.wait_for_function("() => !document.title.startsWith('Error: ')")
    check_axe(pg, "national data export downloaded")
    _part(export, "cdr-j-10b-export-section")
    shot(pg, "cdr-j-10-export-downloaded")


def _reviewed_case(live_server: Any) -> dict[str, Any]:
    """A reviewed child death, set up through the API (the keyboard test is about the download)."""
    api = api_client(live_server, "cdop_coordinator")
    chair_api = api_client(live_server, "cdop_chair")
    r = api.post("/child-deaths", json={
        "notifier": {"name": "Dr Kim Example", "email": "kim.example@nhs.example", "agency": "Example Hospitals"},
        "child": {"first_name": "Ash", "last_name": f"Keys{uuid.uuid4().hex[:6]}", "date_of_birth": "2025-06-01"},
        "death": {"date": (TODAY - dt.timedelta(days=60)).isoformat(), "place": "home", "expected": False},
        "agencies": [],
    })
    assert r.status_code == 201, r.text
    case = r.json()

    def act(client: Any, action: str, **fields: Any) -> None:
        etag = api.get(f"/child-deaths/{case['id']}").headers["etag"]
        res = client.post(f"/child-deaths/{case['id']}/transitions", json={"action": action, **fields},
                          headers={"If-Match": etag})
        assert res.status_code == 200, res.text

    act(api, "start_information_gathering")
    act(api, "mark_ready_for_panel", cdrm_not_required_reason="Not needed for this synthetic case.")
    when = dt.datetime.combine(TODAY + dt.timedelta(days=7), dt.time(10), dt.UTC).isoformat()
    meeting = api.post("/meetings", json={"kind": "cdop_panel", "scheduled_for": when, "member_ids": []})
    assert meeting.status_code == 201, meeting.text
    act(api, "schedule_for_panel", meeting_id=meeting.json()["id"])
    act(chair_api, "record_analysis", category=9, modifiable="no",
        domain_scores={"A": 0, "B": 0, "C": 0, "D": 0}, learning="None (synthetic).", refer_to_case_review=False)
    return case


def test_the_case_page_download_with_the_keyboard_alone(live_server, page, shot) -> None:
    base, pg = live_server.url, page
    case = _reviewed_case(live_server)
    coordinator = make_user(live_server, "cdop_coordinator", name="Kit Keyboard")
    sign_in(pg, base, coordinator, keyboard=True)
    # DESIGN: a page's data in at most 3 API calls (the session aside); the record only on request
    calls: list[str] = []
    pg.on("request", lambda r: calls.append(r.url) if "/api/v1/" in r.url
          and not r.url.split("?")[0].endswith("/auth/session") else None)
    pg.goto(f"{base}/app/reports")
    pg.locator("[data-testid=ncmd-export]").wait_for()
    pg.wait_for_load_state("networkidle")
    assert len(calls) <= 3 and not any("ncmd" in c for c in calls), calls
    calls.clear()
    pg.goto(f"{base}/app/child-deaths/{case['id']}")
    wait_status(pg, "Reviewed")
    pg.locator("[data-testid=ncmd-export]").wait_for()
    pg.wait_for_load_state("networkidle")
    assert len(calls) <= 3 and not any("ncmd" in c for c in calls), calls
    check_axe(pg, "reviewed case with the NCMD section (keyboard)")
    tab_to_text(pg, "Download the NCMD record (JSON)", limit=250)
    assert focused_id(pg) == "ncmd-download"
    with pg.expect_download() as info:
        pg.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == f"ncmd-{case['reference']}.json"
    record = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    _validate(record)
    assert record["case"]["reference"] == case["reference"] and record["analysis"]["category"] == 9
    shot(pg, "cdr-j-11-keyboard-download")

    # the period's export, too: the default period (this year so far) holds the case
    pg.goto(f"{base}/app/reports")
    pg.locator("[data-testid=ncmd-export]").wait_for()
    tab_to_text(pg, "Download the records (JSON)", limit=300)
    with pg.expect_download() as info:
        pg.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == f"ncmd-{TODAY.year}-01-01-to-{TODAY.isoformat()}.json"
    doc = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert case["reference"] in [r["case"]["reference"] for r in doc["records"]]
    banner = pg.locator("[data-testid=ncmd-success]")
    banner.wait_for()
    assert pg.evaluate("document.activeElement && document.activeElement.dataset.testid") == "ncmd-success"
    check_axe(pg, "national data export downloaded (keyboard)")


def test_other_roles_are_not_offered_the_export(live_server, page) -> None:
    base, pg = live_server.url, page
    case = _reviewed_case(live_server)
    chair = make_user(live_server, "cdop_chair")
    sign_in(pg, base, chair)
    pg.goto(f"{base}/app/child-deaths/{case['id']}")
    wait_status(pg, "Reviewed")
    pg.locator("#history").wait_for()
    assert pg.locator("[data-testid=ncmd-export]").count() == 0
    pg.goto(f"{base}/app/reports")
    pg.locator("[data-testid=child-deaths-report]").wait_for()
    assert pg.locator("[data-testid=ncmd-export]").count() == 0
    assert pg.get_by_role("heading", name="National data export").count() == 0
