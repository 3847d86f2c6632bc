"""The case review notification page and the status page, through the app (no browser)."""

from __future__ import annotations

from sqlalchemy import func, select

from ecr.models import CaseReview
from tests.pages.conftest import CASE_REVIEW_FORM, open_form, summary, title

FORM = "/notify/case-review"


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(CaseReview))


def send(client, data: dict, **kw):
    return client.post(FORM, data={**open_form(client, FORM), **data}, **kw)


def test_form_page_is_accessible_html(client) -> None:
    r = client.get(FORM)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<html lang="en-GB">' in page
    assert 'href="#main-content" class="skip-link"' in page
    assert title(page).startswith("Notify a serious incident – ")
    assert "<script>" not in page and "style=" not in page  # CSP: no inline scripts or styles
    assert 'autocomplete="email"' in page and 'autocomplete="name"' in page
    assert '<label class="label" for="notifier-email">Email address</label>' in page
    assert '<legend class="fieldset__legend fieldset__legend--s">Date of the incident</legend>' in page
    assert 'id="incident-date-day" name="incident.date.day"' in page
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "form-action 'self'" in csp
    cookie = r.headers["set-cookie"]
    assert "ecr_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    # the board's settings on every page
    assert "Example Safeguarding Children Partnership" in page
    assert 'href="/notify/privacy"' in page
    assert "mailto:business.unit@safeguarding.example" in page


def test_errors_summary_messages_and_kept_values(client, db) -> None:
    before = count(db)
    r = send(client, {"notifier.name": '"><script>alert(1)</script>', "notifier.email": "nope",
                      "incident.date.day": "30", "incident.date.month": "2", "incident.date.year": "2024",
                      "child.date_of_birth.day": "4", "rationale": "because",
                      "agencies_involved": "Police\nSchool"})
    assert r.status_code == 422
    page = r.text
    assert title(page).startswith("Error: Notify a serious incident")
    items = dict(summary(page))
    assert items["#notifier-email"] == "Enter an email address in the correct format, like name@example.com"
    assert items["#notifier-agency"] == "Enter the name of your organisation"
    assert items["#child-first-name"] == "Enter the child’s first name"
    assert items["#child-last-name"] == "Enter the child’s last name"
    assert items["#child-date-of-birth-day"] == "Date of birth must include a month and a year"
    assert items["#incident-date-day"] == "Date of the incident must be a real date"
    assert items["#incident-type"] == "Select the outcome for the child"
    assert items["#abuse-or-neglect-suspected"] == "Select whether abuse or neglect is known or suspected"
    assert "at least three" in items["#rationale"]
    assert "#notifier-name" not in items
    # the summary is in the order of the form
    assert [h for h, _ in summary(page)][:3] == ["#notifier-email", "#notifier-agency", "#child-first-name"]
    # each message beside its field, linked for screen readers
    assert ('<p id="notifier-email-error" class="error-message"><span class="visually-hidden">Error:</span> '
            "Enter an email address in the correct format, like name@example.com</p>") in page
    assert 'aria-describedby="notifier-email-hint notifier-email-error"' in page
    # entered values kept, and escaped
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script>alert(1)" not in page
    assert 'value="nope"' in page and 'name="incident.date.day" type="text" inputmode="numeric" value="30"' in page
    assert "Police\nSchool</textarea>" in page
    assert count(db) == before


def test_service_refusal_maps_to_the_field(client) -> None:
    # the service (not the schema) refuses a birth after the incident: the same 422 as the API
    r = send(client, {**CASE_REVIEW_FORM, "child.date_of_birth.year": "2025", "child.date_of_birth.month": "6"})
    assert r.status_code == 422
    assert dict(summary(r.text))["#child-date-of-birth-day"] == (
        "Date of birth must be on or before the date of the incident")
    api = client.post("/api/v1/public/case-review-notifications", json={
        "notifier": {"name": "A", "email": "a@council.example", "agency": "B"},
        "child": {"first_name": "C", "last_name": "D", "date_of_birth": "2025-06-04"},
        "incident": {"date": "2025-03-02", "type": "other", "description": "E"},
        "rationale": "agencies did not share information", "abuse_or_neglect_suspected": True,
    })
    assert api.status_code == 422
    assert api.json()["errors"][0]["loc"] == ["body", "child", "date_of_birth"]


