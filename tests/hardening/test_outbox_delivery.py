"""Outbox delivery under load and failure (issue #5): several workers over one queue send each
message exactly once (counted at a real SMTP server), retries back off exponentially, and
permanent failures are visible to staff."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db.base import utcnow
from core.outbox import enqueue_email
from core.outbox.models import OutboxMessage
from core.outbox.worker import BASE_BACKOFF_SECONDS, MAX_ATTEMPTS, deliver_due, smtp_sender
from tests.conftest import TEST_DB_URL, SmtpSink, free_port
from tests.hardening.conftest import committed_user, record_figures

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _enqueue(factory, n: int, prefix: str) -> None:
    with factory() as s, s.begin():
        for i in range(n):
            enqueue_email(s, to=f"agency{i}@example.org", subject=f"{prefix} {i:04d}",
                          body="A reference and a link only.", topic=f"test:{i}")


class _SlowSink(SmtpSink):
    """A real SMTP server that takes a little while per message (so workers overlap) and
    remembers who sent each message (the envelope sender)."""

    def __init__(self, delay: float) -> None:
        import asyncio

        from aiosmtpd.controller import Controller

        super().__init__()
        inner = self.controller.handler
        self.senders: Counter = Counter()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                await asyncio.sleep(delay)
                sink.senders[envelope.mail_from] += 1
                return await inner.handle_DATA(server, session, envelope)

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


def _count_status(factory, status: str) -> int:
    from sqlalchemy import func

    with factory() as s:
        return int(s.execute(select(func.count()).where(OutboxMessage.status == status)).scalar_one())


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_many_workers_send_each_message_exactly_once(committed_db) -> None:
    """Two `ecr worker` processes and four worker threads drain one queue of 80 emails."""
    n, threads_n = 80, 4
    smtp = _SlowSink(0.03).start()
    _enqueue(committed_db, n, "multi")
    procs = []
    try:
        ecr = os.path.join(os.path.dirname(sys.executable), "ecr")
        for i in range(2):
            env = {**os.environ, "ECR_DATABASE_URL": TEST_DB_URL, "ECR_SMTP_URL": smtp.url,
                   "ECR_SMTP_FROM": f"process{i}@example.org", "ECR_WORKER_POLL_SECONDS": "0.2",
                   "ECR_RUN_WORKER_IN_PROCESS": "false"}
            procs.append(subprocess.Popen([ecr, "worker"], env=env, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # The processes start first (loading the app takes seconds); the threads join in as
        # soon as the processes are delivering.
        assert _wait(lambda: _count_status(committed_db, "sent") > 0, 90), "no worker process delivered"
        sender = smtp_sender(smtp.url, "thread@example.org")
        barrier = threading.Barrier(threads_n)

        def worker() -> None:
            barrier.wait(10)
            while deliver_due(committed_db, sender, limit=5) != (0, 0):
                pass

        threads = [threading.Thread(target=worker) for _ in range(threads_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert _wait(lambda: _count_status(committed_db, "sent") == n, 60)
        received = list(smtp.wait_for(n, timeout=20))
        time.sleep(0.5)  # anything sent twice would arrive now
        received = list(smtp.messages)
    finally:
        for p in procs:  # idle (the queue is empty): nothing is lost by stopping them
            p.terminate()
            p.wait(20)
        smtp.stop()

    subjects = Counter(m["subject"] for m in received)
    assert len(received) == n, f"{len(received)} received for {n} queued"
    assert all(count == 1 for count in subjects.values()), [s for s, c in subjects.items() if c > 1]
    with committed_db() as s:
        statuses = Counter(s.execute(select(OutboxMessage.status)).scalars())
    assert statuses == {"sent": n}
    by_threads = smtp.senders["thread@example.org"]
    by_procs = [smtp.senders[f"process{i}@example.org"] for i in range(2)]
    assert by_threads + sum(by_procs) == n
    record_figures("outbox multi-worker", queued=n, delivered=len(received),
                   duplicates=sum(c - 1 for c in subjects.values()),
                   sent_by_threads=by_threads, sent_by_processes="+".join(map(str, by_procs)))


def test_transport_errors_back_off_exponentially_then_fail_visibly(
    committed_db, committed_client: TestClient
) -> None:
    _enqueue(committed_db, 1, "backoff")
    dead = smtp_sender(f"smtp://127.0.0.1:{free_port()}", "no-reply@example.org", timeout=2)
    now = utcnow()
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_due(committed_db, dead, now=now) == (0, 1)
        with committed_db() as s:
            msg = s.execute(select(OutboxMessage)).scalar_one()
        assert msg.attempts == attempt
        assert "ConnectionRefusedError" in (msg.last_error or "")
        if attempt < MAX_ATTEMPTS:
            assert msg.status == "pending"
            delays.append((msg.next_attempt_at - now).total_seconds())
            # not due before its time
            assert deliver_due(committed_db, dead, now=msg.next_attempt_at - dt.timedelta(seconds=1)) == (0, 0)
            now = msg.next_attempt_at
    assert msg.status == "failed"
    assert delays[:3] == [BASE_BACKOFF_SECONDS, 2 * BASE_BACKOFF_SECONDS, 4 * BASE_BACKOFF_SECONDS]
    assert all(b > a for a, b in zip(delays, delays[1:], strict=False))

    # staff see the failure (not the content) through the API
    staff = committed_user(committed_db, "business_unit")
    client = committed_client
    r = client.get("/api/v1/outbox", params={"status": "failed"}, headers=staff.headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["topic"] for i in items] == ["test:0"]
    assert items[0]["attempts"] == MAX_ATTEMPTS and items[0]["last_error"]
    assert "body" not in items[0] and "to_addr" not in items[0]
    assert client.get("/api/v1/outbox", params={"status": "failed"},
                      headers=committed_user(committed_db, "crg_member").headers).status_code == 403


class _RefusingSink(SmtpSink):
    """An SMTP server that refuses every recipient with 550 (a permanent failure)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        super().__init__()

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
                return "550 5.1.1 no such user"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


def test_refused_recipient_fails_at_once(committed_db) -> None:
    sink = _RefusingSink().start()
    try:
        _enqueue(committed_db, 1, "refused")
        assert deliver_due(committed_db, smtp_sender(sink.url, "no-reply@example.org")) == (0, 1)
    finally:
        sink.stop()
    with committed_db() as s:
        msg = s.execute(select(OutboxMessage)).scalar_one()
    assert (msg.status, msg.attempts) == ("failed", 1)
    assert "550" in (msg.last_error or "")
