from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, utcnow

# A deadline is open until it has an outcome: met (on time or late, by comparing ``met_at``
# with ``due_on``), missed (closed unmet because the moment it guarded has passed) or waived
# (no longer owed, with the reason stored). It is never closed without one of these.
OPEN_WHERE = "met_at IS NULL AND missed_at IS NULL AND waived_at IS NULL"


class Deadline(IdMixin, Base):
    """A stored deadline, so "overdue" is an indexed query rather than a Python loop."""

    __tablename__ = "core_deadlines"
    __table_args__ = (
        Index("ix_core_deadlines_subject", "subject_type", "subject_id"),
        Index(
            "ix_core_deadlines_open_due",
            "subject_type",
            "due_on",
            postgresql_where=text(OPEN_WHERE),
            sqlite_where=text(OPEN_WHERE),
        ),
    )

    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    met_at: Mapped[dt.datetime | None] = mapped_column()
    missed_at: Mapped[dt.datetime | None] = mapped_column()
    waived_at: Mapped[dt.datetime | None] = mapped_column()
    waived_reason: Mapped[str | None] = mapped_column(String(500))

    @property
    def outcome(self) -> str | None:
        """``met_on_time``, ``met_late``, ``missed``, ``waived`` or None while open."""
        if self.met_at is not None:
            return "met_late" if self.met_at.date() > self.due_on else "met_on_time"
        if self.missed_at is not None:
            return "missed"
        if self.waived_at is not None:
            return "waived"
        return None
