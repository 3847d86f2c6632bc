"""the panel's analysis: factors, event leading to death, tracked actions

Revision ID: 0014_cdop_analysis_actions
Revises: 0013_cdop_form_definitions
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0014_cdop_analysis_actions"
down_revision: str | Sequence[str] | None = "0013_cdop_form_definitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
