"""Annual report figures from a fixed data set (JSON and CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import insert, select, update

from core.deadlines.models import Deadline
from core.workflow.models import WorkflowHistory
from tests.ecr.conftest import make_case

START, END = dt.date(2025, 4, 1), dt.date(2026, 3, 31)
UTC = dt.UTC


def _history(db, case_id: int, *actions: str) -> None:
    for a in actions:
        db.execute(insert(WorkflowHistory).values(
            subject_type="case_review", subject_id=case_id, at=dt.datetime(2025, 6, 1, tzinfo=UTC),
            actor="test", action=a, from_state="x", to_state="y", data={}))


def _dataset(db) -> dict[str, list]:
    """20 notifications in the year, 2 outside it."""
    day = iter(dt.date(2025, 4, 1) + dt.timedelta(days=15 * i) for i in range(40))
    made: dict[str, list] = {}

    def add(key: str, state: str, decision: str | None, **fields) -> None:
        made.setdefault(key, []).append(make_case(db, state, decision=decision, received_on=next(day), **fields))

    add("scr", "published", "scr", published_on=dt.date(2026, 3, 1), published_url="https://example.org/r")
    for _ in range(2):
        add("other_la_review", "monitoring_other_la_review", "other_la_review")
    for i in range(7):
        add("management_review", "publication_deferred" if i == 0 else "review_in_progress",
            "management_review")
    add("single_agency_review", "closed", "single_agency_review", not_published_reason="Learning brief only.")
    add("learning_event", "report_approved", "learning_event")
    for _ in range(3):
        add("nfa", "closed", "nfa")
    for state in ("received", "screening", "awaiting_decision", "scr_recommended"):
        add("pending", state, None)
    add("withdrawn", "withdrawn", None)
    # outside the period
    make_case(db, "closed", decision="nfa", received_on=dt.date(2025, 3, 31))
    make_case(db, "closed", decision="scr", received_on=dt.date(2026, 4, 1))

    _history(db, made["scr"][0].id, "recommend_scr", "endorse_scr")
    _history(db, made["pending"][3].id, "recommend_scr", "decline_scr", "recommend_scr")

    # timeliness of screening: 5 on time, 3 late, 2 missed, 1 waived with a reason, the rest open
    ids = [c.id for group in made.values() for c in group]
    rows = {d.subject_id: d for d in db.execute(
        select(Deadline).where(Deadline.subject_type == "case_review", Deadline.kind == "screening",
                               Deadline.subject_id.in_(ids))).scalars()}
    for cid in ids[:5]:
        rows[cid].met_at = dt.datetime.combine(rows[cid].due_on, dt.time(17, 0), UTC)
    for cid in ids[5:8]:
        rows[cid].met_at = dt.datetime.combine(rows[cid].due_on + dt.timedelta(days=2), dt.time(9), UTC)
    for cid in ids[8:10]:
        rows[cid].missed_at = dt.datetime(2025, 12, 1, tzinfo=UTC)
    rows[ids[10]].waived_at = dt.datetime(2025, 12, 1, tzinfo=UTC)
    rows[ids[10]].waived_reason = "the notification was withdrawn"
    db.execute(update(Deadline).where(Deadline.subject_type == "case_review", Deadline.kind == "decision",
                                      Deadline.subject_id.in_(ids[:4]))
               .values(met_at=dt.datetime(2025, 4, 2, tzinfo=UTC)))
    db.commit()
    return made


def test_report_figures(client, db, users) -> None:
    _dataset(db)
    r = client.get("/api/v1/reports/case-reviews", params={"from": START.isoformat(), "to": END.isoformat()},
                   headers=users["independent_chair"].headers)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["notifications_received"] == 20
    # the CSPR decision codes are counted too (none here: every case is WT2015)
    assert rep["outcomes"] == {"scr": 1, "lcspr": 0, "national_review": 0, "other_la_review": 2, "management_review": 7,
                               "single_agency_review": 1, "learning_event": 1, "nfa": 3,
                               "pending": 4, "withdrawn": 1}
    assert rep["by_source"]["staff"] == 20
    assert rep["scr"] == {"recommended": 2, "endorsed": 1, "declined": 1}
    assert rep["publication"] == {"published": 1, "not_published": 1, "publication_deferred": 1}
    assert rep["by_regime"] == {"WT2015": 20, "CSPR": 0}
    assert set(rep["cspr"].values()) == {0}
    screening = rep["timeliness"]["screening"]
    assert screening == {"total": 20, "met_on_time": 5, "met_late": 3, "missed": 2, "waived": 1,
                         "open_overdue": 9, "open_not_yet_due": 0}
    decision = rep["timeliness"]["decision"]
    assert decision["total"] == 20 and decision["met_on_time"] == 4
    assert decision["open_overdue"] == 16


def test_report_csv_and_validation(client, db, users) -> None:
    _dataset(db)
    h = {**users["business_unit"].headers, "Accept": "text/csv"}
    r = client.get("/api/v1/reports/case-reviews", params={"from": START.isoformat(), "to": END.isoformat()},
                   headers=h)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["section", "item", "measure", "value"]
    assert ["notifications_received", "", "", "20"] in rows
    assert ["outcomes", "management_review", "", "7"] in rows
    assert ["outcomes", "pending", "", "4"] in rows
    assert ["timeliness", "screening", "met_late", "3"] in rows
    assert ["timeliness", "screening", "missed", "2"] in rows
    assert ["timeliness", "screening", "waived", "1"] in rows
    bu = users["business_unit"].headers
    assert client.get("/api/v1/reports/case-reviews", params={"from": "2026-01-01", "to": "2025-01-01"},
                      headers=bu).status_code == 422
    assert client.get("/api/v1/reports/case-reviews", params={"from": "2026-01-01"},
                      headers=bu).status_code == 422
    assert client.get("/api/v1/reports/case-reviews", params={"from": "01/01/2026", "to": "2026-02-01"},
                      headers=bu).status_code == 422
    for role in ("crg_member", "admin", "agency_author"):
        assert client.get("/api/v1/reports/case-reviews", params={"from": "2025-01-01", "to": "2026-01-01"},
                          headers=users[role].headers).status_code == 403
