"""child death review meetings (JAR, CDRM) and the 2018 guidance clocks

- ``cdop_review_meetings``: a Joint Agency Response or child death review meeting of a case
  (held on, agencies present, outcome, who recorded it);
- ``cdop_child_deaths.cdrm_not_required_reason``: why a case went to the panel without a CDRM;
- ``cdop_holds.overdue_notified_at``: the coordinators have been emailed that the hold's
  expected date passed (once per hold and expected date).

The clocks themselves are ``core_deadlines`` rows (subject_type ``child_death``): nothing to
create. Existing cases are NOT backfilled with clocks: they were never tracked against these
clocks, most open cases would at once show as overdue for a review meeting nobody was asked to
record, and the days a case spent on hold before this revision are not known as days to add. The clocks
start with the notifications received from this revision on; the code treats a case without a
clock as having nothing to meet, move or waive.

Revision ID: 0011_cdop_review_clocks
Revises: 0010_ecr_cspr
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_cdop_review_clocks"
down_revision: str | Sequence[str] | None = "0010_ecr_cspr"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cdop_review_meetings",
        sa.Column("child_death_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["child_death_id"], ["cdop_child_deaths.id"],
                                name=op.f("fk_cdop_review_meetings_child_death_id_cdop_child_deaths"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cdop_review_meetings")),
    )
    with op.batch_alter_table("cdop_review_meetings", schema=None) as batch_op:
        batch_op.create_index("ix_cdop_review_meetings_child_death", ["child_death_id", "kind"], unique=False)
    with op.batch_alter_table("cdop_child_deaths", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cdrm_not_required_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("cdop_holds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overdue_notified_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cdop_holds", schema=None) as batch_op:
        batch_op.drop_column("overdue_notified_at")
    with op.batch_alter_table("cdop_child_deaths", schema=None) as batch_op:
        batch_op.drop_column("cdrm_not_required_reason")
    with op.batch_alter_table("cdop_review_meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_cdop_review_meetings_child_death")
    op.drop_table("cdop_review_meetings")
