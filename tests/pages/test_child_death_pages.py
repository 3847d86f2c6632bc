"""The child death notification page and the reporting form opened from its emailed link."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.outbox.models import OutboxMessage
from tests.pages.conftest import CHILD_DEATH_FORM, open_form, summary, title

FORM = "/notify/child-death"


def reference_in(page: str) -> str:
    return re.search(r'id="reference">([^<]+)<', page).group(1).strip()


def send(client, data, **kw):
    return client.post(FORM, data={**open_form(client, FORM), **data}, **kw)


def test_child_death_sent_through_the_page_is_stored_intact(client, make_user) -> None:
    r = send(client, CHILD_DEATH_FORM, follow_redirects=True)
    assert r.status_code == 200, r.text
    reference = reference_in(r.text)
    assert reference.startswith("CD-")
    coordinator = make_user("cdop_coordinator")
    items = client.get("/api/v1/child-deaths", params={"q": reference}, headers=coordinator.headers).json()["items"]
    case = client.get(f"/api/v1/child-deaths/{items[0]['id']}", headers=coordinator.headers).json()
    assert case["reference"] == reference and case["status"] == "notified"
    child, death, notifier = case["child"], case["death"], case["notifier"]
    assert (child["first_name"], child["last_name"], child["date_of_birth"], child["sex"]) == (
        "Jamie", "Lee", "2020-01-12", "male")
    assert child["nhs_number"] == "9434765919"
    assert (child["ethnicity"], child["address"], child["local_authority"]) == (
        "Mixed", "2 Example Road\nExampletown", "Example Borough")
    assert (death["date"], death["time"], death["place"], death["place_detail"]) == (
        "2025-03-03", "14:30", "hospital", "Example General Hospital")
    assert death["expected"] is False and death["jar_triggered"] is True and death["coroner_involved"] is None
    assert (notifier["name"], notifier["email"], notifier["agency"], notifier["role"], notifier["phone"]) == (
        "Dr Alex Morgan", "alex.morgan@nhs.example", "Example Hospitals NHS Trust",
        "Consultant paediatrician", "0118 496 0000")
    # the blank middle row is dropped
    assert [(a["name"], a["contact_email"]) for a in case["agencies"]] == [
        ("Example GP Practice", "gp.practice@nhs.example"), ("Example Primary School", None)]


def test_child_death_errors(client) -> None:
    r = send(client, {**CHILD_DEATH_FORM, "child.nhs_number": "123", "death.time": "25:00",
                      "death.place": "", "agencies.2.contact_email": "not-an-email",
                      "death.date.year": "2019"})
    assert r.status_code == 422
    assert title(r.text).startswith("Error: ")
    items = dict(summary(r.text))
    assert items["#child-nhs-number"].startswith("An NHS number is 10 digits")
    assert items["#death-time"] == "Enter the time of death as a time on the 24-hour clock, like 14:30"
    assert items["#death-place"] == "Select where the child died"
    # the blank row was dropped, so the third row is now the second
    assert items["#agencies-1-contact-email"] == "Enter an email address in the correct format, like name@example.com"
    assert 'value="not-an-email"' in r.text
    # service check (after the schema passed) shows on its field
    r = send(client, {**CHILD_DEATH_FORM, "death.date.year": "2019"})
    assert r.status_code == 422
    assert dict(summary(r.text))["#death-date-day"] == "The date of death is before the date of birth"


def test_add_another_agency_keeps_answers_without_errors(client) -> None:
    r = send(client, {**CHILD_DEATH_FORM, "notifier.email": "", "add_row": "agencies"})
    assert r.status_code == 200
    assert not summary(r.text)
    assert 'id="agencies-3-name"' in r.text  # 2 kept rows + the new blank rows
    assert 'value="Example Primary School"' in r.text


def _request_form(client, make_user) -> tuple[str, str, int]:
    r = send(client, CHILD_DEATH_FORM, follow_redirects=True)
    reference = reference_in(r.text)
    coordinator = make_user("cdop_coordinator")
    case_id = client.get("/api/v1/child-deaths", params={"q": reference},
                         headers=coordinator.headers).json()["items"][0]["id"]
    r = client.post(f"/api/v1/child-deaths/{case_id}/reporting-forms", headers=coordinator.headers,
                    json={"agency": "Example GP Practice", "contact_email": "gp.practice@nhs.example"})
    assert r.status_code == 201, r.text
    return reference, coordinator.headers["Authorization"], case_id


def _link_token(db) -> str:
    body = db.scalars(select(OutboxMessage.body).where(OutboxMessage.to_addr == "gp.practice@nhs.example")
                      .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"/(?:reporting-forms|forms/reporting)/([A-Za-z0-9._~-]+)", body).group(1)


def test_reporting_form_from_the_link_submits_once(client, make_user, db) -> None:
    reference, auth, case_id = _request_form(client, make_user)
    link = f"/forms/reporting/{_link_token(db)}"
    page = client.get(link)
    assert page.status_code == 200
    assert reference in page.text and "Example GP Practice" in page.text
    assert "Jamie" not in page.text and "Lee" not in page.text
    csrf = open_form(client, link)["csrf_token"]

    r = client.post(link, data={"csrf_token": csrf, "answers.health": "Asthma.", "not_known.health": "true"})
    assert r.status_code == 422
    items = dict(summary(r.text))
    assert items["#answers-health"] == "Either give information about health or tick ‘Not known’, not both"
    assert items["#answers-agency-involvement"] == (
        "Give information about agency involvement, or tick ‘Not known’")
    assert 'Asthma.</textarea>' in r.text

    data = {"csrf_token": csrf, "answers.agency_involvement": "Seen four times in 2024.",
            "answers.health": "Asthma, well controlled."}
    for key in ("family_and_environment", "parenting_capacity", "service_provision", "other_information"):
        data[f"not_known.{key}"] = "true"
    r = client.post(link, data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/forms/reporting/sent"
    sent = client.get("/forms/reporting/sent")
    assert reference in sent.text and "Reporting form sent" in sent.text

    forms = client.get(f"/api/v1/child-deaths/{case_id}/reporting-forms", headers={"Authorization": auth}).json()
    submitted = [f for f in forms if f["agency"] == "Example GP Practice"][0]
    assert submitted["status"] == "submitted"
    assert submitted["answers"] == {"agency_involvement": "Seen four times in 2024.",
                                    "health": "Asthma, well controlled."}
    assert sorted(submitted["not_known"]) == ["family_and_environment", "other_information",
                                              "parenting_capacity", "service_provision"]

    # used: a friendly 404 page for the link, both to open and to send again
    again = client.get(link)
    assert again.status_code == 404 and "Page not found" in again.text
    assert "may already have been used" in again.text
    assert client.post(link, data=data).status_code == 404


def test_altered_or_garbage_link_is_a_404_page(client) -> None:
    r = client.get("/forms/reporting/not-a-real-token-at-all")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    r = client.get("/forms/reporting/short")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
