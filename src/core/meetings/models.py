from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, IdMixin, TimestampMixin, VersionMixin


class Meeting(IdMixin, TimestampMixin, VersionMixin, Base):
    __tablename__ = "core_meetings"
    __table_args__ = (Index("ix_core_meetings_kind_when", "kind", "scheduled_for"),)

    kind: Mapped[str] = mapped_column(String(30))  # crg | cdop_panel
    title: Mapped[str | None] = mapped_column(String(200))
    scheduled_for: Mapped[dt.datetime] = mapped_column()
    location: Mapped[str | None] = mapped_column(String(300))
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_updated_at: Mapped[dt.datetime | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(200))

    members: Mapped[list["MeetingMember"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MeetingMember.user_id"
    )
    agenda: Mapped[list["AgendaItem"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AgendaItem.position"
    )


class MeetingMember(Base):
    __tablename__ = "core_meeting_members"
    __table_args__ = (Index("ix_core_meeting_members_user", "user_id", "meeting_id"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("core_meetings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_users.id"), primary_key=True)


class AgendaItem(IdMixin, Base):
    __tablename__ = "core_agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "subject_type", "subject_id"),
        Index("ix_core_agenda_items_subject", "subject_type", "subject_id"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("core_meetings.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[dt.datetime] = mapped_column()
    added_by: Mapped[str] = mapped_column(String(200))
