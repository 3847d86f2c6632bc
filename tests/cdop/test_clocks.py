"""The clocks of the 2018 child death review guidance (API.md "Child death review under the
2018 statutory guidance"; cdop.clocks): notification within 1 day of the death (calendar days:
weekends and bank holidays do not extend it), a child death review meeting within 3 months,
the panel within 6 months plus the time on hold, a hold overdue once its expected date passes
until it is reviewed (the coordinator emailed once). Each met, late, missed or waived; the
overdue list and the summary count them.

The clock is fixed for the whole service (``cdop.config``, the workflow engine and the
deadline service), so dates are the test's, not the day it runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from cdop import config, service
from cdop.config import ChildDeathSettings
from cdop.models import ChildDeathHold
from core.deadlines import open_new_deadlines, DeadlineRule
from core.deadlines import service as deadline_service
from core.deadlines.models import Deadline
from core.outbox.models import OutboxMessage
from core.workflow import engine
from tests.cdop.helpers import API, make_case, notification, quick_user, transition


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(10, 0), dt.UTC)

    def today(self) -> dt.date:
        return self.day


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(dt.date(2026, 6, 2))
    monkeypatch.setattr(config, "today", c.today)
    monkeypatch.setattr(config, "now", c.now)
    monkeypatch.setattr(deadline_service, "utcnow", c.now)
    monkeypatch.setattr(engine, "utcnow", c.now)
    return c


def _notify(client, coordinator, died: str, received: str | None = None, **overrides: Any) -> dict[str, Any]:
    body = notification(death={"date": died}, **overrides)
    if received:
        body["received_on"] = received
    r = client.post(f"{API}/child-deaths", json=body, headers=coordinator.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _clocks(client, case_id: int, user) -> dict[str, dict[str, Any]]:
    r = client.get(f"{API}/child-deaths/{case_id}", headers=user.headers)
    assert r.status_code == 200, r.text
    # by due date: the last of a kind is its current one (a hold reviewed has met ones before it)
    return {c["kind"]: c for c in r.json()["clocks"]}


def _overdue_ids(client, user) -> list[int]:
    r = client.get(f"{API}/child-deaths?overdue=true", headers=user.headers)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def _overdue_counts(client, user) -> dict[str, int]:
    r = client.get(f"{API}/child-deaths/outstanding/summary", headers=user.headers)
    assert r.status_code == 200, r.text
    return {c["kind"]: c["count"] for c in r.json()["overdue_clocks"]}


def _ok(r):
    assert r.status_code == 200, r.text
    return r.json()


# ---- intake ----


def test_intake_opens_the_three_clocks_from_the_death(client, clock, coordinator) -> None:
    clock.day = dt.date(2026, 6, 2)
    case = _notify(client, coordinator, "2026-06-01")
    clocks = {c["kind"]: c for c in case["clocks"]}
    assert set(clocks) == {"cdop_notification", "cdop_cdrm", "cdop_panel"}
    n = clocks["cdop_notification"]
    assert (n["start_on"], n["due_on"], n["outcome"], n["overdue"], n["closed_on"]) == (
        "2026-06-01", "2026-06-02", "met_on_time", False, "2026-06-02")
    assert n["label"] == "Death notified within 1 day"
    assert (clocks["cdop_cdrm"]["due_on"], clocks["cdop_cdrm"]["outcome"]) == ("2026-09-01", None)
    assert "3 months" in clocks["cdop_cdrm"]["label"]
    assert (clocks["cdop_panel"]["due_on"], clocks["cdop_panel"]["outcome"]) == ("2026-12-01", None)
    assert "6 months" in clocks["cdop_panel"]["label"]


@pytest.mark.parametrize("died, received, outcome", [
    ("2026-06-05", "2026-06-05", "met_on_time"),   # the same day
    ("2026-06-05", "2026-06-06", "met_on_time"),   # Friday's death notified on the Saturday
    ("2026-06-05", "2026-06-08", "met_late"),      # ... on the Monday: the weekend does not extend it
    ("2026-08-30", "2026-08-31", "met_on_time"),   # Sunday's death notified on the bank holiday Monday
    ("2026-08-28", "2026-09-01", "met_late"),      # Friday's death notified on the Tuesday after the bank
                                                   # holiday (1 working day would have made that on time)
])
def test_notification_is_calendar_days_across_weekends_and_bank_holidays(client, clock, coordinator, died,
                                                                         received, outcome) -> None:
    clock.day = dt.date(2026, 9, 10)
    case = _notify(client, coordinator, died, received)
    n = _clocks(client, case["id"], coordinator)["cdop_notification"]
    assert n["due_on"] == (dt.date.fromisoformat(died) + dt.timedelta(days=1)).isoformat()
    assert (n["outcome"], n["closed_on"]) == (outcome, received)


def test_a_public_notification_two_days_after_the_death_is_late(client, clock, coordinator) -> None:
    clock.day = dt.date(2026, 6, 3)
    body = notification(death={"date": "2026-06-01"})
    r = client.post(f"{API}/public/child-death-notifications", json=body)
    assert r.status_code == 201, r.text
    listed = client.get(f"{API}/child-deaths?q={r.json()['reference']}", headers=coordinator.headers).json()["items"]
    n = _clocks(client, listed[0]["id"], coordinator)["cdop_notification"]
    assert (n["due_on"], n["outcome"]) == ("2026-06-02", "met_late")


# ---- the child death review meeting ----


def _cdrm(client, case_id, user, held_on: str):
    r = client.post(f"{API}/child-deaths/{case_id}/review-meetings", headers=user.headers,
                    json={"kind": "cdrm", "held_on": held_on, "agencies": ["Testshire Hospital"],
                          "outcome": "Information agreed for the panel."})
    assert r.status_code == 201, r.text


def test_cdrm_clock_met_on_the_day_held_on_time_or_late_and_overdue_until_then(client, clock, coordinator) -> None:
    clock.day = dt.date(2026, 9, 10)
    on_time = _notify(client, coordinator, "2026-06-01", "2026-06-01")
    late = _notify(client, coordinator, "2026-06-01", "2026-06-01", child={"last_name": "Charlie"})
    # both are past the CDRM's due date (1 September) with none held
    assert {on_time["id"], late["id"]} <= set(_overdue_ids(client, coordinator))
    assert _overdue_counts(client, coordinator)["cdop_cdrm"] == 2
    assert _clocks(client, late["id"], coordinator)["cdop_cdrm"]["overdue"] is True

    _cdrm(client, on_time["id"], coordinator, "2026-08-31")  # recorded late, held in time
    _cdrm(client, late["id"], coordinator, "2026-09-05")
    a = _clocks(client, on_time["id"], coordinator)["cdop_cdrm"]
    b = _clocks(client, late["id"], coordinator)["cdop_cdrm"]
    assert (a["outcome"], a["closed_on"], a["overdue"]) == ("met_on_time", "2026-08-31", False)
    assert (b["outcome"], b["closed_on"], b["overdue"]) == ("met_late", "2026-09-05", False)
    assert not {on_time["id"], late["id"]} & set(_overdue_ids(client, coordinator))
    assert "cdop_cdrm" not in _overdue_counts(client, coordinator)
    # a second CDRM changes nothing
    _cdrm(client, on_time["id"], coordinator, "2026-09-09")
    assert _clocks(client, on_time["id"], coordinator)["cdop_cdrm"]["closed_on"] == "2026-08-31"


def test_cdrm_clock_waived_with_the_reason_none_is_needed(client, clock, coordinator) -> None:
    clock.day = dt.date(2026, 6, 20)
    case = _notify(client, coordinator, "2026-06-01", "2026-06-01", agencies=[])
    _ok(transition(client, case["id"], coordinator, "start_information_gathering"))
    _ok(transition(client, case["id"], coordinator, "mark_ready_for_panel",
                   cdrm_not_required_reason="Expected death; reviewed by the palliative care team."))
    c = _clocks(client, case["id"], coordinator)
    assert c["cdop_cdrm"]["outcome"] == "waived"
    assert "palliative care team" in c["cdop_cdrm"]["waived_reason"]
    assert c["cdop_panel"]["outcome"] is None  # still owed


@pytest.mark.parametrize("action, fields, reason", [
    ("withdraw", {"reason": "Notified in error"}, "withdrawn"),
    ("transfer_out", {"home_area": "Otherborough"}, "transferred"),
])
def test_withdraw_and_transfer_waive_the_review_clocks(client, clock, coordinator, action, fields, reason) -> None:
    clock.day = dt.date(2026, 6, 2)
    case = _notify(client, coordinator, "2026-06-01", agencies=[])
    _ok(transition(client, case["id"], coordinator, action, **fields))
    c = _clocks(client, case["id"], coordinator)
    assert c["cdop_notification"]["outcome"] == "met_on_time"  # done, stays done
    for kind in ("cdop_cdrm", "cdop_panel"):
        assert c[kind]["outcome"] == "waived" and reason in c[kind]["waived_reason"], c[kind]
    clock.day = dt.date(2027, 6, 2)  # long after every due date: none of these is overdue
    rows = [c for c in _clocks(client, case["id"], coordinator).values() if c["kind"].startswith("cdop_")]
    assert not any(c["overdue"] for c in rows)


def test_close_gives_a_clock_still_open_the_outcome_missed(client, db, clock, coordinator) -> None:
    clock.day = dt.date(2026, 12, 1)
    case = make_case(db, status="reviewed", date_of_death=dt.date(2026, 6, 1))
    open_new_deadlines(db, "child_death", case.id,
                       [DeadlineRule("cdop_cdrm", "Child death review meeting within 3 months of the death", 3,
                                     "months")], dt.date(2026, 6, 1))
    db.commit()
    assert case.id in _overdue_ids(client, coordinator)
    _ok(transition(client, case.id, coordinator, "close"))
    c = _clocks(client, case.id, coordinator)["cdop_cdrm"]
    assert (c["outcome"], c["overdue"]) == ("missed", False)
    assert case.id not in _overdue_ids(client, coordinator)


# ---- the panel clock, holds ----


def test_panel_clock_met_when_the_analysis_is_recorded(client, clock, coordinator, chair) -> None:
    clock.day = dt.date(2026, 7, 1)
    case = _notify(client, coordinator, "2026-06-01", "2026-06-01", agencies=[])
    cid = case["id"]
    _ok(transition(client, cid, coordinator, "start_information_gathering"))
    _cdrm(client, cid, coordinator, "2026-06-30")
    _ok(transition(client, cid, coordinator, "mark_ready_for_panel"))
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0).isoformat()
    meeting = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": when, "member_ids": []},
                          headers=coordinator.headers)
    assert meeting.status_code == 201, meeting.text
    _ok(transition(client, cid, coordinator, "schedule_for_panel", meeting_id=meeting.json()["id"]))
    clock.day = dt.date(2026, 12, 2)  # the day after the panel was due
    assert cid in _overdue_ids(client, coordinator)
    _ok(transition(client, cid, chair, "record_analysis", category=9, modifiable="no",
                   domain_scores={"A": 1, "B": 0, "C": 0, "D": 0}, learning="Synthetic learning.",
                   refer_to_case_review=False))
    c = _clocks(client, cid, coordinator)
    assert (c["cdop_panel"]["outcome"], c["cdop_panel"]["closed_on"]) == ("met_late", "2026-12-02")
    assert c["cdop_cdrm"]["outcome"] == "met_on_time"
    assert cid not in _overdue_ids(client, coordinator)
    _ok(transition(client, cid, coordinator, "close"))
    assert _clocks(client, cid, coordinator)["cdop_panel"]["outcome"] == "met_late"  # not turned into missed


def _emails_about_holds(db) -> list[OutboxMessage]:
    return list(db.execute(select(OutboxMessage).where(OutboxMessage.subject.like("Hold past its expected date%"))
                           .order_by(OutboxMessage.id)).scalars())


def test_a_hold_of_40_days_moves_the_panel_clock_on_by_40_days(client, db, clock, coordinator, session_factory) -> None:
    other_coordinator = quick_user(session_factory, "cdop_coordinator", name="Cass Coordinator")
    quick_user(session_factory, "cdop_chair")  # not emailed
    clock.day = dt.date(2026, 7, 1)
    case = _notify(client, coordinator, "2026-06-01", "2026-06-01", agencies=[])
    cid = case["id"]
    _ok(transition(client, cid, coordinator, "start_information_gathering"))
    assert _clocks(client, cid, coordinator)["cdop_panel"]["due_on"] == "2026-12-01"

    # placed on hold for an inquest expected in 30 days: the hold's own clock; the panel's keeps
    # its date until the release
    held = _ok(transition(client, cid, coordinator, "place_on_hold", hold_reason="inquest", expected_on="2026-07-31"))
    c = _clocks(client, cid, coordinator)
    assert (c["cdop_hold_review"]["due_on"], c["cdop_hold_review"]["outcome"]) == ("2026-07-31", None)
    assert c["cdop_panel"]["due_on"] == "2026-12-01"
    assert held["holds"][0]["expected_on"] == "2026-07-31"

    # the expected date passes: overdue until reviewed, the coordinators emailed once
    clock.day = dt.date(2026, 8, 5)
    assert cid in _overdue_ids(client, coordinator)
    assert _overdue_counts(client, coordinator) == {"cdop_hold_review": 1}
    assert _clocks(client, cid, coordinator)["cdop_hold_review"]["overdue"] is True
    listed = client.get(f"{API}/child-deaths?hold_overdue=true", headers=coordinator.headers).json()["items"]
    assert [i["id"] for i in listed] == [cid]
    with session_factory() as s, s.begin():
        assert service.hold_overdue_job(s, clock.day) == 1
    with session_factory() as s, s.begin():
        assert service.hold_overdue_job(s, clock.day) == 0  # once per hold
    mails = _emails_about_holds(db)
    assert sorted(m.to_addr for m in mails) == sorted([coordinator.email, other_coordinator.email])
    assert case["reference"] in mails[0].subject and "2026-07-31" in mails[0].body
    assert f"/app/child-deaths/{cid}" in mails[0].body
    assert "Testchild" not in mails[0].body and "Bravo" not in mails[0].body

    # reviewed on 5 August with a new expected date: the review clock met (late), a new one opened
    r = transition(client, cid, coordinator, "review_hold", expected_on="2026-08-20")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "note"]
    r = transition(client, cid, coordinator, "review_hold", expected_on="2026-08-01", note="Adjourned")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "expected_on"]  # in the past
    reviewed = _ok(transition(client, cid, coordinator, "review_hold", expected_on="2026-08-20",
                              note="The inquest was adjourned to 20 August."))
    assert reviewed["status"] == "on_hold"
    assert reviewed["holds"][0]["expected_on"] == "2026-08-20" and reviewed["holds"][0]["released_at"] is None
    hold_clocks = [c for c in reviewed["clocks"] if c["kind"] == "cdop_hold_review"]
    assert [(c["due_on"], c["outcome"]) for c in hold_clocks] == [("2026-07-31", "met_late"), ("2026-08-20", None)]
    assert cid not in _overdue_ids(client, coordinator)
    history = client.get(f"{API}/child-deaths/{cid}/history", headers=coordinator.headers).json()
    assert history[-1]["label"] == "Review the hold" and history[-1]["data"]["previous_expected_on"] == ["2026-07-31"]

    # released 40 days after it was placed: the panel is due 40 days later than before the hold
    clock.day = dt.date(2026, 8, 10)
    released = _ok(transition(client, cid, coordinator, "release_hold"))
    panel = [c for c in released["clocks"] if c["kind"] == "cdop_panel"]
    assert [(c["due_on"], c["outcome"]) for c in panel] == [("2027-01-10", None)]
    hold_clocks = [c for c in released["clocks"] if c["kind"] == "cdop_hold_review"]
    assert [c["outcome"] for c in hold_clocks] == ["met_late", "met_on_time"]
    history = client.get(f"{API}/child-deaths/{cid}/history", headers=coordinator.headers).json()
    assert history[-1]["data"]["days_on_hold"] == 40 and history[-1]["data"]["panel_due_on"] == "2027-01-10"
    # the replaced due dates are kept (waived with the reason), only not shown as clocks
    rows = db.execute(select(Deadline.due_on, Deadline.waived_reason).where(
        Deadline.subject_id == cid, Deadline.kind == "cdop_panel").order_by(Deadline.id)).all()
    assert [r.due_on for r in rows] == [dt.date(2026, 12, 1), dt.date(2027, 1, 10)]
    assert rows[0].waived_reason == "replaced by a new due date" and rows[1].waived_reason is None


def test_two_holds_add_up_and_a_reviewed_hold_is_emailed_again_when_its_new_date_passes(
        client, db, clock, coordinator, session_factory) -> None:
    clock.day = dt.date(2026, 7, 1)
    case = _notify(client, coordinator, "2026-06-01", "2026-06-01", agencies=[])
    cid = case["id"]
    _ok(transition(client, cid, coordinator, "start_information_gathering"))
    _ok(transition(client, cid, coordinator, "place_on_hold", hold_reason="criminal_proceedings",
                   expected_on="2026-07-05"))
    clock.day = dt.date(2026, 7, 11)  # 10 days
    _ok(transition(client, cid, coordinator, "release_hold"))
    assert _clocks(client, cid, coordinator)["cdop_panel"]["due_on"] == "2026-12-11"
    _ok(transition(client, cid, coordinator, "place_on_hold", hold_reason="inquest", expected_on="2026-07-20"))
    clock.day = dt.date(2026, 7, 21)
    with session_factory() as s, s.begin():
        assert service.hold_overdue_job(s, clock.day) == 1
    _ok(transition(client, cid, coordinator, "review_hold", expected_on="2026-07-25", note="Still waiting."))
    clock.day = dt.date(2026, 7, 24)
    with session_factory() as s, s.begin():
        assert service.hold_overdue_job(s, clock.day) == 0  # its new date has not passed
    clock.day = dt.date(2026, 7, 26)
    with session_factory() as s, s.begin():
        assert service.hold_overdue_job(s, clock.day) == 1  # the reviewed date passed too
    assert len(_emails_about_holds(db)) == 2
    clock.day = dt.date(2026, 7, 31)  # 20 days on the second hold
    _ok(transition(client, cid, coordinator, "release_hold"))
    assert _clocks(client, cid, coordinator)["cdop_panel"]["due_on"] == "2026-12-31"
    rows = db.execute(select(Deadline.due_on).where(Deadline.subject_id == cid, Deadline.kind == "cdop_panel")
                      .order_by(Deadline.id)).scalars().all()
    assert rows == [dt.date(2026, 12, 1), dt.date(2026, 12, 11), dt.date(2026, 12, 31)]


def test_a_corrected_date_of_death_moves_every_clock_counted_from_it(client, clock, coordinator) -> None:
    clock.day = dt.date(2026, 7, 1)
    case = _notify(client, coordinator, "2026-06-01", "2026-06-02", agencies=[])
    cid = case["id"]
    _ok(transition(client, cid, coordinator, "start_information_gathering"))
    _ok(transition(client, cid, coordinator, "place_on_hold", hold_reason="inquest", expected_on="2026-07-11"))
    assert _clocks(client, cid, coordinator)["cdop_panel"]["due_on"] == "2026-12-01"  # kept while on hold
    tag = client.get(f"{API}/child-deaths/{cid}", headers=coordinator.headers).headers["etag"]
    r = client.patch(f"{API}/child-deaths/{cid}", json={"date_of_death": "2026-05-30"},
                     headers={**coordinator.headers, "If-Match": tag})
    assert r.status_code == 200, r.text
    c = {x["kind"]: x for x in r.json()["clocks"]}
    # notified on 2 June: on time for a death on 1 June, late for one on 30 May
    assert (c["cdop_notification"]["start_on"], c["cdop_notification"]["due_on"],
            c["cdop_notification"]["outcome"]) == ("2026-05-30", "2026-05-31", "met_late")
    assert (c["cdop_cdrm"]["start_on"], c["cdop_cdrm"]["due_on"]) == ("2026-05-30", "2026-08-30")
    assert c["cdop_panel"]["due_on"] == "2026-11-29"
    clock.day = dt.date(2026, 7, 21)  # released after 20 days: 29 November + 20
    released = _ok(transition(client, cid, coordinator, "release_hold"))
    assert [x["due_on"] for x in released["clocks"] if x["kind"] == "cdop_panel"] == ["2026-12-19"]


def test_a_hold_past_its_date_waits_for_a_coordinator_to_tell(db, clock, session_factory) -> None:
    clock.day = dt.date(2026, 8, 1)
    case = make_case(db, status="on_hold")
    db.add(ChildDeathHold(child_death_id=case.id, reason="inquest", expected_on=dt.date(2026, 7, 1),
                          placed_by="test", placed_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    db.commit()
    with session_factory() as s, s.begin():
        assert service.hold_overdue_job(s, clock.day) == 0  # no coordinator: nobody told, nothing marked
    coordinator = quick_user(session_factory, "cdop_coordinator")
    with session_factory() as s, s.begin():
        assert service.hold_overdue_job(s, clock.day) == 1
    assert [m.to_addr for m in _emails_about_holds(db)] == [coordinator.email]


def test_the_worker_runs_the_hold_emails_as_a_periodic_job(app, db, clock, session_factory, coordinator) -> None:
    from core.jobs import run_periodic_jobs

    case = make_case(db, status="on_hold")
    db.add(ChildDeathHold(child_death_id=case.id, reason="case_review", expected_on=dt.date(2026, 5, 1),
                          placed_by="test", placed_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC)))
    db.commit()
    results = run_periodic_jobs(session_factory, dt.date(2026, 6, 2))
    assert results["cdop.hold_overdue_emails"] == 1
    assert run_periodic_jobs(session_factory, dt.date(2026, 6, 3))["cdop.hold_overdue_emails"] == 0
    assert [m.to_addr for m in _emails_about_holds(db)] == [coordinator.email]


# ---- overdue: any clock of the case, whichever module opened it ----


def test_the_panel_clock_is_paused_not_overdue_while_the_case_is_on_hold(client, clock, coordinator) -> None:
    """API.md: the panel review is due within 6 months, "moved on by the days spent on hold". A
    case waiting on an inquest longer than that is not overdue for its panel while it waits: the
    hold's own expected date is what is watched; released, the panel is due the days on hold later."""
    clock.day = dt.date(2026, 2, 1)
    case = _notify(client, coordinator, "2026-01-10", "2026-01-10", agencies=[])
    cid = case["id"]
    _ok(transition(client, cid, coordinator, "start_information_gathering"))
    assert _clocks(client, cid, coordinator)["cdop_panel"]["due_on"] == "2026-07-10"
    r = client.post(f"{API}/child-deaths/{cid}/review-meetings", headers=coordinator.headers, json={
        "kind": "cdrm", "held_on": "2026-01-30", "agencies": ["Example GP Practice"],
        "outcome": "Waiting for the inquest."})
    assert r.status_code == 201, r.text  # the CDRM clock met: only the panel's is left running
    _ok(transition(client, cid, coordinator, "place_on_hold", hold_reason="inquest", expected_on="2026-11-30"))

    clock.day = dt.date(2026, 8, 1)  # past the panel's 6 months, still on hold (inquest on 30 November)
    panel = _clocks(client, cid, coordinator)["cdop_panel"]
    assert (panel["overdue"], panel["paused"], panel["outcome"]) == (False, True, None)
    assert cid not in _overdue_ids(client, coordinator)
    assert "cdop_panel" not in _overdue_counts(client, coordinator)
    r = client.get(f"{API}/child-deaths?overdue_kind=cdop_panel", headers=coordinator.headers)
    assert cid not in [i["id"] for i in r.json()["items"]]

    # the inquest ends on 30 November: released that day after 302 days on hold (1 Feb to 30 Nov)
    clock.day = dt.date(2026, 11, 30)
    released = _ok(transition(client, cid, coordinator, "release_hold"))
    panel = next(c for c in released["clocks"] if c["kind"] == "cdop_panel")
    assert (panel["due_on"], panel["paused"], panel["overdue"]) == ("2027-05-08", False, False)
    clock.day = dt.date(2027, 5, 9)  # running again, and now past its moved date
    assert _clocks(client, cid, coordinator)["cdop_panel"]["overdue"] is True
    assert cid in _overdue_ids(client, coordinator)
    assert _overdue_counts(client, coordinator)["cdop_panel"] == 1


