"""Deadline arithmetic across England bank holidays (checked against `holidays` directly),
and which transitions open and meet which deadlines."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from sqlalchemy import select

from core.deadlines.models import Deadline
from ecr.config import CaseReviewSettings
from ecr.schemas import StaffNotificationIn
from tests.ecr.conftest import body, make_case


def working_days_after(start: dt.date, n: int) -> dt.date:
    """An independent count: weekdays that are not England bank holidays."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, start.year + 2))
    day = start
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            n -= 1
    return day


@pytest.mark.usefixtures("wt2015_default")
@pytest.mark.parametrize(("received", "screening_due", "decision_due"), [
    # Christmas: 25, 28 (Boxing Day substitute) December and 1 January are holidays
    (dt.date(2026, 12, 21), dt.date(2027, 1, 7), dt.date(2027, 1, 21)),
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March
    (dt.date(2027, 3, 24), dt.date(2027, 4, 9), dt.date(2027, 4, 24)),
    # a month from 31 January ends on the last day of February
    (dt.date(2027, 1, 31), dt.date(2027, 2, 12), dt.date(2027, 2, 28)),
])
def test_deadlines_opened_on_receipt(db, received, screening_due, decision_due) -> None:
    from ecr import service

    bank = holidays.country_holidays("GB", subdiv="ENG", years=[2026, 2027])
    assert dt.date(2026, 12, 25) in bank and dt.date(2026, 12, 28) in bank
    assert dt.date(2027, 3, 26) in bank and dt.date(2027, 3, 29) in bank
    assert working_days_after(received, 10) == screening_due
    data = body(incident__date="2026-01-01")
    case, _ = service.create_notification(
        db, StaffNotificationIn.model_validate(data), source="staff", actor="test",
        actor_name="Test", received_on=received, with_token=False)
    db.flush()
    due = {d.kind: d.due_on for d in db.execute(
        select(Deadline).where(Deadline.subject_type == "case_review", Deadline.subject_id == case.id)
    ).scalars()}
    assert due == {"screening": screening_due, "decision": decision_due}


@pytest.mark.usefixtures("wt2015_default")
def test_deadlines_over_http_across_christmas_and_easter(client, users) -> None:
    bu = users["business_unit"]
    cases = {}
    for received in ("2025-12-19", "2026-03-30"):
        r = client.post("/api/v1/case-reviews", headers=bu.headers,
                        json=body(received_on=received, incident__date="2025-12-01"))
        assert r.status_code == 201, r.text
        cases[received] = {d["kind"]: d["due_on"] for d in r.json()["deadlines"]}
    # 2025-12-19 (Fri): 25, 26 December and 1 January are holidays
    assert cases["2025-12-19"]["screening"] == "2026-01-07"
    assert working_days_after(dt.date(2025, 12, 19), 10) == dt.date(2026, 1, 7)
    assert cases["2025-12-19"]["decision"] == "2026-01-19"
    # 2026-03-30 (Mon): Good Friday 3 April and Easter Monday 6 April
    assert cases["2026-03-30"]["screening"] == "2026-04-15"
    assert working_days_after(dt.date(2026, 3, 30), 10) == dt.date(2026, 4, 15)


def test_lengths_are_configurable(monkeypatch) -> None:
    from ecr.workflow import wt2015_rules

    monkeypatch.setenv("ECR_CASE_REVIEW_SCREENING_WORKING_DAYS", "5")
    rules = wt2015_rules(CaseReviewSettings())
    assert rules["screening"].amount == 5
    assert rules["screening"].due(dt.date(2026, 12, 21)) == working_days_after(dt.date(2026, 12, 21), 5)


def test_screening_met_at_the_groups_recommendation_and_decision_when_decided(client, db, users) -> None:
    """DOMAIN.md: "screening to CRG recommendation: 10 working days from receipt": referral to
    the group does not meet it, the group's recommendation does."""
    case = make_case(db, "screening", received_on=dt.date.today() - dt.timedelta(days=60))
    bu, chair = users["business_unit"], users["crg_chair"]
    url = f"/api/v1/case-reviews/{case.id}/transitions"
    overdue = client.get("/api/v1/case-reviews", params={"overdue": "true"}, headers=bu.headers).json()
    assert case.id in [c["id"] for c in overdue["items"]]
    r = client.post(url, json={"action": "refer_to_group"}, headers={**bu.headers, "If-Match": "*"})
    assert sorted(d["kind"] for d in r.json()["deadlines"]) == ["decision", "screening"]
    r = client.post(url, json={"action": "refer_to_other_la", "rationale": "The child lives elsewhere now.",
                               "other_la": "Exampleshire"}, headers={**chair.headers, "If-Match": "*"})
    assert r.json()["deadlines"] == [] and r.json()["overdue"] is False
    rows = {d.kind: d for d in db.execute(
        select(Deadline).where(Deadline.subject_type == "case_review", Deadline.subject_id == case.id)
    ).scalars()}
    assert rows["screening"].outcome == "met_late" and rows["decision"].outcome == "met_late"
    overdue = client.get("/api/v1/case-reviews", params={"overdue": "true"}, headers=bu.headers).json()
    assert case.id not in [c["id"] for c in overdue["items"]]


def test_scr_completion_met_at_approval(client, db, users) -> None:
    case = make_case(db, "scr_recommended")
    ic = users["independent_chair"]
    url = f"/api/v1/case-reviews/{case.id}/transitions"
    r = client.post(url, json={"action": "endorse_scr", "rationale": "An SCR is needed here."},
                    headers={**ic.headers, "If-Match": "*"})
    assert [d["kind"] for d in r.json()["deadlines"]] == ["scr_completion"]
    client.post(url, json={"action": "submit_report"},
                headers={**users["business_unit"].headers, "If-Match": "*"})
    r = client.post(url, json={"action": "approve_report"}, headers={**ic.headers, "If-Match": "*"})
    assert r.status_code == 200
    assert r.json()["deadlines"] == []
    met = db.execute(select(Deadline).where(Deadline.subject_id == case.id,
                                            Deadline.kind == "scr_completion")).scalar_one()
    assert met.met_at is not None
