"""Query counts: a list page costs a fixed number of SQL statements whatever its size (no N+1),
and a transition a small bounded number. Counted with a ``before_cursor_execute`` listener on
the test engine while one request runs. Synthetic data only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

API = "/api/v1"
# A transition (auth, load + lock the case, UPDATE with the version check, its effects, history
# row, audit append, the detail in the answer) stays within this many statements. Measured on
# both databases with deferred audit sealing (the default: 1 statement per event; chained inline
# it takes 3): place_on_hold 7, start_screening 7. (start_information_gathering also grows with
# the agencies notified: see test_start_information_gathering_batches_the_forms.)
TRANSITION_MAX_STATEMENTS = 8


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split())[:120])

    @property
    def sql(self) -> list[str]:
        """Statements other than the savepoints the test fixtures wrap around commits."""
        return [s for s in self.statements if not s.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))]

    @property
    def domain(self) -> list[str]:
        """``sql`` less core's own: the authentication lookup, the audit append and session
        settings (``SET LOCAL ...``)."""
        return [s for s in self.sql if "core_audit_" not in s and not s.startswith(("SELECT core_users.", "SET "))]


@contextmanager
def count_statements(engine: Engine) -> Iterator[Counter]:
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def _child_death(n: int) -> dict[str, Any]:
    today = dt.date.today()
    return {
        "notifier": {"name": "Test Notifier", "email": "notifier@example.org", "agency": "Testshire Police"},
        "child": {"first_name": "Testchild", "last_name": f"Q{n:05d}",
                  "date_of_birth": (today - dt.timedelta(days=2000 + n)).isoformat(), "sex": "female"},
        "death": {"date": (today - dt.timedelta(days=200 + n)).isoformat(), "place": "hospital", "expected": False},
        "agencies": [{"name": f"Testshire Agency {k}", "contact_email": "agency@example.org"} for k in range(2)],
    }


def _case_review(n: int) -> dict[str, Any]:
    return {
        "notifier": {"name": "Test Notifier", "email": "notifier@example.org", "agency": "Testshire Police"},
        "child": {"first_name": "Testchild", "last_name": f"R{n:05d}", "date_of_birth": "2015-03-04"},
        "incident": {"date": (dt.date.today() - dt.timedelta(days=10)).isoformat(), "type": "serious_harm",
                     "description": "Synthetic description of the incident."},
        "rationale": "Agencies may not have worked together well before the incident.",
        "abuse_or_neglect_suspected": True,
        "agencies_involved": ["Testshire Police", "Testshire Children's Social Care"],
    }


def _page_counts(client: Any, engine: Engine, path: str, headers: dict[str, str]) -> dict[int, Counter]:
    out = {}
    for size in (5, 40):
        with count_statements(engine) as counter:
            r = client.get(path, params={"limit": size}, headers=headers)
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) == size
        out[size] = counter
    return out


@pytest.fixture
def coordinator(make_user: Any) -> Any:
    return make_user("cdop_coordinator")


def test_child_death_list_costs_the_same_for_5_or_40_items(client: Any, engine: Engine, coordinator: Any) -> None:
    h = coordinator.headers
    ids = []
    for n in range(40):
        r = client.post(f"{API}/child-deaths", json=_child_death(n), headers=h)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    # make the items differ: holds, reporting forms, gathering (what the list shows per item)
    for i, case_id in enumerate(ids):
        r = client.post(f"{API}/child-deaths/{case_id}/transitions", headers={**h, "If-Match": "*"},
                        json={"action": "start_information_gathering"})
        assert r.status_code == 200, r.text
        if i % 2:
            r = client.post(f"{API}/child-deaths/{case_id}/transitions", headers={**h, "If-Match": "*"},
                            json={"action": "place_on_hold", "hold_reason": "inquest",
                                  "expected_on": (dt.date.today() + dt.timedelta(days=90)).isoformat()})
            assert r.status_code == 200, r.text
    counts = _page_counts(client, engine, f"{API}/child-deaths", h)
    assert len(counts[5].sql) == len(counts[40].sql), (counts[5].sql, counts[40].sql)
    counts = _page_counts(client, engine, f"{API}/child-deaths?outstanding=true&older_than_days=180", h)
    assert len(counts[5].sql) == len(counts[40].sql), (counts[5].sql, counts[40].sql)


def test_case_review_list_costs_the_same_for_5_or_40_items(client: Any, engine: Engine, make_user: Any) -> None:
    bu = make_user("business_unit")
    for n in range(40):
        r = client.post(f"{API}/case-reviews", json=_case_review(n), headers=bu.headers)
        assert r.status_code == 201, r.text
    counts = _page_counts(client, engine, f"{API}/case-reviews", bu.headers)
    assert len(counts[5].sql) == len(counts[40].sql), (counts[5].sql, counts[40].sql)


def test_a_transition_issues_a_bounded_number_of_statements(client: Any, engine: Engine, coordinator: Any) -> None:
    h = coordinator.headers
    r = client.post(f"{API}/child-deaths", json=_child_death(1), headers=h)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    r = client.post(f"{API}/child-deaths/{case_id}/transitions", headers={**h, "If-Match": r.headers["ETag"]},
                    json={"action": "start_information_gathering"})
    assert r.status_code == 200, r.text
    with count_statements(engine) as counter:
        r = client.post(f"{API}/child-deaths/{case_id}/transitions", headers={**h, "If-Match": r.headers["ETag"]},
                        json={"action": "place_on_hold", "hold_reason": "inquest",
                              "expected_on": (dt.date.today() + dt.timedelta(days=90)).isoformat()})
    assert r.status_code == 200, r.text
    assert len(counter.sql) <= TRANSITION_MAX_STATEMENTS, counter.sql


def test_a_case_review_transition_issues_a_bounded_number_of_statements(client: Any, engine: Engine,
                                                                        make_user: Any) -> None:
    bu = make_user("business_unit")
    r = client.post(f"{API}/case-reviews", json=_case_review(1), headers=bu.headers)
    assert r.status_code == 201, r.text
    case_id, etag = r.json()["id"], r.headers["ETag"]
    with count_statements(engine) as counter:
        r = client.post(f"{API}/case-reviews/{case_id}/transitions", headers={**bu.headers, "If-Match": etag},
                        json={"action": "start_screening"})
    assert r.status_code == 200, r.text
    assert len(counter.sql) <= TRANSITION_MAX_STATEMENTS, counter.sql


def test_child_death_detail_and_history_read_only_what_they_show(client: Any, engine: Engine, db: Any,
                                                                 coordinator: Any) -> None:
    """The detail reads the case with its meeting's date, its holds and its reporting forms in one
    statement, then its duplicates only when it has some; the history reads the entries and
    checks the case in one statement (core's ``history_for`` with the case's "readable by")."""
    from cdop.models import ChildDeathHold

    h = coordinator.headers
    bare = client.post(f"{API}/child-deaths", json={**_child_death(1), "agencies": []}, headers=h).json()["id"]
    full = client.post(f"{API}/child-deaths", json=_child_death(2), headers=h).json()["id"]
    twin = client.post(f"{API}/child-deaths", json=_child_death(2), headers=h).json()["id"]  # flagged both ways
    r = client.post(f"{API}/child-deaths/{full}/transitions", headers={**h, "If-Match": "*"},
                    json={"action": "start_information_gathering"})
    assert r.status_code == 200, r.text
    db.add(ChildDeathHold(child_death_id=full, reason="other", expected_on=dt.date.today(), placed_by="test"))
    db.commit()
    for case_id, detail_statements in ((bare, 1), (full, 2)):
        with count_statements(engine) as counter:
            r = client.get(f"{API}/child-deaths/{case_id}", headers=h)
        assert r.status_code == 200, r.text
        assert len(counter.domain) == detail_statements, counter.domain
        with count_statements(engine) as counter:
            r = client.get(f"{API}/child-deaths/{case_id}/history", headers=h)
        assert r.status_code == 200 and r.json(), r.text
        assert len(counter.domain) == 1, counter.domain
    assert client.get(f"{API}/child-deaths/{full}", headers=h).json()["possible_duplicates"][0]["id"] == twin


def test_start_information_gathering_batches_the_forms(client: Any, engine: Engine, coordinator: Any) -> None:
    """The reporting forms of the notified agencies are inserted in one flush: apart from the
    audit events, each more agency costs its link UPDATE, plus on SQLite (no batched INSERT with
    RETURNING in the ORM there) its own form and outbox INSERTs."""
    h = coordinator.headers
    counts = {}
    for n in (1, 5):
        body = {**_child_death(n), "agencies": [{"name": f"Testshire Agency {k}", "contact_email": "agency@example.org"}
                                               for k in range(n)]}
        case_id = client.post(f"{API}/child-deaths", json=body, headers=h).json()["id"]
        with count_statements(engine) as counter:
            r = client.post(f"{API}/child-deaths/{case_id}/transitions", headers={**h, "If-Match": "*"},
                            json={"action": "start_information_gathering"})
        assert r.status_code == 200, r.text
        assert len(r.json()["reporting_forms"]) == n
        counts[n] = counter.domain
    per_agency = 3 if engine.dialect.name == "sqlite" else 1
    assert len(counts[5]) - len(counts[1]) <= 4 * per_agency, (counts[1], counts[5])


def test_the_outstanding_list_reads_the_open_cases_index(engine: Engine) -> None:
    """SQLite uses a partial index only when the query repeats its predicate as written: the
    open-state literals must keep the index's order (EXPLAIN QUERY PLAN, no sort). Each case's
    open holds and awaited forms are found through their own partial indexes (migration 0006),
    not through the case's index of all its holds and forms: the forms' constants are in the
    statement's text for that."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL proves the predicate whatever the order (custom plans)")
    from core.auth.principal import Principal
    from cdop import repository as repo

    reader = Principal(subject="1", email="r@example.org", name="R", roles=frozenset({"cdop_coordinator"}))
    stmt, values = repo.list_statement(reader, repo.CaseFilters(outstanding=True, older_than_days=180),
                                       dt.date.today(), 51, None, engine.dialect.name)
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        sent.append((statement, parameters))

    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", capture)
        conn.execute(stmt, values).all()
        event.remove(conn, "before_cursor_execute", capture)
        statement, parameters = next(x for x in sent if "cdop_child_deaths" in x[0])
        plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert any("ix_cdop_child_deaths_open_death" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert any("ix_cdop_holds_open_case" in step for step in plan), plan
    assert any("ix_core_agency_requests_awaited" in step for step in plan), plan
    assert "'requested'" in statement and "'reporting_form'" in statement, statement
