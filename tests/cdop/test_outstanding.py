"""The outstanding list and summary on a fixed data set with fixed dates."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from sqlalchemy import event

from core.agency_requests import service as requests
from cdop import config
from cdop.models import ChildDeathHold
from tests.cdop.helpers import API, make_case

TODAY = dt.date(2026, 10, 1)


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(config, "today", lambda: TODAY)
    return TODAY


def _form(db, case, agency, due):
    return requests.create_request(db, subject_type="child_death", subject_id=case.id, kind="reporting_form",
                                   agency=agency, due_on=due, actor="test")


def _hold(db, case, reason, expected, released=False):
    db.add(ChildDeathHold(child_death_id=case.id, reason=reason, expected_on=expected, placed_by="test",
                          placed_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
                          released_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC) if released else None))


@pytest.fixture
def data(db, fixed_today):
    c = {}
    c["A"] = make_case(db, status="information_gathering", last_name="Alpha", date_of_death=dt.date(2026, 9, 15))
    _form(db, c["A"], "Testshire Police", dt.date(2026, 9, 20))  # overdue by 11 days
    _form(db, c["A"], "Testshire GP Practice", dt.date(2026, 10, 20))  # awaited
    done = _form(db, c["A"], "Testshire School", dt.date(2026, 9, 1))
    requests.submit(db, done, answers={}, not_known=[], actor="test")
    c["B"] = make_case(db, status="on_hold", last_name="Bravo", date_of_death=dt.date(2026, 6, 15))
    _hold(db, c["B"], "inquest", dt.date(2027, 1, 10))
    _hold(db, c["B"], "other", dt.date(2026, 7, 20), released=True)
    c["C"] = make_case(db, status="ready_for_panel", last_name="Charlie", date_of_death=dt.date(2026, 2, 1))
    c["D"] = make_case(db, status="on_hold", last_name="Delta", date_of_death=dt.date(2025, 7, 1))
    _hold(db, c["D"], "criminal_proceedings", dt.date(2027, 3, 1))
    c["E"] = make_case(db, status="closed", last_name="Echo", date_of_death=dt.date(2025, 1, 1))
    c["F"] = make_case(db, status="withdrawn", last_name="Foxtrot", date_of_death=dt.date(2026, 8, 1))
    # overdue when the case was withdrawn, which waived it (as every way to a terminal state does)
    requests.waive(db, _form(db, c["F"], "Testshire Police", dt.date(2026, 8, 10)),
                   reason="the notification was withdrawn", actor="test")
    c["G"] = make_case(db, status="transferred_out", last_name="Golf", date_of_death=dt.date(2026, 3, 1))
    c["H"] = make_case(db, status="notified", last_name="Hotel", date_of_death=dt.date(2026, 7, 1))  # exactly 3 months
    db.commit()
    return c


def _refs(client, user, query: str) -> list[str]:
    r = client.get(f"{API}/child-deaths?{query}", headers=user.headers)
    assert r.status_code == 200, r.text
    return [i["child"]["last_name"] for i in r.json()["items"]]


def test_filters(client, coordinator, data) -> None:
    assert _refs(client, coordinator, "outstanding=true") == ["Delta", "Charlie", "Bravo", "Hotel", "Alpha"]
    assert _refs(client, coordinator, "") == ["Echo", "Delta", "Charlie", "Golf", "Bravo", "Hotel", "Foxtrot", "Alpha"]
    assert _refs(client, coordinator, "status=on_hold&status=ready_for_panel") == ["Delta", "Charlie", "Bravo"]
    assert _refs(client, coordinator, "status=closed") == ["Echo"]
    # older than 90 days since death: died on or before 2026-07-03
    assert _refs(client, coordinator, "older_than_days=90&outstanding=true") == ["Delta", "Charlie", "Bravo", "Hotel"]
    assert _refs(client, coordinator, "older_than_days=365") == ["Echo", "Delta"]
    assert _refs(client, coordinator, "hold_reason=inquest") == ["Bravo"]
    assert _refs(client, coordinator, "hold_reason=other") == []  # released
    assert _refs(client, coordinator, "hold_reason=criminal_proceedings") == ["Delta"]
    assert _refs(client, coordinator, "has_overdue_reports=true&outstanding=true") == ["Alpha"]
    assert _refs(client, coordinator, "agency=testshire%20police&outstanding=true") == ["Alpha"]
    assert _refs(client, coordinator, "agency=Testshire%20School") == []  # submitted: not awaited
    assert _refs(client, coordinator, "agency=Testshire%20GP%20Practice&has_overdue_reports=true") == []
    assert _refs(client, coordinator, f"q={data['C'].reference}") == ["Charlie"]
    assert _refs(client, coordinator, "q=testchild%20charl") == ["Charlie"]
    assert _refs(client, coordinator, "q=GOLF") == ["Golf"]
    # LIKE wildcards in the search are literal characters: no name or reference holds them
    assert _refs(client, coordinator, "q=%25") == [] and _refs(client, coordinator, "q=_") == []
    assert _refs(client, coordinator, "q=%5C") == []
    for bad in ("status=bogus", "limit=0", "limit=201", "cursor=notacursor", "older_than_days=-1",
                "hold_reason=x", "q=" + "x" * 101):
        r = client.get(f"{API}/child-deaths?{bad}", headers=coordinator.headers)
        assert r.status_code == 422, (bad, r.status_code)


def test_items_say_why_outstanding(client, coordinator, data) -> None:
    items = {i["child"]["last_name"]: i for i in
             client.get(f"{API}/child-deaths?outstanding=true", headers=coordinator.headers).json()["items"]}
    a = items["Alpha"]
    assert a["days_since_death"] == 16 and a["since_death_band"] == "0-3m"
    assert a["overdue_reporting_forms"] == [{"id": a["overdue_reporting_forms"][0]["id"], "agency": "Testshire Police",
                                             "due_on": "2026-09-20", "days_overdue": 11}]
    assert a["open_reporting_forms"] == 2
    assert "overdue reporting forms: Testshire Police (due 2026-09-20)" in a["waiting_on"]
    assert "reporting forms awaited: Testshire GP Practice (due 2026-10-20)" in a["waiting_on"]
    b = items["Bravo"]
    assert [(h["reason"], h["expected_on"]) for h in b["open_holds"]] == [("inquest", "2027-01-10")]
    assert b["waiting_on"] == ["on hold: inquest (expected 2027-01-10)"]
    assert items["Hotel"]["since_death_band"] == "3-6m"
    assert items["Hotel"]["waiting_on"] == ["information gathering has not started"]
    assert items["Charlie"]["waiting_on"] == ["to be scheduled for a panel meeting"]
    assert items["Delta"]["days_since_death"] == 457 and items["Delta"]["since_death_band"] == "12m+"


def test_summary_counts(client, coordinator, data) -> None:
    r = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["as_of"] == "2026-10-01"
    assert s["by_status"] == {
        "information_gathering": {"0-3m": 1, "3-6m": 0, "6-12m": 0, "12m+": 0},
        "on_hold": {"0-3m": 0, "3-6m": 1, "6-12m": 0, "12m+": 1},
        "ready_for_panel": {"0-3m": 0, "3-6m": 0, "6-12m": 1, "12m+": 0},
        "notified": {"0-3m": 0, "3-6m": 1, "6-12m": 0, "12m+": 0},
    }
    assert s["by_band"] == {"0-3m": 1, "3-6m": 2, "6-12m": 1, "12m+": 1}
    assert s["total"] == 5
    assert s["on_hold_by_reason"] == {"inquest": 1, "criminal_proceedings": 1}
    assert s["holds_past_expected_by_reason"] == {}
    assert s["overdue_reporting_forms_by_agency"] == {"Testshire Police": 1}


def test_holds_past_their_expected_date(client, db, coordinator, data) -> None:
    """A hold whose expected date has passed is overdue until it is released (DOMAIN.md): the
    summary counts them by reason and the list's hold_overdue=true gives exactly those cases."""
    c = make_case(db, status="on_hold", last_name="India", date_of_death=dt.date(2026, 5, 1))
    _hold(db, c, "inquest", dt.date(2026, 9, 30))  # expected yesterday
    d = make_case(db, status="on_hold", last_name="Juliet", date_of_death=dt.date(2026, 5, 2))
    _hold(db, d, "other", TODAY)  # expected today: not yet past
    db.commit()
    s = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers).json()
    assert s["on_hold_by_reason"] == {"inquest": 2, "criminal_proceedings": 1, "other": 1}
    assert s["holds_past_expected_by_reason"] == {"inquest": 1}
    assert _refs(client, coordinator, "hold_overdue=true") == ["India"]
    assert _refs(client, coordinator, "hold_overdue=true&hold_reason=other") == []
    assert _refs(client, coordinator, "hold_overdue=true&hold_reason=inquest") == ["India"]


