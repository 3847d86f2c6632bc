from __future__ import annotations

from sqlalchemy.orm import Session

from core.outbox.models import OutboxMessage


def enqueue_email(session: Session, *, to: str, subject: str, body: str, topic: str | None = None) -> OutboxMessage:
    """Queue an email in the caller's transaction: it leaves only if the change commits.

    Keep case content out of the body: a reference, a decision, a link.
    """
    message = OutboxMessage(to_addr=to, subject=subject[:300], body=body, topic=topic)
    session.add(message)
    return message
