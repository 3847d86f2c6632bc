"""Delivers queued emails over SMTP with retries and exponential backoff.

Several workers may run: on PostgreSQL each claims rows with ``FOR UPDATE SKIP LOCKED`` and
marks them in the same short transaction, so one message is not sent twice in the normal case.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db.base import utcnow
from core.outbox.models import OutboxMessage

log = logging.getLogger("core.outbox")
MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 6 * 3600


class PermanentFailure(Exception):
    """The server refused the message itself (bad address): retrying will not help."""


Sender = Callable[[OutboxMessage], None]


def smtp_sender(smtp_url: str, from_addr: str, timeout: float = 10.0) -> Sender:
    url = urlparse(smtp_url)
    host = url.hostname or "localhost"
    use_ssl = url.scheme == "smtps"
    port = url.port or (465 if use_ssl else 25)
    starttls = url.scheme == "smtp+starttls"

    def send(message: OutboxMessage) -> None:
        try:
            email = EmailMessage()
            email["From"] = from_addr
            email["To"] = message.to_addr
            email["Subject"] = message.subject
            email.set_content(message.body)
        except (ValueError, TypeError) as exc:  # e.g. a header with a line break: never sendable
            raise PermanentFailure(f"message cannot be built: {type(exc).__name__}") from exc
        cls = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
        try:
            with cls(host, port, timeout=timeout) as client:
                if starttls:
                    client.starttls(context=ssl.create_default_context())
                if url.username:
                    client.login(unquote(url.username), unquote(url.password or ""))
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentFailure(f"recipient refused ({codes[0]})") from exc
            raise
        except smtplib.SMTPDataError as exc:
            if 500 <= exc.smtp_code < 600:  # the server refused this message for good
                raise PermanentFailure(f"message refused ({exc.smtp_code})") from exc
            raise

    return send


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _claim(session: Session, now: dt.datetime, limit: int) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.execute(stmt).scalars())


LEASE = dt.timedelta(minutes=5)


def deliver_due(factory: sessionmaker[Session], sender: Sender, *, limit: int = 50,
                now: dt.datetime | None = None) -> tuple[int, int]:
    """One pass: returns (sent, failed_or_deferred).

    A message is claimed by pushing its next attempt past a lease in a short transaction, sent
    with no transaction open (a slow SMTP server never holds a database lock), then marked. A
    worker that dies mid-send leaves the lease to expire and the message is retried.
    """
    sent = failed = 0
    while sent + failed < limit:
        current = now or utcnow()
        with factory() as session, session.begin():
            batch = _claim(session, current, 1)
            if not batch:
                break
            message = batch[0]
            message.attempts += 1
            message.next_attempt_at = current + LEASE
            message_id, attempts = message.id, message.attempts
            # Write the claim (attempt count and lease) before letting go of the object:
            # an expunged object's pending changes would never reach the database.
            session.flush()
            session.expunge(message)
        outcome, error = "sent", None
        try:
            sender(message)
        except PermanentFailure as exc:
            outcome, error = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - any transport error is retried
            outcome = "failed" if attempts >= MAX_ATTEMPTS else "retry"
            error = f"{type(exc).__name__}: {exc}"
        with factory() as session, session.begin():
            row = session.get(OutboxMessage, message_id)
            if row is None:
                continue
            if outcome == "sent":
                row.status, row.sent_at, row.last_error = "sent", utcnow(), None
                sent += 1
            else:
                row.last_error = (error or "")[:500]
                if outcome == "failed":
                    row.status = "failed"
                    log.warning("email permanently failed", extra={"outbox_id": message_id})
                else:
                    row.next_attempt_at = current + backoff(attempts)
                    log.info("email delivery deferred",
                             extra={"outbox_id": message_id, "attempts": attempts})
                failed += 1
    return sent, failed


class BackgroundWorker:
    """The in-process worker of the embedded default (a daemon thread)."""

    def __init__(self, factory: sessionmaker[Session], sender: Sender | None, poll_seconds: float,
                 periodic_seconds: float = 3600.0) -> None:
        self.factory, self.sender, self.poll = factory, sender, poll_seconds
        self.periodic_seconds = periodic_seconds
        self._last_periodic = float("-inf")  # the first pass runs the periodic jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        import time

        from core.audit import seal_all
        from core.jobs import run_periodic_jobs

        while not self._stop.is_set():
            try:
                if time.monotonic() - self._last_periodic >= self.periodic_seconds:
                    self._last_periodic = time.monotonic()
                    run_periodic_jobs(self.factory)
                seal_all(self.factory)  # deferred audit sealing (a no-op when there is nothing)
                if self.sender is not None:
                    deliver_due(self.factory, self.sender)
            except Exception:  # noqa: BLE001 - the worker must survive a database hiccup
                log.exception("outbox pass failed")
            self._stop.wait(self.poll)