def test_overdue_list_and_summary_count_every_kind_of_clock(client, db, clock, coordinator, chair,
                                                            session_factory) -> None:
    clock.day = dt.date(2026, 10, 1)
    quiet = make_case(db, status="information_gathering", last_name="Quiet")
    other = make_case(db, status="transferred_out", last_name="Elsewhere")
    late = make_case(db, status="information_gathering", last_name="Late")
    rule = DeadlineRule("cdop_external_outcome", "Home area's panel outcome", 6, "months")
    open_new_deadlines(db, "child_death", other.id, [rule], dt.date(2026, 3, 1))           # due 1 Sept
    open_new_deadlines(db, "child_death", quiet.id, [rule], dt.date(2026, 5, 1))           # due 1 Nov
    open_new_deadlines(db, "child_death", late.id, [DeadlineRule("cdop_cdrm", "CDRM", 3, "months")],
                       dt.date(2026, 6, 1))                                               # due 1 Sept
    open_new_deadlines(db, "case_review", late.id, [rule], dt.date(2020, 1, 1))            # another domain's
    db.commit()
    assert sorted(_overdue_ids(client, coordinator)) == sorted([other.id, late.id])
    r = client.get(f"{API}/child-deaths?overdue=true&status=transferred_out", headers=coordinator.headers)
    assert [i["id"] for i in r.json()["items"]] == [other.id]
    summary = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers).json()
    assert summary["overdue_clocks"] == [
        {"kind": "cdop_cdrm", "label": "CDRM", "count": 1},
        {"kind": "cdop_external_outcome", "label": "Home area's panel outcome", "count": 1},
    ]
    # each count of the summary links to exactly its cases
    r = client.get(f"{API}/child-deaths?overdue_kind=cdop_cdrm", headers=coordinator.headers)
    assert [i["id"] for i in r.json()["items"]] == [late.id]
    r = client.get(f"{API}/child-deaths?overdue_kind=cdop_external_outcome", headers=coordinator.headers)
    assert [i["id"] for i in r.json()["items"]] == [other.id]
    assert client.get(f"{API}/child-deaths?overdue_kind=cdop_panel", headers=coordinator.headers).json()["items"] == []
    r = client.get(f"{API}/child-deaths?overdue_kind=DROP%20TABLE", headers=coordinator.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "overdue_kind"]
    assert client.get(f"{API}/child-deaths?overdue=maybe", headers=coordinator.headers).status_code == 422
    clock.day = dt.date(2026, 9, 1)  # due today is not yet overdue
    assert _overdue_ids(client, coordinator) == []
    assert client.get(f"{API}/child-deaths/outstanding/summary",
                      headers=chair.headers).json()["overdue_clocks"] == []


