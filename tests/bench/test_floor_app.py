"""The bench's floor app (bench/floor_app.py) on the test database.

Benchmarks are not tests, but two things the figures in bench/README.md rest on are checked
here: the floors' plain SQL still fits the schema the migrations build (a new NOT NULL column
would otherwise break ``make bench`` unnoticed), and the "same writes" floors write the rows the
service writes for the same request, no fewer. Real commits; every table is emptied afterwards.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, func, select, text

from tests.conftest import IS_POSTGRES, TEST_DB_URL, run_in_own_thread

API = "/api/v1"
_WRITE = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", re.IGNORECASE)


@contextmanager
def writes() -> Iterator[Counter[tuple[str, str]]]:
    """(verb, table) of every write statement on any engine while the block runs (the service's
    reference counter and the floor's have engines of their own on PostgreSQL)."""
    seen: Counter[tuple[str, str]] = Counter()

    def listener(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        m = _WRITE.match(statement)
        if m:
            seen[(m.group(1).split()[0].upper(), m.group(2))] += 1

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


def call(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as ac:
            return await ac.request(method, path, **kwargs)

    return run_in_own_thread(lambda: asyncio.run(go()))


@pytest.fixture
def floor(committed_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from bench.floor_app import app_factory
    from tests.cdop.helpers import quick_user

    quick_user(committed_db, "cdop_coordinator")  # the floor re-reads a user, as the service does
    monkeypatch.setenv("ECR_DATABASE_URL", TEST_DB_URL)
    return app_factory()


def count(session: Any, table: str, where: str = "1 = 1", **params: Any) -> int:
    return session.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), params).scalar_one()


def test_the_intake_floors_write_what_the_service_writes(committed_db: Any, floor: Any) -> None:
    from bench.scenarios import _notification
    from core.app import create_app
    from core.settings import get_settings

    service = create_app(get_settings(), committed_db, start_worker=False)
    body = _notification(1)
    with writes() as ours:
        r = call(service, "POST", f"{API}/public/case-review-notifications", json=body,
                 headers={"Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    key = uuid.uuid4().hex
    with writes() as same:
        f = call(floor, "POST", "/floor/intake-same-writes", json=body, headers={"Idempotency-Key": key})
    assert f.status_code == 201, f.text
    assert same == ours, "the same-writes floor no longer writes what the service writes"
    assert set(ours) >= {("INSERT", t) for t in ("ecr_case_reviews", "core_deadlines", "core_workflow_history",
                                                  "core_audit_events", "core_outbox", "core_idempotency_keys")}

    with committed_db() as s:
        case_id = s.execute(text("SELECT id FROM ecr_case_reviews WHERE reference = :r"),
                            {"r": f.json()["reference"]}).scalar_one()
        subject = {"t": "case_review", "i": case_id}
        assert count(s, "core_deadlines", "subject_type = :t AND subject_id = :i", **subject) == 2
        assert count(s, "core_workflow_history", "subject_type = :t AND subject_id = :i", **subject) == 1
        assert count(s, "core_audit_events", "subject_type = :t AND subject_id = :s",
                     t="case_review", s=str(case_id)) == 1
        assert count(s, "core_outbox", "topic = :topic", topic=f"case_review:{case_id}") == 1

    # the stored reply is replayed for the same key, nothing written again
    with writes() as again:
        replay = call(floor, "POST", "/floor/intake-same-writes", json=body, headers={"Idempotency-Key": key})
    assert replay.status_code == 201 and not again

    # the floor: the one INSERT
    with writes() as one:
        assert call(floor, "POST", "/floor/intake", json=body).status_code == 201
    assert one == Counter({("INSERT", "ecr_case_reviews"): 1})

    if IS_POSTGRES:  # the same writes as one statement (information, PostgreSQL only)
        with writes() as cte:
            r1 = call(floor, "POST", "/floor/intake-one-statement", json=body,
                      headers={"Idempotency-Key": uuid.uuid4().hex})
        assert r1.status_code == 201, r1.text
        # the counter apart (as the service takes it), every other row in the one WITH statement
        assert cte == Counter({("INSERT", "core_reference_counters"): 1})
        with committed_db() as s:
            cid = s.execute(text("SELECT id FROM ecr_case_reviews WHERE reference = :r"),
                            {"r": r1.json()["reference"]}).scalar_one()
            assert count(s, "core_deadlines", "subject_type = 'case_review' AND subject_id = :i", i=cid) == 2
            assert count(s, "core_outbox", "topic = :topic", topic=f"case_review:{cid}") == 1


def test_the_transition_floors_write_what_the_service_writes(committed_db: Any, floor: Any) -> None:
    from cdop.models import ChildDeath, ChildDeathHold
    from core.app import create_app
    from core.settings import get_settings
    from tests.cdop.helpers import make_case, quick_user

    with committed_db() as s:
        ours_id = make_case(s, status="information_gathering").id
        floor_id = make_case(s, status="closed").id
        s.commit()
    user = quick_user(committed_db, "cdop_coordinator")
    service = create_app(get_settings(), committed_db, start_worker=False)
    headers = {**user.headers, "If-Match": "*"}
    with writes() as ours:
        r = call(service, "POST", f"{API}/child-deaths/{ours_id}/transitions", headers=headers,
                 json={"action": "place_on_hold", "hold_reason": "inquest", "expected_on": "2099-01-01"})
    assert r.status_code == 200, r.text
    with writes() as same:
        f = call(floor, "POST", f"/floor/child-deaths/{floor_id}/transitions-same-writes",
                 json={"action": "place_on_hold"})
    assert f.status_code == 200, f.text
    assert same == ours, "the same-writes floor no longer writes what the service writes"

    with writes() as release:
        f2 = call(floor, "POST", f"/floor/child-deaths/{floor_id}/transitions-same-writes",
                  json={"action": "release_hold"})
    assert f2.status_code == 200 and release[("UPDATE", "cdop_holds")] == 1
    with committed_db() as s:
        stored = s.get(ChildDeath, floor_id)
        assert (stored.status, stored.version) == ("closed", 3)
        assert s.scalar(select(func.count()).select_from(ChildDeathHold).where(
            ChildDeathHold.child_death_id == floor_id, ChildDeathHold.released_at.is_(None))) == 0

    # the floor: UPDATE + INSERT
    with writes() as pair:
        plain = call(floor, "POST", f"/floor/child-deaths/{floor_id}/transitions",
                     json={"action": "close", "from": "closed", "to": "closed"})
    assert plain.status_code == 200
    assert pair == Counter({("UPDATE", "cdop_child_deaths"): 1, ("INSERT", "core_workflow_history"): 1})
