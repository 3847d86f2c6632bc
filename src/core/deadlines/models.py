from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, utcnow


class Deadline(IdMixin, Base):
    """A stored deadline, so "overdue" is an indexed query rather than a Python loop."""

    __tablename__ = "core_deadlines"
    __table_args__ = (
        Index("ix_core_deadlines_subject", "subject_type", "subject_id"),
        Index(
            "ix_core_deadlines_open_due",
            "subject_type",
            "due_on",
            postgresql_where=text("met_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=text("met_at IS NULL AND cancelled_at IS NULL"),
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
    cancelled_at: Mapped[dt.datetime | None] = mapped_column()
