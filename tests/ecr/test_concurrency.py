"""Concurrent public posts on PostgreSQL get distinct references, consecutive when none rolls back
(a notification that rolls back leaves a gap: core.references)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from ecr.models import CaseReview
from ecr.schemas import PublicNotificationIn
from tests.ecr.conftest import body

THREADS, PER_THREAD = 8, 5


@pytest.mark.postgres
def test_concurrent_public_posts_get_distinct_references(committed_db, app) -> None:
    from ecr import service

    barrier = threading.Barrier(THREADS)
    references: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    payload = PublicNotificationIn.model_validate(body())

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(PER_THREAD):
                with committed_db() as session:  # one session and transaction per post
                    case, _token = service.create_public(session, payload)
                    ref = case.reference
                    session.commit()
                with lock:
                    references.append(ref)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(references) == THREADS * PER_THREAD
    assert len(set(references)) == len(references)
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # nothing rolled back: no gap
    with committed_db() as session:
        assert session.scalar(select(func.count(func.distinct(CaseReview.reference)))) == len(references)
