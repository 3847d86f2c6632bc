"""child deaths in other areas: transfers out and in, the home panel's outcome

Revision ID: 0012_cdop_areas
Revises: 0011_cdop_review_clocks
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0012_cdop_areas"
down_revision: str | Sequence[str] | None = "0011_cdop_review_clocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