def test_the_list_takes_the_summarys_bands(client, coordinator, data) -> None:
    """Each count of the summary links to exactly its cases: since_death_band uses the
    summary's months (0-3m: died after 2026-07-01 for 1 October 2026; 3-6m: after 2026-04-01
    up to and including 2026-07-01; ...)."""
    s = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers).json()
    for band, expected in (("0-3m", ["Alpha"]), ("3-6m", ["Bravo", "Hotel"]), ("6-12m", ["Charlie"]),
                           ("12m+", ["Delta"])):
        assert _refs(client, coordinator, f"outstanding=true&since_death_band={quote(band)}") == expected
        assert s["by_band"][band] == len(expected)
    assert _refs(client, coordinator, "since_death_band=12m%2B") == ["Echo", "Delta"]
    r = client.get(f"{API}/child-deaths?since_death_band=2y", headers=coordinator.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "since_death_band"]


def test_keyset_pages_are_stable_under_inserts(client, db, coordinator, data) -> None:
    first = client.get(f"{API}/child-deaths?limit=3", headers=coordinator.headers).json()
    assert [i["child"]["last_name"] for i in first["items"]] == ["Echo", "Delta", "Charlie"]
    assert first["next_cursor"]
    # a new case that sorts before the cursor and one after it
    make_case(db, status="notified", last_name="Early", date_of_death=dt.date(2024, 12, 1))
    make_case(db, status="notified", last_name="Late", date_of_death=dt.date(2026, 9, 30))
    db.commit()
    seen = [i["child"]["last_name"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"{API}/child-deaths?limit=3&cursor={cursor}", headers=coordinator.headers).json()
        seen += [i["child"]["last_name"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert seen == ["Echo", "Delta", "Charlie", "Golf", "Bravo", "Hotel", "Foxtrot", "Alpha", "Late"]


def test_constant_statements_per_page(client, db, connection, coordinator, fixed_today) -> None:
    for i in range(24):
        case = make_case(db, status="on_hold" if i % 2 else "information_gathering",
                         last_name=f"Many{i:02d}", date_of_death=dt.date(2026, 1, 1) + dt.timedelta(days=i))
        _form(db, case, f"Agency {i % 3}", dt.date(2026, 9, 1))
        _form(db, case, "Testshire Police", dt.date(2026, 12, 1))
        if i % 2:
            _hold(db, case, "inquest", dt.date(2027, 1, 1))
    db.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def run(limit: int) -> int:
        statements.clear()
        r = client.get(f"{API}/child-deaths?outstanding=true&limit={limit}", headers=coordinator.headers)
        assert r.status_code == 200 and len(r.json()["items"]) == min(limit, 24)
        return len(statements)

    event.listen(connection, "before_cursor_execute", count)
    try:
        small, large, page_two = run(2), run(24), run(10)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert small == large == page_two, (small, large, page_two)
    assert 5 <= small <= 15, small


def test_every_list_and_detail_read_is_audited(client, db, coordinator, data) -> None:
    from sqlalchemy import select

    from core.audit.models import AuditEvent

    client.get(f"{API}/child-deaths?outstanding=true", headers=coordinator.headers)
    client.get(f"{API}/child-deaths/{data['A'].id}", headers=coordinator.headers)
    client.get(f"{API}/child-deaths/{data['A'].id}/reporting-forms", headers=coordinator.headers)
    client.get(f"{API}/child-deaths/{data['A'].id}/history", headers=coordinator.headers)
    events = db.execute(select(AuditEvent).where(AuditEvent.actor == f"user:{coordinator.id}")
                        .order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["child_death.list", "child_death.read", "reporting_form.list",
                                          "child_death.history"]
    assert events[0].data["case_ids"] == [data[k].id for k in ("D", "C", "B", "H", "A")]
    assert "Alpha" not in str([e.data for e in events])
