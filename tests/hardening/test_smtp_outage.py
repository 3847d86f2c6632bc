"""A dead SMTP server delays mail, never loses it (issue #5): notifications are accepted while
SMTP is down; when it comes back every queued email is delivered exactly once."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db.base import utcnow
from core.outbox.models import OutboxMessage
from core.outbox.worker import deliver_due, smtp_sender
from tests.conftest import SmtpSink
from tests.hardening.conftest import record_figures
from tests.hardening.flows import notify
from tests.hardening.payloads import PUBLIC_ENDPOINTS


def _pending(db) -> int:
    return int(db.execute(select(func.count()).where(OutboxMessage.status == "pending")).scalar_one())


def test_notifications_accepted_during_outage_and_mail_delivered_after(
    client: TestClient, db, session_factory
) -> None:
    sink = SmtpSink()  # its port is reserved but nobody listens yet: the server is down
    sender = smtp_sender(sink.url, "no-reply@example.org", timeout=2)
    before = _pending(db)
    references = []
    for kind in sorted(PUBLIC_ENDPOINTS):
        for _ in range(4):
            references.append(notify(client, kind)["reference"])
    assert len(references) == 8
    db.expire_all()
    queued = _pending(db) - before
    assert queued >= len(references), "each notification queues at least a receipt"

    # the worker tries while the server is down: nothing is sent, nothing is lost
    sent, deferred = deliver_due(session_factory, sender, limit=500)
    assert (sent, deferred) == (0, queued)
    db.expire_all()
    assert _pending(db) == before + queued
    rows = db.execute(select(OutboxMessage).where(OutboxMessage.status == "pending")).scalars().all()
    assert all(r.attempts == 1 and r.last_error for r in rows if r.attempts)

    sink.start()
    try:
        # the retry comes when the backoff allows; move the clock past it
        later = utcnow() + dt.timedelta(hours=1)
        sent, deferred = deliver_due(session_factory, sender, limit=500, now=later)
        received = sink.wait_for(queued, timeout=20)
    finally:
        sink.stop()
    assert (sent, deferred) == (queued, 0)
    assert len(received) == queued
    db.expire_all()
    assert _pending(db) == before
    # every notifier got their receipt, naming the reference
    bodies = "\n".join(m["subject"] + "\n" + m["body"] for m in received)
    assert all(ref in bodies for ref in references)
    record_figures("smtp outage", notifications=len(references), emails_queued=queued,
                   delivered_after_recovery=len(received), lost=queued - len(received))
