"""The outbox: delivery over real SMTP, retries with backoff, permanent failures."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db.base import utcnow
from core.outbox import enqueue_email
from core.outbox.models import OutboxMessage
from core.outbox.worker import MAX_ATTEMPTS, PermanentFailure, backoff, deliver_due, smtp_sender

FROM = "no-reply@example.test"


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"smtp://127.0.0.1:{port}"  # nothing listens there any more


def _queue(db, n: int = 1, **kw) -> list[int]:
    ids = []
    for i in range(n):
        m = enqueue_email(db, to=kw.get("to", f"person{i}@example.test"), subject=f"Case update {i}",
                          body=f"Reference ECR-{i}: a decision was made.", topic=f"case_review:{i}")
        db.flush()
        ids.append(m.id)
    db.commit()
    return ids


def _row(db, mid: int) -> OutboxMessage:
    db.expire_all()
    return db.get(OutboxMessage, mid)


def test_delivered_over_smtp(db, session_factory, smtp_server) -> None:
    ids = _queue(db, 2)
    assert deliver_due(session_factory, smtp_sender(smtp_server.url, FROM)) == (2, 0)
    got = smtp_server.wait_for(2)
    assert sorted(m["to"][0] for m in got) == ["person0@example.test", "person1@example.test"]
    assert {m["subject"] for m in got} == {"Case update 0", "Case update 1"}
    assert "Reference ECR-0" in next(m["body"] for m in got if m["subject"] == "Case update 0")
    for mid in ids:
        row = _row(db, mid)
        assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
        assert row.sent_at is not None
    # Nothing is sent twice.
    assert deliver_due(session_factory, smtp_sender(smtp_server.url, FROM)) == (0, 0)
    assert len(smtp_server.messages) == 2


def test_server_down_retries_with_backoff_then_delivers(db, session_factory, smtp_server) -> None:
    (mid,) = _queue(db)
    before = utcnow()
    assert deliver_due(session_factory, smtp_sender(closed_port_url(), FROM, timeout=2)) == (0, 1)
    row = _row(db, mid)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error and "Connection" in row.last_error
    assert row.next_attempt_at >= before + backoff(1)
    # Not due yet: a pass right away does not touch it.
    assert deliver_due(session_factory, smtp_sender(smtp_server.url, FROM)) == (0, 0)
    assert smtp_server.messages == []

    # Still down at the next attempt: the wait doubles.
    later = row.next_attempt_at + dt.timedelta(seconds=1)
    assert deliver_due(session_factory, smtp_sender(closed_port_url(), FROM, timeout=2), now=later) == (0, 1)
    row = _row(db, mid)
    assert row.attempts == 2 and row.next_attempt_at == later + backoff(2)

    # The server is back: delivered.
    much_later = row.next_attempt_at + dt.timedelta(seconds=1)
    assert deliver_due(session_factory, smtp_sender(smtp_server.url, FROM), now=much_later) == (1, 0)
    assert len(smtp_server.wait_for(1)) == 1
    row = _row(db, mid)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == dt.timedelta(hours=6)


def test_permanent_failure_after_max_attempts(client: TestClient, make_user, db, session_factory) -> None:
    (mid,) = _queue(db)
    db.get(OutboxMessage, mid).attempts = MAX_ATTEMPTS - 1
    db.commit()
    assert deliver_due(session_factory, smtp_sender(closed_port_url(), FROM, timeout=2)) == (0, 1)
    row = _row(db, mid)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and row.last_error
    # Failed messages are never picked up again.
    far = utcnow() + dt.timedelta(days=30)
    assert deliver_due(session_factory, smtp_sender(closed_port_url(), FROM, timeout=2), now=far) == (0, 0)

    for role in ("business_unit", "admin", "cdop_coordinator"):
        user = make_user(role)
        r = client.get("/api/v1/outbox", params={"status": "failed"}, headers=user.headers)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert [i["id"] for i in items] == [mid]
        assert items[0]["status"] == "failed" and items[0]["topic"] == "case_review:0"
        # Delivery state only: neither the address nor the content.
        assert "person0@example.test" not in r.text and "Reference" not in r.text
    user = make_user("business_unit")
    assert client.get("/api/v1/outbox", params={"status": "pending"}, headers=user.headers).json()["items"] == []
    assert client.get("/api/v1/outbox", params={"status": "lost"}, headers=user.headers).status_code == 422
    assert client.get("/api/v1/outbox", headers=make_user("crg_member").headers).status_code == 403
    assert client.get("/api/v1/outbox").status_code == 401


class RefusingSmtp:
    """A real SMTP server that refuses every recipient with the given reply."""

    def __init__(self, reply: str) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
                return reply

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def refusing_smtp(request) -> Iterator[RefusingSmtp]:
    server = RefusingSmtp(request.param)
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.mark.parametrize("refusing_smtp", ["550 5.1.1 mailbox unavailable"], indirect=True)
def test_5xx_recipient_refusal_fails_at_once(db, session_factory, refusing_smtp, client, make_user) -> None:
    (mid,) = _queue(db, to="nobody@example.test")
    assert deliver_due(session_factory, smtp_sender(refusing_smtp.url, FROM)) == (0, 1)
    row = _row(db, mid)
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error
    r = client.get("/api/v1/outbox?status=failed", headers=make_user("business_unit").headers)
    assert [i["id"] for i in r.json()["items"]] == [mid]


@pytest.mark.parametrize("refusing_smtp", ["450 4.2.0 mailbox busy"], indirect=True)
def test_4xx_recipient_refusal_is_retried(db, session_factory, refusing_smtp) -> None:
    (mid,) = _queue(db)
    assert deliver_due(session_factory, smtp_sender(refusing_smtp.url, FROM)) == (0, 1)
    row = _row(db, mid)
    assert row.status == "pending" and row.attempts == 1 and "450" in row.last_error


def test_each_message_tried_once_per_pass(db, session_factory) -> None:
    ids = _queue(db, 4)
    calls: list[int] = []

    def flaky(message: OutboxMessage) -> None:
        calls.append(message.id)
        if message.id == ids[1]:
            raise ConnectionError("temporarily down")
        if message.id == ids[2]:
            raise PermanentFailure("recipient refused (550)")

    now = utcnow()
    assert deliver_due(session_factory, flaky, now=now) == (2, 2)
    assert sorted(calls) == sorted(ids)
    assert [_row(db, i).status for i in ids] == ["sent", "pending", "failed", "sent"]
    calls.clear()
    assert deliver_due(session_factory, flaky, now=now) == (0, 0)
    assert calls == []


def test_limit_bounds_a_pass(db, session_factory) -> None:
    _queue(db, 5)
    seen: list[int] = []
    assert deliver_due(session_factory, lambda m: seen.append(m.id), limit=3) == (3, 0)
    assert deliver_due(session_factory, lambda m: seen.append(m.id), limit=3) == (2, 0)
    assert len(seen) == len(set(seen)) == 5


def test_claim_is_written_before_sending(db, session_factory) -> None:
    """While a message is being sent, its attempt and lease are already in the database, so a
    second worker does not pick it up and a crash mid-send still counts the attempt."""
    (mid,) = _queue(db)
    observed: dict[str, object] = {}

    def sender(message: OutboxMessage) -> None:
        with session_factory() as s:
            row = s.get(OutboxMessage, mid)
            observed.update(attempts=row.attempts, next_attempt_at=row.next_attempt_at)
            observed["second_worker"] = deliver_due(session_factory, lambda m: None)

    now = utcnow()
    deliver_due(session_factory, sender, now=now)
    assert observed["attempts"] == 1
    assert observed["next_attempt_at"] > now
    assert observed["second_worker"] == (0, 0)


def test_unbuildable_message_fails_permanently(db, session_factory, smtp_server) -> None:
    (mid,) = _queue(db, to="bad\r\nBcc: everyone@example.test")
    assert deliver_due(session_factory, smtp_sender(smtp_server.url, FROM)) == (0, 1)
    assert _row(db, mid).status == "failed"
    assert smtp_server.messages == []


def test_enqueue_is_part_of_the_callers_transaction(db) -> None:
    enqueue_email(db, to="x@example.test", subject="S" * 400, body="b", topic="t")
    db.rollback()
    assert db.scalars(select(OutboxMessage)).all() == []
    m = enqueue_email(db, to="x@example.test", subject="S" * 400, body="b")
    db.flush()
    assert len(m.subject) == 300 and m.status == "pending" and m.attempts == 0
