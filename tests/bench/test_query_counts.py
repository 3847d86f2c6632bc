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
# SQLite: place_on_hold 11, start_screening 9. (start_information_gathering costs 11 + ~6 per agency
# notified: each reporting form is its own INSERT, audit append, link UPDATE and outbox INSERT.)
TRANSITION_MAX_STATEMENTS = 15


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split())[:120])

    @property
    def sql(self) -> list[str]:
        """Statements other than the savepoints the test fixtures wrap around commits."""
        return [s for s in self.statements if not s.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))]


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
