from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, utcnow


class OutboxMessage(IdMixin, Base):
    """An email written in the same transaction as the change it reports; sent by the worker."""

    __tablename__ = "core_outbox"
    __table_args__ = (
        Index(
            "ix_core_outbox_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_core_outbox_status", "status", "id"),
    )

    kind: Mapped[str] = mapped_column(String(30), default="email")
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending -> sent | failed (permanent). Retries keep it pending with a later next_attempt_at.
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    # What the message is about, for staff: e.g. "case_review:12" (never case content).
    topic: Mapped[str | None] = mapped_column(String(100))
