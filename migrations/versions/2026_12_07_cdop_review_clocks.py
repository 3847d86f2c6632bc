"""child death review meetings (JAR, CDRM) and the 2018 guidance clocks

Revision ID: 0011_cdop_review_clocks
Revises: 0010_ecr_cspr
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0011_cdop_review_clocks"
down_revision: str | Sequence[str] | None = "0010_ecr_cspr"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
