"""Concurrent editors (issue #5): the same transition sent at once with one ETag succeeds
exactly once; the others get 412 (stale ETag) or 409, and history never doubles."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import IS_POSTGRES
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
