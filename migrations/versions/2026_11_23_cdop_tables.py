"""cdop tables

Revision ID: 0002_cdop
Revises: 0001_core
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_cdop"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_CASES = "status NOT IN ('closed', 'withdrawn', 'transferred_out')"


def upgrade() -> None:
    op.create_table(
        "cdop_child_deaths",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=20), nullable=True),
        sa.Column("ethnicity", sa.String(length=100), nullable=True),
        sa.Column("nhs_number", sa.String(length=10), nullable=True),
        sa.Column("nhs_number_status", sa.String(length=30), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("local_authority", sa.String(length=200), nullable=True),
        sa.Column("date_of_death", sa.Date(), nullable=False),
        sa.Column("time_of_death", sa.String(length=5), nullable=True),
        sa.Column("place_of_death", sa.String(length=30), nullable=False),
        sa.Column("place_detail", sa.String(length=300), nullable=True),
        sa.Column("expected", sa.Boolean(), nullable=False),
        sa.Column("jar_triggered", sa.Boolean(), nullable=True),
        sa.Column("coroner_involved", sa.Boolean(), nullable=True),
        sa.Column("age_at_death_days", sa.Integer(), nullable=False),
        sa.Column("age_at_death_years", sa.Integer(), nullable=False),
        sa.Column("notifier_name", sa.String(length=200), nullable=False),
        sa.Column("notifier_email", sa.String(length=254), nullable=False),
        sa.Column("notifier_agency", sa.String(length=200), nullable=False),
        sa.Column("notifier_role", sa.String(length=200), nullable=True),
        sa.Column("notifier_phone", sa.String(length=50), nullable=True),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("case_summary", sa.Text(), nullable=True),
        sa.Column("home_area", sa.String(length=200), nullable=True),
        sa.Column("home_cdop_email", sa.String(length=254), nullable=True),
        sa.Column("non_resident", sa.Boolean(), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("panel_meeting_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.Integer(), nullable=True),
        sa.Column("modifiable", sa.String(length=30), nullable=True),
        sa.Column("domain_scores", sa.JSON(), nullable=True),
        sa.Column("learning", sa.Text(), nullable=True),
        sa.Column("learning_points", sa.JSON(), nullable=True),
        sa.Column("actions", sa.JSON(), nullable=True),
        sa.Column("refer_to_case_review", sa.Boolean(), nullable=True),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("analysed_by", sa.String(length=200), nullable=True),
        sa.Column("case_review_reference", sa.String(length=40), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["panel_meeting_id"], ["core_meetings.id"],
                                name=op.f("fk_cdop_child_deaths_panel_meeting_id_core_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cdop_child_deaths")),
        sa.UniqueConstraint("reference", name=op.f("uq_cdop_child_deaths_reference")),
    )
    with op.batch_alter_table("cdop_child_deaths", schema=None) as batch_op:
        batch_op.create_index("ix_cdop_child_deaths_analysed", ["analysed_at"], unique=False)
        batch_op.create_index("ix_cdop_child_deaths_identity", ["date_of_birth", "date_of_death"], unique=False)
        batch_op.create_index("ix_cdop_child_deaths_nhs_number", ["nhs_number"], unique=False)
        batch_op.create_index("ix_cdop_child_deaths_open_death", ["date_of_death", "id", "status"], unique=False,
                              postgresql_where=sa.text(OPEN_CASES), sqlite_where=sa.text(OPEN_CASES))
        batch_op.create_index("ix_cdop_child_deaths_received", ["received_at"], unique=False)
        batch_op.create_index("ix_cdop_child_deaths_status_death", ["status", "date_of_death", "id"], unique=False)

    op.create_table(
        "cdop_duplicate_flags",
        sa.Column("child_death_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["child_death_id"], ["cdop_child_deaths.id"],
                                name=op.f("fk_cdop_duplicate_flags_child_death_id_cdop_child_deaths"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["cdop_child_deaths.id"],
                                name=op.f("fk_cdop_duplicate_flags_other_id_cdop_child_deaths"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cdop_duplicate_flags")),
        sa.UniqueConstraint("child_death_id", "other_id",
                            name=op.f("uq_cdop_duplicate_flags_child_death_id_other_id")),
    )
    with op.batch_alter_table("cdop_duplicate_flags", schema=None) as batch_op:
        batch_op.create_index("ix_cdop_duplicate_flags_other", ["other_id"], unique=False)

    op.create_table(
        "cdop_holds",
        sa.Column("child_death_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sa.String(length=200), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["child_death_id"], ["cdop_child_deaths.id"],
                                name=op.f("fk_cdop_holds_child_death_id_cdop_child_deaths"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cdop_holds")),
    )
    with op.batch_alter_table("cdop_holds", schema=None) as batch_op:
        batch_op.create_index("ix_cdop_holds_child_death", ["child_death_id", "id"], unique=False)
        batch_op.create_index("ix_cdop_holds_open_reason", ["reason", "child_death_id"], unique=False,
                              postgresql_where=sa.text("released_at IS NULL"),
                              sqlite_where=sa.text("released_at IS NULL"))
        batch_op.create_index("ix_cdop_holds_placed", ["placed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cdop_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_cdop_holds_placed")
        batch_op.drop_index("ix_cdop_holds_open_reason", postgresql_where=sa.text("released_at IS NULL"),
                            sqlite_where=sa.text("released_at IS NULL"))
        batch_op.drop_index("ix_cdop_holds_child_death")
    op.drop_table("cdop_holds")
    with op.batch_alter_table("cdop_duplicate_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_cdop_duplicate_flags_other")
    op.drop_table("cdop_duplicate_flags")
    with op.batch_alter_table("cdop_child_deaths", schema=None) as batch_op:
        batch_op.drop_index("ix_cdop_child_deaths_status_death")
        batch_op.drop_index("ix_cdop_child_deaths_received")
        batch_op.drop_index("ix_cdop_child_deaths_open_death", postgresql_where=sa.text(OPEN_CASES),
                            sqlite_where=sa.text(OPEN_CASES))
        batch_op.drop_index("ix_cdop_child_deaths_nhs_number")
        batch_op.drop_index("ix_cdop_child_deaths_identity")
        batch_op.drop_index("ix_cdop_child_deaths_analysed")
    op.drop_table("cdop_child_deaths")
