"""case reviews under regime CSPR (Working Together 2018 and 2023): ecr_case_reviews columns

The serious incident criteria captured on screening, the notification to the national panel,
the rapid review record, the panel's response, the final report sent before publication and the
panel told of a decision not to publish. All nullable: existing rows stay WT2015 cases (their
``regime`` column already says so) and have none of these.

Revision ID: 0010_ecr_cspr
Revises: 0009_auth_sessions
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_ecr_cspr"
down_revision: str | Sequence[str] | None = "0009_auth_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("became_aware_on", sa.Date()),
    ("si_abuse_or_neglect", sa.Boolean()),
    ("si_died_or_seriously_harmed", sa.Boolean()),
    ("looked_after_child", sa.Boolean()),
    ("si_death_in_custody", sa.Boolean()),
    ("notified_panel_on", sa.Date()),
    ("rapid_review_on", sa.Date()),
    ("rapid_review_sent_on", sa.Date()),
    ("rapid_review_recommendation", sa.String(length=40)),
    ("rapid_review_rationale", sa.Text()),
    ("rapid_review_learning", sa.Text()),
    ("panel_response_on", sa.Date()),
    ("panel_agrees", sa.Boolean()),
    ("panel_response_note", sa.Text()),
    ("final_report_sent_on", sa.Date()),
    ("panel_told_on", sa.Date()),
)


def upgrade() -> None:
    # every row begun before this revision is a WT2015 case (the column's default already)
    op.execute("UPDATE ecr_case_reviews SET regime = 'WT2015' WHERE regime IS NULL")
    with op.batch_alter_table("ecr_case_reviews") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ecr_case_reviews") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
