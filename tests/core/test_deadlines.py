"""Deadlines: England and Wales working days, month arithmetic, stored deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.deadlines import (
    DeadlineRule,
    add_months,
    add_working_days,
    close_deadlines,
    deadline_outcome_case,
    due_date,
    is_working_day,
    open_deadline,
    open_deadlines_for,
    overdue_subject_ids,
)
from core.deadlines.models import Deadline

D = dt.date


def test_working_days_across_christmas_and_new_year() -> None:
    # 25 Dec (Fri), Boxing Day observed on Mon 28 Dec, and 1 Jan (Fri) are skipped.
    assert add_working_days(D(2026, 12, 21), 10) == D(2027, 1, 7)
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_working_days_across_easter() -> None:
    assert not is_working_day(D(2027, 3, 26))  # Good Friday
    assert not is_working_day(D(2027, 3, 29))  # Easter Monday
    assert add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)
    assert add_working_days(D(2027, 3, 24), 3) == D(2027, 3, 31)


def test_weekends_and_ordinary_days() -> None:
    assert not is_working_day(D(2026, 11, 21)) and not is_working_day(D(2026, 11, 22))
    assert is_working_day(D(2026, 11, 23))
    assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Fri -> Mon
    assert add_working_days(D(2026, 11, 21), 1) == D(2026, 11, 23)  # from a Saturday
    assert add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)
    assert add_working_days(D(2027, 1, 7), -10) == D(2026, 12, 21)  # backwards skips the same holidays
    assert not is_working_day(D(2027, 5, 3))  # early May bank holiday
    assert not is_working_day(D(2027, 12, 27)) and not is_working_day(D(2027, 12, 28))  # observed


def test_months_clamp_to_the_end_of_the_month() -> None:
    assert add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 8, 31), 1) == D(2026, 9, 30)
    assert add_months(D(2026, 11, 15), 2) == D(2027, 1, 15)
    assert add_months(D(2026, 12, 31), 6) == D(2027, 6, 30)
    assert add_months(D(2027, 3, 31), -1) == D(2027, 2, 28)
    assert add_months(D(2027, 1, 15), -13) == D(2025, 12, 15)


def test_due_date_units() -> None:
    assert due_date(D(2026, 12, 21), 10, "working_days") == D(2027, 1, 7)
    assert due_date(D(2026, 12, 21), 10, "calendar_days") == D(2026, 12, 31)
    assert due_date(D(2027, 1, 31), 1, "months") == D(2027, 2, 28)
    with pytest.raises(ValueError):
        due_date(D(2026, 1, 1), 1, "fortnights")  # type: ignore[arg-type]
    assert DeadlineRule("decision", "Decision", 15, "working_days").due(D(2026, 12, 21)) == D(2027, 1, 14)


DECISION = DeadlineRule("decision", "Decision within 15 working days", 15, "working_days")
REPORT = DeadlineRule("report", "Report within 6 months", 6, "months")


def test_open_close_reopen(db) -> None:
    d = open_deadline(db, "case_review", 1, DECISION, D(2026, 12, 21))
    db.flush()
    assert d.due_on == D(2027, 1, 14)
    open_deadline(db, "case_review", 1, REPORT, D(2026, 8, 31))
    open_deadline(db, "case_review", 2, DECISION, D(2026, 11, 2))
    db.flush()
    found = open_deadlines_for(db, "case_review", [1, 2, 3], today=D(2027, 1, 20))
    assert [x["kind"] for x in found[1]] == ["decision", "report"]  # ordered by due date
    assert found[1][0]["overdue"] is True
    assert found[1][1]["due_on"] == D(2027, 2, 28) and found[1][1]["overdue"] is False
    assert 3 not in found
    assert open_deadlines_for(db, "case_review", []) == {}

    # Re-opening replaces the open deadline of that kind: the old one is waived with the
    # reason, never met and never silently dropped.
    open_deadline(db, "case_review", 1, DECISION, D(2027, 1, 18))
    db.flush()
    rows = db.scalars(select(Deadline).where(Deadline.subject_id == 1, Deadline.kind == "decision")
                      .order_by(Deadline.id)).all()
    assert len(rows) == 2
    assert rows[0].waived_at is not None and rows[0].met_at is None and rows[0].missed_at is None
    assert rows[0].waived_reason == "replaced by a new due date" and rows[0].outcome == "waived"
    assert rows[1].outcome is None and rows[1].due_on == D(2027, 2, 8)

    # Closing as met, by kind, then everything.
    close_deadlines(db, "case_review", 1, ["decision"], outcome="met")
    db.expire_all()
    assert [x["kind"] for x in open_deadlines_for(db, "case_review", [1])[1]] == ["report"]
    assert db.get(Deadline, rows[1].id).met_at is not None
    close_deadlines(db, "case_review", 1, outcome="met")
    assert open_deadlines_for(db, "case_review", [1]) == {}
    # Other subjects and subject types are untouched.
    assert len(open_deadlines_for(db, "case_review", [2])[2]) == 1


def test_explicit_due_date(db) -> None:
    d = open_deadline(db, "child_death", 5, DECISION, D(2026, 1, 5), due_on=D(2026, 3, 1))
    db.flush()
    assert d.due_on == D(2026, 3, 1)


def test_overdue_subquery(db) -> None:
    open_deadline(db, "case_review", 10, DECISION, D(2026, 11, 2))  # due 2026-11-23
    open_deadline(db, "case_review", 11, DECISION, D(2026, 11, 20))  # due 2026-12-11
    open_deadline(db, "case_review", 12, DECISION, D(2026, 10, 1))
    open_deadline(db, "child_death", 10, DECISION, D(2026, 1, 1))
    db.flush()
    close_deadlines(db, "case_review", 12, outcome="missed")
    today = D(2026, 11, 30)
    overdue = set(db.scalars(overdue_subject_ids("case_review", today)))
    assert overdue == {10}
    # Usable as a subquery in a domain's list filter.
    stmt = select(Deadline.subject_id).where(
        Deadline.subject_type == "case_review",
        Deadline.subject_id.in_(overdue_subject_ids("case_review", today)),
    ).distinct()
    assert set(db.scalars(stmt)) == {10}
    assert set(db.scalars(overdue_subject_ids("case_review", D(2026, 11, 23)))) == set()  # due today: not late
    assert set(db.scalars(overdue_subject_ids("case_review", D(2026, 12, 12)))) == {10, 11}


def _only(db, subject_id: int, kind: str = "decision") -> Deadline:
    db.flush()
    db.expire_all()
    return db.scalars(select(Deadline).where(Deadline.subject_type == "case_review",
                                             Deadline.subject_id == subject_id,
                                             Deadline.kind == kind).order_by(Deadline.id.desc())).first()


def test_each_outcome_is_stored_and_closes_the_deadline(db) -> None:
    for sid in (20, 21, 22):
        open_deadline(db, "case_review", sid, DECISION, D(2026, 11, 2))
    db.flush()
    assert close_deadlines(db, "case_review", 20, ["decision"], outcome="met") == 1
    assert close_deadlines(db, "case_review", 21, ["decision"], outcome="missed") == 1
    assert close_deadlines(db, "case_review", 22, ["decision"], outcome="waived",
                           reason="the case was withdrawn") == 1
    met, missed, waived = _only(db, 20), _only(db, 21), _only(db, 22)
    assert met.met_at is not None and met.missed_at is None and met.waived_at is None
    assert missed.missed_at is not None and missed.met_at is None and missed.waived_at is None
    assert waived.waived_at is not None and waived.waived_reason == "the case was withdrawn"
    assert (missed.outcome, waived.outcome) == ("missed", "waived")
    # A closed deadline is not open, nor overdue, whatever its outcome.
    assert open_deadlines_for(db, "case_review", [20, 21, 22], today=D(2027, 6, 1)) == {}
    assert set(db.scalars(overdue_subject_ids("case_review", D(2027, 6, 1)))) & {20, 21, 22} == set()
    # Closing again finds nothing open: the first outcome stands.
    assert close_deadlines(db, "case_review", 21, ["decision"], outcome="met") == 0
    assert _only(db, 21).outcome == "missed"


def test_waiving_needs_a_reason_and_outcomes_are_checked(db) -> None:
    open_deadline(db, "case_review", 30, DECISION, D(2026, 11, 2))
    db.flush()
    for bad in (None, "", "   "):
        with pytest.raises(ValueError, match="reason"):
            close_deadlines(db, "case_review", 30, outcome="waived", reason=bad)
    with pytest.raises(ValueError, match="reason"):
        close_deadlines(db, "case_review", 30, outcome="missed", reason="why not")
    with pytest.raises(ValueError, match="outcome"):
        close_deadlines(db, "case_review", 30, outcome="cancelled")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        close_deadlines(db, "case_review", 30)  # type: ignore[call-arg]  # no outcome: nothing closes silently
    with pytest.raises(TypeError):
        close_deadlines(db, "case_review", 30, met=True)  # type: ignore[call-arg]  # the old keyword is gone
    assert _only(db, 30).outcome is None


def test_met_on_time_and_met_late(db) -> None:
    # Due 2026-11-23 (15 working days from 2026-11-02); today is after that: met late.
    open_deadline(db, "case_review", 40, DECISION, D(2026, 11, 2))
    # Due far in the future: met on time.
    open_deadline(db, "case_review", 41, DECISION, D(2026, 11, 2), due_on=D(2099, 1, 1))
    db.flush()
    close_deadlines(db, "case_review", 40, outcome="met")
    close_deadlines(db, "case_review", 41, outcome="met")
    assert (_only(db, 40).outcome, _only(db, 41).outcome) == ("met_late", "met_on_time")


def test_outcome_case_for_reports(db) -> None:
    today = dt.date.today()
    past, future = D(2026, 1, 1), D(2099, 1, 1)
    open_deadline(db, "case_review", 50, DECISION, past, due_on=past)       # met late
    open_deadline(db, "case_review", 51, DECISION, past, due_on=future)     # met on time
    open_deadline(db, "case_review", 52, DECISION, past, due_on=past)       # missed
    open_deadline(db, "case_review", 53, DECISION, past, due_on=future)     # waived
    open_deadline(db, "case_review", 54, DECISION, past, due_on=past)       # open, overdue
    open_deadline(db, "case_review", 55, DECISION, past, due_on=future)     # open, not yet due
    db.flush()
    close_deadlines(db, "case_review", 50, outcome="met")
    close_deadlines(db, "case_review", 51, outcome="met")
    close_deadlines(db, "case_review", 52, outcome="missed")
    close_deadlines(db, "case_review", 53, outcome="waived", reason="no longer needed")
    db.flush()
    rows = dict(db.execute(
        select(Deadline.subject_id, deadline_outcome_case(today))
        .where(Deadline.subject_type == "case_review", Deadline.subject_id.between(50, 55))
    ).all())
    assert rows == {50: "met_late", 51: "met_on_time", 52: "missed", 53: "waived",
                    54: "open_overdue", 55: "open_not_yet_due"}
