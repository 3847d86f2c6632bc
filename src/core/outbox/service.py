from __future__ import annotations

from sqlalchemy.orm import Session

from core.outbox.models import OutboxMessage

_INSERT = OutboxMessage.__table__.insert()


def enqueue_email(session: Session, *, to: str, subject: str, body: str, topic: str | None = None) -> OutboxMessage:
    """Queue an email in the caller's transaction: it leaves only if the change commits.

    Keep case content out of the body: a reference, a decision, a link.
    """
    message = OutboxMessage(to_addr=to, subject=subject[:300], body=body, topic=topic)
    session.add(message)
    return message


def queue_email(session: Session, *, to: str, subject: str, body: str, topic: str | None = None) -> None:
    """:func:`enqueue_email` for hot paths that do not need the message back: the same row,
    inserted at once with one Core INSERT on the session's connection (no ORM object, no
    flush). Same rule: no case content in the body."""
    session.connection().execute(
        _INSERT,
        {"to_addr": to, "subject": subject[:300], "body": body, "topic": topic},
    )
