"""Models of the case review module (tables prefixed ``ecr_``).

No foreign keys to ``cdop_*`` tables: a referral from the child death module stores the
child death reference as a string.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin, VersionMixin, utcnow


class CaseReview(IdMixin, TimestampMixin, VersionMixin, Base):
    __tablename__ = "ecr_case_reviews"
    __table_args__ = (
        Index("ix_ecr_case_reviews_received", "received_on", "id"),
        Index("ix_ecr_case_reviews_status", "status"),
        Index("ix_ecr_case_reviews_decision", "decision"),
        Index("ix_ecr_case_reviews_thematic", "thematic_review_id"),
        Index("ix_ecr_case_reviews_child_death", "child_death_reference"),
        Index("ix_ecr_case_reviews_child_name", "child_last_name", "child_first_name"),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    regime: Mapped[str] = mapped_column(String(20), default="WT2015")
    status: Mapped[str] = mapped_column(String(40))
    status_changed_at: Mapped[dt.datetime] = mapped_column()
    source: Mapped[str] = mapped_column(String(20))  # public | staff | cdop_referral
    received_on: Mapped[dt.date] = mapped_column(Date)
    received_at: Mapped[dt.datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(200))
    status_token_hash: Mapped[str | None] = mapped_column(String(64))

    # the notifier (for a referral from the child death module: who referred it)
    notifier_name: Mapped[str | None] = mapped_column(String(200))
    notifier_email: Mapped[str | None] = mapped_column(String(254))
    notifier_agency: Mapped[str | None] = mapped_column(String(200))
    notifier_role: Mapped[str | None] = mapped_column(String(200))
    notifier_phone: Mapped[str | None] = mapped_column(String(40))

    # the child
    child_first_name: Mapped[str] = mapped_column(String(100))
    child_last_name: Mapped[str] = mapped_column(String(100))
    child_date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    child_sex: Mapped[str | None] = mapped_column(String(20))
    child_ethnicity: Mapped[str | None] = mapped_column(String(100))
    child_address: Mapped[str | None] = mapped_column(String(500))
    child_local_authority: Mapped[str | None] = mapped_column(String(200))

    # what happened and why a review may be warranted
    incident_date: Mapped[dt.date] = mapped_column(Date)
    incident_type: Mapped[str] = mapped_column(String(20))  # death | serious_harm | other
    incident_description: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    abuse_or_neglect_suspected: Mapped[bool | None] = mapped_column(Boolean)
    agencies_involved: Mapped[list[Any]] = mapped_column(default=list)

    # screening and the decision
    information_request_note: Mapped[str | None] = mapped_column(Text)
    referred_to_group_at: Mapped[dt.datetime | None] = mapped_column()
    decision: Mapped[str | None] = mapped_column(String(40))
    decision_rationale: Mapped[str | None] = mapped_column(Text)
    decision_at: Mapped[dt.datetime | None] = mapped_column()
    decision_by: Mapped[str | None] = mapped_column(String(200))
    other_la: Mapped[str | None] = mapped_column(String(200))
    # the two SCR records: the CRG recommendation and the Independent Chair's decision
    scr_recommendation: Mapped[dict[str, Any] | None] = mapped_column()
    scr_decision: Mapped[dict[str, Any] | None] = mapped_column()
    scr_endorsed_on: Mapped[dt.date | None] = mapped_column(Date)
    # the decision not to hold an SCR told to the national panel
    national_panel_notified_on: Mapped[dt.date | None] = mapped_column(Date)

    # regime CSPR (Working Together 2018 and 2023): the serious incident criteria captured on
    # screening, the notification to the national panel, the rapid review and the panel's
    # response to it
    became_aware_on: Mapped[dt.date | None] = mapped_column(Date)
    si_abuse_or_neglect: Mapped[bool | None] = mapped_column(Boolean)
    si_died_or_seriously_harmed: Mapped[bool | None] = mapped_column(Boolean)
    looked_after_child: Mapped[bool | None] = mapped_column(Boolean)
    si_death_in_custody: Mapped[bool | None] = mapped_column(Boolean)
    notified_panel_on: Mapped[dt.date | None] = mapped_column(Date)
    rapid_review_on: Mapped[dt.date | None] = mapped_column(Date)
    rapid_review_sent_on: Mapped[dt.date | None] = mapped_column(Date)
    rapid_review_recommendation: Mapped[str | None] = mapped_column(String(40))
    rapid_review_rationale: Mapped[str | None] = mapped_column(Text)
    rapid_review_learning: Mapped[str | None] = mapped_column(Text)
    panel_response_on: Mapped[dt.date | None] = mapped_column(Date)
    panel_agrees: Mapped[bool | None] = mapped_column(Boolean)
    panel_response_note: Mapped[str | None] = mapped_column(Text)

    # the review
    review_type: Mapped[str | None] = mapped_column(String(40))
    review_methodology: Mapped[str | None] = mapped_column(String(200))
    lead_reviewer_name: Mapped[str | None] = mapped_column(String(200))
    review_chair_name: Mapped[str | None] = mapped_column(String(200))
    terms_of_reference: Mapped[str | None] = mapped_column(Text)
    terms_of_reference_agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    report_submitted_at: Mapped[dt.datetime | None] = mapped_column()
    report_approved_at: Mapped[dt.datetime | None] = mapped_column()

    # publication
    planned_publication_on: Mapped[dt.date | None] = mapped_column(Date)
    report_sent_to_national_panel_on: Mapped[dt.date | None] = mapped_column(Date)
    publication_deferred_reason: Mapped[str | None] = mapped_column(Text)
    publication_review_on: Mapped[dt.date | None] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    published_url: Mapped[str | None] = mapped_column(String(2000))
    not_published_reason: Mapped[str | None] = mapped_column(Text)
    # the decision not to publish told to the national panel (a duty of its own)
    national_panel_told_not_published_on: Mapped[dt.date | None] = mapped_column(Date)
    # CSPR: the final report to the national panel and the Secretary of State before
    # publication, and the national panel told of a decision not to publish
    final_report_sent_on: Mapped[dt.date | None] = mapped_column(Date)
    panel_told_on: Mapped[dt.date | None] = mapped_column(Date)

    # the end
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    carry_forward_note: Mapped[str | None] = mapped_column(Text)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    # links: several notifications reviewed together in one thematic review
    thematic_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("ecr_thematic_reviews.id", ondelete="SET NULL"))
    child_death_reference: Mapped[str | None] = mapped_column(String(40))
    referred_by: Mapped[str | None] = mapped_column(String(200))


class ThematicReview(IdMixin, Base):
    """A thematic review: its own identity, so that the cases it groups never take their
    group from one of them (a case unlinked and linked again starts or joins another one)."""

    __tablename__ = "ecr_thematic_reviews"

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class Recommendation(IdMixin, TimestampMixin, VersionMixin, Base):
    __tablename__ = "ecr_recommendations"
    __table_args__ = (Index("ix_ecr_recommendations_case", "case_id", "number"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("ecr_case_reviews.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # open | in_progress | completed | carried_forward
    status: Mapped[str] = mapped_column(String(20), default="open")
    carry_forward_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))


class ActionItem(IdMixin, TimestampMixin, Base):
    """One line of a recommendation's action plan."""

    __tablename__ = "ecr_action_items"
    __table_args__ = (
        Index("ix_ecr_action_items_recommendation", "recommendation_id", "id"),
        Index("ix_ecr_action_items_open_due", "status", "due_on"),
    )

    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("ecr_recommendations.id", ondelete="CASCADE")
    )
    description: Mapped[str] = mapped_column(Text)
    owner_agency: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    # open | in_progress | completed | carried_forward
    status: Mapped[str] = mapped_column(String(20), default="open")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
