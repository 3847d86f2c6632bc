"""child deaths in other areas: transfers out and in, the home panel's outcome

Columns of ``cdop_child_deaths`` for the responsible area rule (a looked-after child and the
area looking after them), the home CDOP's contact and the day of a transfer out, the home
panel's outcome (category, modifiable factors, note, when received), and a death transferred
to us by another area. All nullable: cases begun before this revision have none of these (a
case already transferred out keeps no transfer date; its status change stands for it).

Revision ID: 0012_cdop_areas
Revises: 0011_cdop_review_clocks
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_cdop_areas"
down_revision: str | Sequence[str] | None = "0011_cdop_review_clocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("looked_after", sa.Boolean()),
    ("looked_after_by", sa.String(length=200)),
    ("home_cdop_contact_name", sa.String(length=200)),
    ("home_cdop_phone", sa.String(length=50)),
    ("transferred_out_on", sa.Date()),
    ("external_outcome_received_on", sa.Date()),
    ("external_category", sa.Integer()),
    ("external_modifiable", sa.String(length=30)),
    ("external_outcome_note", sa.Text()),
    ("external_outcome_recorded_at", sa.DateTime(timezone=True)),
    ("external_outcome_recorded_by", sa.String(length=200)),
    ("transferred_from_area", sa.String(length=200)),
    ("transferred_from_email", sa.String(length=254)),
    ("transferred_from_received_on", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("cdop_child_deaths") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_index("ix_cdop_child_deaths_transferred_out", "cdop_child_deaths", ["transferred_out_on"])


def downgrade() -> None:
    op.drop_index("ix_cdop_child_deaths_transferred_out", table_name="cdop_child_deaths")
    with op.batch_alter_table("cdop_child_deaths") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
