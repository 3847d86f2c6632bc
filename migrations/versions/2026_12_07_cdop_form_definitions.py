"""reporting forms as versioned definitions

Revision ID: 0013_cdop_form_definitions
Revises: 0012_cdop_areas
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0013_cdop_form_definitions"
down_revision: str | Sequence[str] | None = "0012_cdop_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
