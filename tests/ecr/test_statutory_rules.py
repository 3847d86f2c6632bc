"""Rules of DOMAIN.md and API.md that issue 16 found broken: agency reports closed with the
case, thematic reviews with their own identity, one deadline per national-panel duty, no
deadline silently cancelled, screening measured to the CRG's recommendation, only an SCR
owes the pre-publication copy, and emails that link to the staff app."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.deadlines.models import Deadline
from core.outbox.models import OutboxMessage
from core.registry import PERIODIC_JOBS
from core.settings import get_settings
from tests.ecr.conftest import make_case

TODAY = dt.date.today()
WHY = "The group found learning for several agencies here."


def _act(client, user, case_id: int, action: str, **fields):
    r = client.post(f"/api/v1/case-reviews/{case_id}/transitions", json={"action": action, **fields},
                    headers={**user.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    return r.json()


def _patch(client, user, case_id: int, **fields):
    r = client.patch(f"/api/v1/case-reviews/{case_id}", json=fields,
                     headers={**user.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    return r.json()


def _deadlines(db, case_id: int) -> dict[str, list[Deadline]]:
    db.expire_all()
    out: dict[str, list[Deadline]] = {}
    for d in db.execute(select(Deadline).where(Deadline.subject_type == "case_review",
                                               Deadline.subject_id == case_id)
                        .order_by(Deadline.id)).scalars():
        out.setdefault(d.kind, []).append(d)
    return out


def _open_kinds(out: dict) -> set[str]:
    return {d["kind"] for d in out["deadlines"]}


# ---- bug 1: closing a case closes its agency reports ----------------------------------------

ENDINGS = [
    ("monitoring_other_la_review", "other_la_review", "business_unit", "close", {}),
    ("screening", None, "business_unit", "withdraw", {"reason": "Sent to us in error."}),
    ("awaiting_decision", None, "crg_chair", "no_further_action", {"rationale": WHY}),
    ("report_approved", "scr", "independent_chair", "decide_not_to_publish",
     {"reason": "Publication would identify the siblings."}),
]


@pytest.mark.parametrize(("state", "decision", "role", "action", "fields"), ENDINGS,
                         ids=[e[3] for e in ENDINGS])
def test_ending_a_case_waives_its_open_agency_reports(client, db, users, state, decision, role,
                                                      action, fields) -> None:
    bu = users["business_unit"]
    case = make_case(db, state, decision=decision)
    to = f"{action}@agency.example.org"
    r = client.post(f"/api/v1/case-reviews/{case.id}/agency-reports",
                    json={"agency": "Example Police", "contact_email": to,
                          "due_on": (TODAY + dt.timedelta(days=10)).isoformat()},
                    headers=bu.headers)
    assert r.status_code == 201, r.text
    _act(client, users[role], case.id, action, **fields)

    reports = client.get(f"/api/v1/case-reviews/{case.id}/agency-reports", headers=bu.headers).json()
    assert [x["status"] for x in reports] == ["waived"]
    assert reports[0]["waived_reason"]
    job = PERIODIC_JOBS["ecr.agency_report_reminders"]
    for days in (8, 30, 60):  # before the due date, overdue, overdue a month later
        job(db, TODAY + dt.timedelta(days=days))
    db.flush()
    sent = db.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_addr == to))
    assert sent == 1  # the request only: no reminder for a case that has ended


# ---- bug 2: a thematic review has its own identity ------------------------------------------

def test_unlinking_and_relinking_never_joins_unrelated_cases(client, db, users) -> None:
    bu = users["business_unit"]
    a, b, c, d = (make_case(db, "screening") for _ in range(4))

    def link(x, y):
        r = client.post(f"/api/v1/case-reviews/{x.id}/links", json={"case_id": y.id}, headers=bu.headers)
        assert r.status_code == 200, r.text
        return r.json()

    def linked(x) -> set[int]:
        got = client.get(f"/api/v1/case-reviews/{x.id}", headers=bu.headers).json()
        return {o["id"] for o in got["linked_cases"]}

    link(a, b)
    link(a, c)
    assert linked(b) == {a.id, c.id}
    r = client.delete(f"/api/v1/case-reviews/{b.id}/links/{a.id}", headers=bu.headers)
    assert r.status_code == 200, r.text
    assert linked(a) == set() and linked(b) == {c.id}
    link(a, d)
    assert linked(d) == {a.id}
    assert linked(a) == {d.id}
    assert linked(b) == {c.id} and linked(c) == {b.id}
    # the two thematic reviews are two distinct ones
    ids = {x: client.get(f"/api/v1/case-reviews/{x.id}", headers=bu.headers).json()["thematic_review_id"]
           for x in (a, b, c, d)}
    assert ids[a] == ids[d] and ids[b] == ids[c] and ids[a] != ids[b]


# ---- bug 3: one deadline per national-panel duty --------------------------------------------

def test_the_two_national_panel_duties_are_separate_deadlines(client, db, users) -> None:
    bu, chair, ic = users["business_unit"], users["crg_chair"], users["independent_chair"]
    case = make_case(db, "scr_recommended")
    _act(client, ic, case.id, "decline_scr", rationale="The criteria are not met here.")
    _act(client, chair, case.id, "commission_learning_event", rationale=WHY)
    _act(client, bu, case.id, "submit_report")
    _act(client, chair, case.id, "approve_report")
    out = _act(client, ic, case.id, "decide_not_to_publish", reason="It would identify the family.")
    assert {"national_panel_notice", "national_panel_not_published"} <= _open_kinds(out)

    out = _patch(client, bu, case.id, national_panel_notified_on=TODAY.isoformat())
    assert "national_panel_notice" not in _open_kinds(out)
    assert "national_panel_not_published" in _open_kinds(out)
    out = _patch(client, bu, case.id, national_panel_told_not_published_on=TODAY.isoformat())
    assert out["publication"]["national_panel_told_not_published_on"] == TODAY.isoformat()
    assert _open_kinds(out) == set()
    rows = _deadlines(db, case.id)
    for kind in ("national_panel_notice", "national_panel_not_published"):
        assert [x.outcome for x in rows[kind]] == ["met_on_time"], kind


def test_the_not_published_date_does_not_meet_the_other_duty(client, db, users) -> None:
    bu, ic = users["business_unit"], users["independent_chair"]
    case = make_case(db, "scr_recommended")
    _act(client, ic, case.id, "decline_scr", rationale="The criteria are not met here.")
    out = _patch(client, bu, case.id, national_panel_told_not_published_on=TODAY.isoformat())
    assert "national_panel_notice" in _open_kinds(out)


# ---- bug 4: met, met late, missed or waived with a reason; never silently cancelled ---------

def _scr_approved(client, db, users, planned: dt.date | None):
    case = make_case(db, "report_submitted", decision="scr")
    fields = {"planned_publication_on": planned.isoformat()} if planned else {}
    _act(client, users["independent_chair"], case.id, "approve_report", **fields)
    return case


def test_publish_without_the_report_sent_records_the_notice_missed(client, db, users) -> None:
    case = _scr_approved(client, db, users, TODAY + dt.timedelta(days=30))
    assert "pre_publication" in _open_kinds(client.get(
        f"/api/v1/case-reviews/{case.id}", headers=users["business_unit"].headers).json())
    _act(client, users["independent_chair"], case.id, "publish", published_on=TODAY.isoformat(),
         url="https://example.org/report")
    [row] = _deadlines(db, case.id)["pre_publication"]
    assert row.outcome == "missed"


def test_publish_never_planned_still_records_the_notice_missed(client, db, users) -> None:
    case = _scr_approved(client, db, users, None)
    _act(client, users["independent_chair"], case.id, "publish", published_on=TODAY.isoformat(),
         url="https://example.org/report")
    [row] = _deadlines(db, case.id)["pre_publication"]
    assert row.outcome == "missed"
    assert row.due_on == TODAY - dt.timedelta(days=7)


def test_report_sent_too_late_is_met_late_and_on_time_is_met(client, db, users) -> None:
    bu = users["business_unit"]
    late = _scr_approved(client, db, users, TODAY + dt.timedelta(days=3))  # due 4 days ago
    _patch(client, bu, late.id, report_sent_to_national_panel_on=TODAY.isoformat())
    assert [x.outcome for x in _deadlines(db, late.id)["pre_publication"]] == ["met_late"]
    early = _scr_approved(client, db, users, TODAY + dt.timedelta(days=30))
    _patch(client, bu, early.id, report_sent_to_national_panel_on=TODAY.isoformat())
    assert [x.outcome for x in _deadlines(db, early.id)["pre_publication"]] == ["met_on_time"]
    _act(client, users["independent_chair"], early.id, "publish",
         published_on=TODAY.isoformat(), url="https://example.org/report")
    assert [x.outcome for x in _deadlines(db, early.id)["pre_publication"]] == ["met_on_time"]


def test_a_duty_done_on_time_but_recorded_later_is_met_on_time(client, db, users) -> None:
    """The date given is the day the duty was done (DOMAIN.md: "report to the national panel
    about 1 week before publication"): entered after the due date, it is still met on time."""
    bu = users["business_unit"]
    case = _scr_approved(client, db, users, TODAY + dt.timedelta(days=3))  # due 4 days ago
    _patch(client, bu, case.id, report_sent_to_national_panel_on=(TODAY - dt.timedelta(days=10)).isoformat())
    assert [x.outcome for x in _deadlines(db, case.id)["pre_publication"]] == ["met_on_time"]


def test_replanning_waives_the_old_notice_with_a_reason(client, db, users) -> None:
    bu = users["business_unit"]
    case = _scr_approved(client, db, users, TODAY + dt.timedelta(days=30))
    _patch(client, bu, case.id, planned_publication_on=(TODAY + dt.timedelta(days=50)).isoformat())
    _patch(client, bu, case.id, planned_publication_on=None)
    rows = _deadlines(db, case.id)["pre_publication"]
    assert [x.outcome for x in rows] == ["waived", "waived"]
    assert all(x.waived_reason for x in rows)


def test_withdrawal_waives_what_is_not_yet_due_and_records_missed_what_passed(client, db, users) -> None:
    bu = users["business_unit"]
    fresh = make_case(db, "screening")
    stale = make_case(db, "screening", received_on=TODAY - dt.timedelta(days=40))
    for case in (fresh, stale):
        _act(client, bu, case.id, "withdraw", reason="Sent to us in error.")
    fresh_rows, stale_rows = _deadlines(db, fresh.id), _deadlines(db, stale.id)
    for kind in ("screening", "decision"):
        [f] = fresh_rows[kind]
        assert f.outcome == "waived" and f.waived_reason
        [s] = stale_rows[kind]
        assert s.outcome == "missed"


def test_no_deadline_is_closed_without_an_outcome(client, db, users) -> None:
    """Every path of the acceptance walk leaves each closed deadline met, missed or waived
    with a reason (the re-opened screening clock after decline_scr included)."""
    bu, chair, ic = users["business_unit"], users["crg_chair"], users["independent_chair"]
    case = make_case(db, "screening")
    _act(client, bu, case.id, "refer_to_group")
    _act(client, chair, case.id, "recommend_scr", rationale=WHY)
    _act(client, ic, case.id, "decline_scr", rationale="The criteria are not met here.")
    _act(client, chair, case.id, "recommend_scr", rationale=WHY)
    _act(client, ic, case.id, "endorse_scr", rationale=WHY)
    _act(client, bu, case.id, "submit_report")
    _act(client, ic, case.id, "approve_report",
         planned_publication_on=(TODAY + dt.timedelta(days=30)).isoformat())
    _act(client, ic, case.id, "defer_publication", reason="Criminal trial.",
         review_on=(TODAY + dt.timedelta(days=20)).isoformat())
    _act(client, ic, case.id, "resume_publication")
    _act(client, ic, case.id, "publish", published_on=TODAY.isoformat(), url="https://example.org/r")
    _act(client, bu, case.id, "close")
    for kind, rows in _deadlines(db, case.id).items():
        for row in rows:
            if row.outcome is None:
                assert kind == "national_panel_notice", kind  # still owed to the panel
            if row.outcome == "waived":
                assert row.waived_reason, kind


def test_report_timeliness_has_every_outcome(client, db, users) -> None:
    bu = users["business_unit"]
    stale = make_case(db, "screening", received_on=TODAY - dt.timedelta(days=40))
    _act(client, bu, stale.id, "withdraw", reason="Sent to us in error.")
    fresh = make_case(db, "screening", received_on=TODAY)
    _act(client, bu, fresh.id, "withdraw", reason="Sent to us in error.")
    r = client.get("/api/v1/reports/case-reviews", headers=bu.headers,
                   params={"from": (TODAY - dt.timedelta(days=41)).isoformat(), "to": TODAY.isoformat()})
    assert r.status_code == 200, r.text
    screening = r.json()["timeliness"]["screening"]
    assert set(screening) == {"total", "met_on_time", "met_late", "missed", "waived",
                              "open_overdue", "open_not_yet_due"}
    assert screening["missed"] >= 1 and screening["waived"] >= 1
    csv = client.get("/api/v1/reports/case-reviews", headers={**bu.headers, "Accept": "text/csv"},
                     params={"from": TODAY.isoformat(), "to": TODAY.isoformat()}).text
    assert "timeliness,screening,waived,1" in csv
    assert "timeliness,screening,missed," in csv and "cancelled" not in csv


# ---- bug 5: screening runs to the CRG's recommendation --------------------------------------

@pytest.mark.parametrize(("action", "fields"), [
    ("recommend_scr", {"rationale": WHY}),
    ("commission_management_review", {"rationale": WHY}),
    ("commission_single_agency_review", {"rationale": WHY}),
    ("commission_learning_event", {"rationale": WHY}),
    ("refer_to_other_la", {"rationale": WHY, "other_la": "Exampleshire"}),
    ("no_further_action", {"rationale": WHY}),
])
def test_screening_is_met_by_the_groups_recommendation(client, db, users, action, fields) -> None:
    case = make_case(db, "screening")
    out = _act(client, users["business_unit"], case.id, "refer_to_group")
    assert "screening" in _open_kinds(out)  # referral alone does not meet it
    assert _deadlines(db, case.id)["screening"][0].outcome is None
    _act(client, users["crg_chair"], case.id, action, **fields)
    assert [x.outcome for x in _deadlines(db, case.id)["screening"]] == ["met_on_time"]


# ---- bug 10: only an SCR owes the national panel its report before publication -----------

def test_only_an_scr_gets_the_pre_publication_deadline(client, db, users) -> None:
    bu, chair = users["business_unit"], users["crg_chair"]
    planned = (TODAY + dt.timedelta(days=30)).isoformat()
    case = make_case(db, "report_submitted", decision="management_review")
    out = _act(client, chair, case.id, "approve_report", planned_publication_on=planned)
    assert "pre_publication" not in _open_kinds(out)
    other = make_case(db, "review_in_progress", decision="learning_event")
    out = _patch(client, bu, other.id, planned_publication_on=planned)
    assert "pre_publication" not in _open_kinds(out)
    _act(client, bu, other.id, "submit_report")
    _act(client, chair, other.id, "approve_report")
    _act(client, chair, other.id, "publish", published_on=TODAY.isoformat(), url="https://example.org/b")
    assert "pre_publication" not in _deadlines(db, case.id) | _deadlines(db, other.id)


# ---- bug 9: emails link to the staff app ----------------------------------------------------

def test_agency_report_emails_link_to_my_forms(client, db, users, fast_user) -> None:
    bu = users["business_unit"]
    author = fast_user("agency_author")
    case = make_case(db, "review_in_progress", decision="management_review")
    r = client.post(f"/api/v1/case-reviews/{case.id}/agency-reports",
                    json={"agency": "Example Police", "assignee_user_id": author.id,
                          "due_on": (TODAY + dt.timedelta(days=2)).isoformat()}, headers=bu.headers)
    assert r.status_code == 201, r.text
    PERIODIC_JOBS["ecr.agency_report_reminders"](db, TODAY)
    db.flush()
    mails = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == author.email)
                       .order_by(OutboxMessage.id)).scalars().all()
    assert len(mails) == 2  # the request and the reminder
    link = f"{get_settings().public_base_url.rstrip('/')}/app/my-forms"
    for mail in mails:
        assert link in mail.body, mail.body
        assert "sign in to the service" not in mail.body.lower()
