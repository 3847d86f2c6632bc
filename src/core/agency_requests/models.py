from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin, VersionMixin


class AgencyRequest(IdMixin, TimestampMixin, VersionMixin, Base):
    __tablename__ = "core_agency_requests"
    __table_args__ = (
        Index("ix_core_agency_requests_subject", "subject_type", "subject_id"),
        Index("ix_core_agency_requests_assignee", "assignee_user_id"),
        Index(
            "ix_core_agency_requests_open_due",
            "subject_type",
            "due_on",
            postgresql_where=text("status = 'requested'"),
            sqlite_where=text("status = 'requested'"),
            # overdue forms per agency answered from the index alone on PostgreSQL
            postgresql_include=["kind", "agency", "subject_id"],
        ),
        Index("ix_core_agency_requests_agency", "subject_type", "agency"),
        # the awaited forms of one subject, with what a list shows of them (migration 0006)
        Index(
            "ix_core_agency_requests_awaited", "subject_type", "kind", "subject_id", "due_on", "id", "agency",
            postgresql_where=text("status = 'requested'"), sqlite_where=text("status = 'requested'"),
        ),
    )

    subject_type: Mapped[str] = mapped_column(String(50))  # case_review | child_death
    subject_id: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(50))  # agency_report | reporting_form
    agency: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("core_users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    # requested -> submitted | waived ("overdue" is derived: requested and due_on < today)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    # the forms asked for, each {"key", "version"} as shipped when the request was made (a
    # domain's own definitions; NULL on requests made before forms were versioned)
    forms: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    not_known: Mapped[list[Any]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    waived_reason: Mapped[str | None] = mapped_column(Text)
    waived_at: Mapped[dt.datetime | None] = mapped_column()
    # single-use links: the id of the one link currently valid; cleared when used
    link_jti: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[dt.datetime | None] = mapped_column()
    last_reminder_at: Mapped[dt.datetime | None] = mapped_column()
    reminders_sent: Mapped[int] = mapped_column(default=0)
