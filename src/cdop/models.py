"""Models of the child death review module (tables prefixed ``cdop_``).

Reporting forms are ``core_agency_requests`` rows (subject_type ``child_death``, kind
``reporting_form``); workflow history lives in ``core_workflow_history``. No foreign key points
at ``ecr_*`` tables: a referral to case review is stored as the other side's reference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from core.db.base import Base, IdMixin, TimestampMixin, VersionMixin, utcnow
from core.deadlines.models import Deadline

# Cases that are no longer outstanding (API.md: "not closed, withdrawn or transferred out").
FINISHED_STATES = ("closed", "withdrawn", "transferred_out")
_OPEN_CASES = "status NOT IN ('closed', 'withdrawn', 'transferred_out')"


class ChildDeath(IdMixin, TimestampMixin, VersionMixin, Base):
    """One notified death of a child, from notification to a closed review."""

    __tablename__ = "cdop_child_deaths"
    __table_args__ = (
        UniqueConstraint("reference"),
        # the outstanding list: status filters, ordered by date of death (keyset)
        Index("ix_cdop_child_deaths_status_death", "status", "date_of_death", "id"),
        # open cases only (partial): outstanding=true, older_than_days, the summary
        Index(
            # status last: the summary's GROUP BY status reads the index alone (no heap visits)
            "ix_cdop_child_deaths_open_death", "date_of_death", "id", "status",
            postgresql_where=text(_OPEN_CASES), sqlite_where=text(_OPEN_CASES),
        ),
        # duplicate detection
        Index("ix_cdop_child_deaths_nhs_number", "nhs_number"),
        Index("ix_cdop_child_deaths_identity", "date_of_birth", "date_of_death"),
        # annual statistics
        Index("ix_cdop_child_deaths_received", "received_at"),
        Index("ix_cdop_child_deaths_analysed", "analysed_at"),
        # annual statistics: deaths transferred out in the period (migration 0012)
        Index("ix_cdop_child_deaths_transferred_out", "transferred_out_on"),
    )

    reference: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default="notified")
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20))  # public | staff
    created_by: Mapped[str] = mapped_column(String(200))

    # the child
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(100))
    nhs_number: Mapped[str | None] = mapped_column(String(10))  # 10 digits, or null
    # provided | not_available | non_resident_in_england | not_given
    nhs_number_status: Mapped[str] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(500))
    local_authority: Mapped[str | None] = mapped_column(String(200))

    # the death
    date_of_death: Mapped[dt.date] = mapped_column(Date)
    time_of_death: Mapped[str | None] = mapped_column(String(5))  # HH:MM
    place_of_death: Mapped[str] = mapped_column(String(30))
    place_detail: Mapped[str | None] = mapped_column(String(300))
    expected: Mapped[bool] = mapped_column(Boolean)
    jar_triggered: Mapped[bool | None] = mapped_column(Boolean)
    coroner_involved: Mapped[bool | None] = mapped_column(Boolean)
    # derived from the two dates (kept in step by the service) for SQL statistics
    age_at_death_days: Mapped[int] = mapped_column(Integer)
    age_at_death_years: Mapped[int] = mapped_column(Integer)

    # the notifier
    notifier_name: Mapped[str] = mapped_column(String(200))
    notifier_email: Mapped[str] = mapped_column(String(254))
    notifier_agency: Mapped[str] = mapped_column(String(200))
    notifier_role: Mapped[str | None] = mapped_column(String(200))
    notifier_phone: Mapped[str | None] = mapped_column(String(50))

    # agencies that knew the child, as notified: [{name, contact_email}]
    agencies: Mapped[list[Any]] = mapped_column(JSON, default=list)

    case_summary: Mapped[str | None] = mapped_column(Text)  # written by the coordinator

    # out of area
    home_area: Mapped[str | None] = mapped_column(String(200))
    home_cdop_email: Mapped[str | None] = mapped_column(String(254))
    non_resident: Mapped[bool] = mapped_column(Boolean, default=False)
    # responsibility (migration 0012): a looked-after child's panel is the area looking after them
    looked_after: Mapped[bool | None] = mapped_column(Boolean)
    looked_after_by: Mapped[str | None] = mapped_column(String(200))
    # transfer_out: the home CDOP's contact, the day, and the home panel's outcome when it comes
    home_cdop_contact_name: Mapped[str | None] = mapped_column(String(200))
    home_cdop_phone: Mapped[str | None] = mapped_column(String(50))
    transferred_out_on: Mapped[dt.date | None] = mapped_column(Date)
    external_outcome_received_on: Mapped[dt.date | None] = mapped_column(Date)
    external_category: Mapped[int | None] = mapped_column(Integer)
    external_modifiable: Mapped[str | None] = mapped_column(String(30))
    external_outcome_note: Mapped[str | None] = mapped_column(Text)
    external_outcome_recorded_at: Mapped[dt.datetime | None] = mapped_column()
    external_outcome_recorded_by: Mapped[str | None] = mapped_column(String(200))
    # a death transferred to us by another area's CDOP
    transferred_from_area: Mapped[str | None] = mapped_column(String(200))
    transferred_from_email: Mapped[str | None] = mapped_column(String(254))
    transferred_from_received_on: Mapped[dt.date | None] = mapped_column(Date)

    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    panel_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("core_meetings.id"))

    # analysis (recorded at the panel by the chair)
    category: Mapped[int | None] = mapped_column(Integer)
    modifiable: Mapped[str | None] = mapped_column(String(30))
    domain_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    learning: Mapped[str | None] = mapped_column(Text)
    learning_points: Mapped[list[Any] | None] = mapped_column(JSON)
    # the actions as recorded before they became rows (migration 0014 moved them to
    # cdop_actions and cleared this column; nothing writes it any more)
    actions: Mapped[list[Any] | None] = mapped_column(JSON)
    # per-domain factors [{domain, factor, score, comment}] and the event (migration 0014)
    factors: Mapped[list[Any] | None] = mapped_column(JSON)
    event_leading_to_death: Mapped[str | None] = mapped_column(Text)
    refer_to_case_review: Mapped[bool | None] = mapped_column(Boolean)
    analysed_at: Mapped[dt.datetime | None] = mapped_column()
    analysed_by: Mapped[str | None] = mapped_column(String(200))
    case_review_reference: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    # why no child death review meeting is needed (given on mark_ready_for_panel; migration 0011)
    cdrm_not_required_reason: Mapped[str | None] = mapped_column(Text)


class ChildDeathHold(IdMixin, Base):
    """A period during which the review waits (inquest, criminal proceedings, case review)."""

    __tablename__ = "cdop_holds"
    __table_args__ = (
        Index("ix_cdop_holds_child_death", "child_death_id", "id"),
        Index(
            "ix_cdop_holds_open_reason", "reason", "child_death_id",
            postgresql_where=text("released_at IS NULL"), sqlite_where=text("released_at IS NULL"),
        ),
        Index("ix_cdop_holds_placed", "placed_at"),
        # the open holds of one case: the outstanding list's (migration 0006)
        Index("ix_cdop_holds_open_case", "child_death_id",
              postgresql_where=text("released_at IS NULL"), sqlite_where=text("released_at IS NULL")),
    )

    child_death_id: Mapped[int] = mapped_column(ForeignKey("cdop_child_deaths.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(30))
    expected_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    placed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    placed_by: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[dt.datetime | None] = mapped_column()
    released_by: Mapped[str | None] = mapped_column(String(200))
    # when the coordinators were told the expected date had passed (migration 0011; cleared by a
    # review that sets a new expected date)
    overdue_notified_at: Mapped[dt.datetime | None] = mapped_column()


class ReviewMeeting(IdMixin, Base):
    """A Joint Agency Response (``jar``) or child death review meeting (``cdrm``) held about the
    case: when, which agencies took part, what it concluded (2018 statutory guidance)."""

    __tablename__ = "cdop_review_meetings"
    __table_args__ = (
        Index("ix_cdop_review_meetings_child_death", "child_death_id", "kind"),
    )

    child_death_id: Mapped[int] = mapped_column(ForeignKey("cdop_child_deaths.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # jar | cdrm
    held_on: Mapped[dt.date] = mapped_column(Date)
    agencies: Mapped[list[Any]] = mapped_column(JSON, default=list)  # agency names
    outcome: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))


class ChildDeathAction(IdMixin, TimestampMixin, VersionMixin, Base):
    """An action agreed at the panel (``record_analysis``), tracked to completion: its owner
    agency is reminded before and after the due date (``cdop.action_reminders``), and an open
    action with a due date has a stored deadline (``core_deadlines``, kind
    ``cdop_action:{id}``). It outlives the review: a closed case keeps its open actions."""

    __tablename__ = "cdop_actions"
    __table_args__ = (
        Index("ix_cdop_actions_child_death", "child_death_id", "position"),
        # the reminder job: open actions by due date (partial)
        Index("ix_cdop_actions_open_due", "due_on",
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    child_death_id: Mapped[int] = mapped_column(ForeignKey("cdop_child_deaths.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner_agency: Mapped[str] = mapped_column(String(200))
    owner_email: Mapped[str | None] = mapped_column(String(254))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | completed | cancelled
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminder_at: Mapped[dt.datetime | None] = mapped_column()


class DuplicateFlag(IdMixin, Base):
    """``child_death_id`` may be the same death as ``other_id`` (one row in each direction).
    Flags are shown on both cases; nothing is merged."""

    __tablename__ = "cdop_duplicate_flags"
    __table_args__ = (
        UniqueConstraint("child_death_id", "other_id"),
        Index("ix_cdop_duplicate_flags_other", "other_id"),
    )

    child_death_id: Mapped[int] = mapped_column(ForeignKey("cdop_child_deaths.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("cdop_child_deaths.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(30))  # nhs_number | name_and_dates
    flagged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# The panel clock (``cdop.clocks.PANEL``) is paused while its case is on hold: its due date is
# moved on by the days on hold when the hold is released, so until then it is not overdue.
PANEL_CLOCK = "cdop_panel"


def clock_running() -> ColumnElement[bool]:
    """On ``core_deadlines`` rows of child deaths: not the panel clock of a case on hold (an
    overdue clock is one past its due date that is running)."""
    on_hold = select(ChildDeath.id).where(ChildDeath.status == "on_hold")
    return or_(Deadline.kind != PANEL_CLOCK, Deadline.subject_id.not_in(on_hold))