def test_notification_sent_through_the_page_is_seen_by_the_business_unit(client, make_user, db) -> None:
    r = send(client, CASE_REVIEW_FORM, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/notify/case-review/confirmation"
    assert "Path=/notify/case-review/confirmation" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"]
    page = client.get(r.headers["location"]).text
    reference = hidden_text(page, "reference")
    token = hidden_text(page, "status-token")
    assert reference.startswith("CR-") and len(token) > 20
    assert "Keep this status token safe" in page
    assert f'href="/notify/status?reference={reference}"' in page

    bu = make_user("business_unit")
    items = client.get("/api/v1/case-reviews", params={"q": reference}, headers=bu.headers).json()["items"]
    assert len(items) == 1
    case = client.get(f"/api/v1/case-reviews/{items[0]['id']}", headers=bu.headers).json()
    assert case["reference"] == reference
    assert case["status"] == "received" and case["source"] == "public"
    assert case["notifier"] == {"name": "Pat Example", "email": "pat.example@council.example",
                                "agency": "Example Borough Council", "role": "Senior social worker",
                                "phone": "01632 960 001"}
    assert case["child"] == {"first_name": "Sam", "last_name": "Taylor", "date_of_birth": "2015-06-04",
                             "sex": "female", "ethnicity": "White British",
                             "address": "1 Example Street\nExampletown\nEX1 1EX",
                             "local_authority": "Example Borough"}
    assert case["incident"] == {"date": "2025-03-02", "type": "serious_harm",
                                "description": "Sam was admitted to hospital with injuries.\nThe police were called."}
    assert case["rationale"] == "Several agencies knew of concerns and did not share them."
    assert case["abuse_or_neglect_suspected"] is True
    assert case["agencies_involved"] == ["Police", "Example Primary School", "Health visiting"]

    # the status page with the token from the confirmation page
    status = client.post("/notify/status", data={**open_form(client, "/notify/status"),
                                                 "reference": reference.lower(), "status_token": token})
    assert status.status_code == 200
    assert 'id="stage">Received<' in status.text
    assert token not in status.text


def hidden_text(page: str, element_id: str) -> str:
    import html
    import re

    return html.unescape(re.search(rf'id="{element_id}">([^<]+)<', page).group(1)).strip()


def test_double_submission_creates_one_notification(client, db) -> None:
    fields = open_form(client, FORM)
    before = count(db)
    first = client.post(FORM, data={**fields, **CASE_REVIEW_FORM}, follow_redirects=True)
    second = client.post(FORM, data={**fields, **CASE_REVIEW_FORM}, follow_redirects=True)
    assert hidden_text(first.text, "reference") == hidden_text(second.text, "reference")
    assert count(db) == before + 1
    # the same page sent again with other answers is a new notification
    third = client.post(FORM, data={**fields, **CASE_REVIEW_FORM, "child.first_name": "Other"},
                        follow_redirects=True)
    assert hidden_text(third.text, "reference") != hidden_text(first.text, "reference")
    assert count(db) == before + 2


def test_confirmation_without_a_receipt_goes_back_to_the_form(client) -> None:
    r = client.get("/notify/case-review/confirmation", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == FORM


def test_status_lookup_wrong_token_and_prefill(client) -> None:
    r = client.get("/notify/status", params={"reference": "CR-2025-0001"})
    assert 'name="reference" type="text" value="CR-2025-0001"' in r.text
    assert 'method="post"' in r.text
    r = client.post("/notify/status", data={**open_form(client, "/notify/status"),
                                            "reference": "CR-2025-0001", "status_token": "secret-guess"})
    assert r.status_code == 422
    assert title(r.text).startswith("Error: ")
    assert dict(summary(r.text))["#status-token"].startswith("We could not find a notification")
    assert "secret-guess" not in r.text  # a token is never echoed back
    r = client.post("/notify/status", data={**open_form(client, "/notify/status")})
    assert dict(summary(r.text)) == {"#reference": "Enter the reference", "#status-token": "Enter the status token"}
