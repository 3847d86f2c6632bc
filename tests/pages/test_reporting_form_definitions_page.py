"""The public reporting page renders any form definition the request asked for (issue 20):
every question type, "Not known" on each, conditional questions without JavaScript (always on
the page, the hint saying when to answer), errors on the question, answers kept on error."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.outbox.models import OutboxMessage
from tests.cdop.helpers import API, notification, quick_user
from tests.pages.conftest import open_form, summary


def _link(client, db, session_factory, forms: list[str]) -> tuple[str, int, dict]:
    coordinator = quick_user(session_factory, "cdop_coordinator")
    case = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
    r = client.post(f"{API}/child-deaths/{case['id']}/reporting-forms", headers=coordinator.headers,
                    json={"agency": "Testshire Ambulance", "contact_email": "amb.cdop@example.org", "forms": forms})
    assert r.status_code == 201, r.text
    body = db.scalars(select(OutboxMessage.body).where(OutboxMessage.to_addr == "amb.cdop@example.org")).one()
    token = re.search(r"/(?:reporting-forms|forms/reporting)/([A-Za-z0-9._~-]+)", body).group(1)
    return f"/forms/reporting/{token}", case["id"], coordinator.headers


def test_a_supplementary_form_renders_and_is_accepted_without_javascript(client, db, session_factory) -> None:
    link, case_id, headers = _link(client, db, session_factory, ["sudi_sudc"])
    page = client.get(link)
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html.split("<form", 1)[1].split("</form>")[0]  # the form itself needs no script
    assert "Sleep environment" in html and "Position the child was found in" in html
    # question types: radios (choice, yes/no with Not known), checkboxes, date, number, textarea
    assert 'name="answers.sudi_sudc.sleep_position" type="radio" value="front"' in html
    assert 'name="answers.sudi_sudc.shared_sleep_surface" type="radio" value="__not_known"' in html
    assert 'name="answers.sudi_sudc.shared_with" type="checkbox" value="animal"' in html
    assert 'name="answers.sudi_sudc.last_seen_well_on.day"' in html
    assert 'name="answers.sudi_sudc.hours_until_found"' in html
    assert 'name="not_known.sudi_sudc.hours_until_found"' in html
    assert 'name="answers.sudi_sudc.recent_illness_detail"' in html and "<textarea" in html
    # a conditional question is on the page, saying when to answer it
    assert ("Answer only if you answered ‘Yes’ to ‘Was the child sharing a sleep surface with anyone?’."
            in html.replace("&#39;", "'"))
    assert "(optional)" in html  # safe_sleep_advice is optional

    csrf = open_form(client, link)["csrf_token"]
    data = {
        "csrf_token": csrf,
        "answers.sudi_sudc.found_asleep": "yes", "answers.sudi_sudc.sleep_place": "adult_bed",
        "answers.sudi_sudc.position_put_down": "side", "answers.sudi_sudc.sleep_position": "front",
        "answers.sudi_sudc.shared_sleep_surface": "yes",
        "answers.sudi_sudc.loose_bedding": "yes", "answers.sudi_sudc.smoking_in_household": "__not_known",
        "answers.sudi_sudc.smoking_in_pregnancy": "no", "answers.sudi_sudc.feeding": "mixed",
        "answers.sudi_sudc.recent_illness": "no",
        "answers.sudi_sudc.last_seen_well_on.day": "31", "answers.sudi_sudc.last_seen_well_on.month": "5",
        "answers.sudi_sudc.last_seen_well_on.year": "2026",
        "answers.sudi_sudc.hours_until_found": "7", "answers.sudi_sudc.room_temperature_celsius": "21.5",
        "answers.sudi_sudc.recent_illness_detail": "A cold.",  # its condition (unwell: yes) does not hold
    }
    r = client.post(link, data=data)
    assert r.status_code == 422
    errors = dict(summary(r.text))
    # shared: yes -> who with and alcohol or drugs are required; the illness detail is refused
    assert errors["#answers-sudi-sudc-shared-with"] == (
        "Select an answer to ‘Who was the child sharing the sleep surface with?’, or ‘Not known’")
    assert "#answers-sudi-sudc-adult-alcohol-or-drugs" in errors
    assert errors["#answers-sudi-sudc-recent-illness-detail"].startswith(
        "Leave ‘Describe the illness and any care sought’ empty: answer it only if you answered ‘Yes’")
    assert 'id="answers-sudi-sudc-shared-with"' in r.text and 'href="#answers-sudi-sudc-shared-with"' in r.text
    # what was sent is kept on the page
    assert 'value="adult_bed" checked' in r.text and 'value="21.5"' in r.text and "A cold.</textarea>" in r.text

    data.pop("answers.sudi_sudc.recent_illness_detail")
    data.update({"answers.sudi_sudc.shared_with": ["parent", "child"],
                 "answers.sudi_sudc.adult_alcohol_or_drugs": "__not_known"})
    r = client.post(link, data=data, follow_redirects=False)
    assert r.status_code == 303, dict(summary(r.text))
    (form,) = [f for f in client.get(f"{API}/child-deaths/{case_id}/reporting-forms", headers=headers).json()
               if f["agency"] == "Testshire Ambulance"]
    assert form["status"] == "submitted"
    sudi = form["answers"]["sudi_sudc"]
    assert sudi["found_asleep"] is True and sudi["smoking_in_pregnancy"] is False
    assert sudi["shared_with"] == ["parent", "child"] and sudi["last_seen_well_on"] == "2026-05-31"
    assert sudi["hours_until_found"] == 7 and sudi["room_temperature_celsius"] == 21.5
    assert "recent_illness_detail" not in sudi and "shared_with" in sudi
    assert sorted(form["not_known"]) == ["sudi_sudc.adult_alcohol_or_drugs", "sudi_sudc.smoking_in_household"]


def test_bad_types_on_the_page_are_errors_on_the_question(client, db, session_factory) -> None:
    link, _, _ = _link(client, db, session_factory, ["reporting_form", "road_traffic_collision"])
    page = client.get(link).text
    assert 'id="form-road-traffic-collision"' in page and "Reporting form" in page
    csrf = open_form(client, link)["csrf_token"]
    r = client.post(link, data={"csrf_token": csrf, "answers.road_traffic_collision.speed_limit_mph": "fast",
                                "answers.health": "Known.", "not_known.health": "true"})
    assert r.status_code == 422
    errors = dict(summary(r.text))
    assert errors["#answers-road-traffic-collision-speed-limit-mph"] == "‘Speed limit of the road (mph)’: enter a number"
    assert errors["#answers-health"] == "Either give information about health or tick ‘Not known’, not both"
    assert errors["#answers-road-traffic-collision-child-role"] == (
        "Select an answer to ‘How was the child travelling?’, or ‘Not known’")
    assert 'value="fast"' in r.text
