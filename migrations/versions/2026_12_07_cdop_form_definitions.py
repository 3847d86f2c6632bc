"""reporting forms as versioned definitions

Revision ID: 0013_cdop_form_definitions
Revises: 0012_cdop_areas
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_cdop_form_definitions"
down_revision: str | Sequence[str] | None = "0012_cdop_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the {key, version} of each form a reporting-form request asks for (NULL: requests made
    # before forms were versioned, i.e. the reporting form, version 1)
    with op.batch_alter_table("core_agency_requests") as batch:
        batch.add_column(sa.Column("forms", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("core_agency_requests") as batch:
        batch.drop_column("forms")