def test_the_overdue_filter_is_one_indexed_query(client, db, clock, coordinator) -> None:
    """The filter is a subquery on the partial index of open deadlines, not a loop over cases."""
    from cdop import repository as repo
    from core.auth.principal import Principal

    principal = Principal(subject="1", email="c@example.org", name="C", roles=frozenset({"cdop_coordinator"}))
    stmt, params = repo.list_statement(principal, repo.CaseFilters(overdue_clocks=True), clock.day, 50, None, "sqlite")
    sql = str(stmt.compile(compile_kwargs={}))
    assert "core_deadlines" in sql and "due_on <" in sql and params["today"] == clock.day


# ---- settings ----


def test_local_defaults_are_settings_with_bounds(client, clock, coordinator, monkeypatch) -> None:
    s = ChildDeathSettings()
    assert (s.cdop_notification_days, s.cdop_cdrm_months, s.cdop_panel_months) == (1, 3, 6)
    for name, bad in (("cdop_notification_days", -1), ("cdop_notification_days", 15), ("cdop_cdrm_months", 0),
                      ("cdop_cdrm_months", 25), ("cdop_panel_months", 0), ("cdop_panel_months", 37)):
        with pytest.raises(ValidationError):
            ChildDeathSettings(**{name: bad})
    monkeypatch.setenv("ECR_CDOP_NOTIFICATION_DAYS", "2")
    monkeypatch.setenv("ECR_CDOP_CDRM_MONTHS", "2")
    monkeypatch.setenv("ECR_CDOP_PANEL_MONTHS", "4")
    config.get_config.cache_clear()
    try:
        clock.day = dt.date(2026, 6, 3)
        case = _notify(client, coordinator, "2026-06-01")
        c = {x["kind"]: x for x in case["clocks"]}
        assert (c["cdop_notification"]["due_on"], c["cdop_notification"]["outcome"]) == ("2026-06-03", "met_on_time")
        assert c["cdop_notification"]["label"] == "Death notified within 2 days"
        assert c["cdop_cdrm"]["due_on"] == "2026-08-01" and "2 months" in c["cdop_cdrm"]["label"]
        assert c["cdop_panel"]["due_on"] == "2026-10-01" and "4 months" in c["cdop_panel"]["label"]
    finally:
        monkeypatch.undo()
        config.get_config.cache_clear()
