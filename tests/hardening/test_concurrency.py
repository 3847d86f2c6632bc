"""Concurrent editors (issue #5): the same transition sent at once with one ETag succeeds
exactly once; the others get 412 (stale ETag) or 409, and history never doubles."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import IS_POSTGRES, run_in_own_thread
from tests.hardening.conftest import committed_user
from tests.hardening.flows import STAFF, find_case, notify, transition

THREADS = 6


def _race(client: TestClient, kind: str, case_id: int, etag: str, action: str, headers) -> Counter:
    barrier = threading.Barrier(THREADS)
    codes: list[int] = []
    lock = threading.Lock()

    def go() -> None:
        barrier.wait(10)
        r = transition(client, kind, case_id, etag, action, headers)
        with lock:
            codes.append(r.status_code)
        assert r.status_code < 500, r.text

    threads = [threading.Thread(target=go) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return Counter(codes)


def _history_rows(engine, kind: str, case_id: int, action: str) -> int:
    subject = {"case_review": "case_review", "child_death": "child_death"}[kind]
    with engine.connect() as conn:
        return int(conn.execute(
            text("SELECT count(*) FROM core_workflow_history WHERE subject_type = :t "
                 "AND subject_id = :i AND action = :a"),
            {"t": subject, "i": case_id, "a": action},
        ).scalar_one())


@pytest.mark.parametrize("kind", sorted(STAFF))
def test_same_etag_concurrent_transitions_succeed_once(committed_client: TestClient, committed_db,
                                                       engine, kind: str) -> None:
    staff = committed_user(committed_db, STAFF[kind]["role"])
    ref = notify(committed_client, kind)["reference"]
    case_id, etag = find_case(committed_client, kind, ref, staff.headers)
    action = STAFF[kind]["first_action"]

    codes = _race(committed_client, kind, case_id, etag, action, staff.headers)

    assert sum(codes.values()) == THREADS and codes[200] == 1, codes
    assert set(codes) <= {200, 409, 412}, codes
    assert _history_rows(engine, kind, case_id, action) == 1
    history = committed_client.get(f"{STAFF[kind]['list']}/{case_id}/history", headers=staff.headers)
    assert history.status_code == 200
    assert [h["action"] for h in history.json()].count(action) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("kind", sorted(STAFF))
def test_concurrent_patch_and_transition_do_not_both_win(committed_client: TestClient, committed_db,
                                                         engine, kind: str) -> None:
    """Different writers holding one ETag: a PATCH and a transition. One wins, the other 412."""
    assert IS_POSTGRES
    staff = committed_user(committed_db, STAFF[kind]["role"])
    ref = notify(committed_client, kind)["reference"]
    case_id, etag = find_case(committed_client, kind, ref, staff.headers)
    base = STAFF[kind]["list"]
    patch_body = ({"incident": {"description": "Corrected by the hardening test."}}
                  if kind == "case_review" else {"case_summary": "Corrected by the hardening test."})
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def do_patch() -> None:
        barrier.wait(10)
        r = committed_client.patch(f"{base}/{case_id}", json=patch_body,
                                   headers={**staff.headers, "If-Match": etag})
        results["patch"] = r.status_code

    def do_transition() -> None:
        barrier.wait(10)
        results["transition"] = transition(committed_client, kind, case_id, etag,
                                           STAFF[kind]["first_action"], staff.headers).status_code

    threads = [threading.Thread(target=do_patch), threading.Thread(target=do_transition)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) in ([200, 412], [200, 409]), results


# ---- more requests in flight than the threadpool has threads ------------------------------------

def test_more_requests_in_flight_than_threads_all_answer(committed_db, engine) -> None:
    """An authenticated request to an async endpoint (/me) reads its user in one threadpool call
    and runs its endpoint on the loop; a sync endpoint (/child-deaths) reads it in its own
    threadpool call (core.auth.deps.DeferredAuthentication). Before that, every authenticated
    request read its user in a threadpool call of its own. On SQLite every transaction takes the write lock (BEGIN IMMEDIATE): if the user's
    read began the request's transaction, the request would hold the lock while waiting for a
    second thread, and with more requests in flight than threads every thread would wait for
    that lock (a hang until the busy timeout, then 503). Here: 2 threads, 12 requests at once."""
    import anyio
    import anyio.to_thread
    import httpx

    from tests.hardening.conftest import make_probe_app

    app = make_probe_app(committed_db)
    user = committed_user(committed_db, "cdop_coordinator")
    codes: list[int] = []

    async def main() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2  # this event loop's pool
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

            async def one(path: str) -> None:
                codes.append((await client.get(path, headers=user.headers)).status_code)

            with anyio.fail_after(20):  # the busy timeout is 30 s: a hang fails here first
                async with anyio.create_task_group() as tg:
                    for i in range(12):
                        tg.start_soon(one, "/api/v1/me" if i % 2 else "/api/v1/child-deaths")

    run_in_own_thread(lambda: anyio.run(main))
    assert codes == [200] * 12


def test_the_principal_read_leaves_no_write_lock_on_sqlite(committed_db, engine) -> None:
    """After the principal's lookup, another connection can take SQLite's write lock at once."""
    from fastapi.security import HTTPAuthorizationCredentials
    from starlette.requests import Request

    from core.auth.deps import get_principal
    from tests.hardening.conftest import make_probe_app

    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    app = make_probe_app(committed_db)
    user = committed_user(committed_db, "cdop_coordinator")
    request = Request({"type": "http", "app": app, "headers": [], "method": "GET", "path": "/"})
    with committed_db() as session:
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=user.token)
        # no endpoint in the scope: the lookup runs at once (as for an async endpoint), in a
        # threadpool call
        principal = run_in_own_thread(lambda: asyncio.run(get_principal(request, session, credentials)))
        assert principal.roles == {"cdop_coordinator"}
        assert not session.in_transaction()
        import sqlite3

        # a connection of its own (not the pool's: those keep their busy timeout), no waiting
        other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the lookup held it
            other.execute("ROLLBACK")
        finally:
            other.close()
