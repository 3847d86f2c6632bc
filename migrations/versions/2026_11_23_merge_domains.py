"""merge the case review and child death branches

Revision ID: 0003_merge
Revises: 0002_ecr, 0002_cdop
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003_merge"
down_revision: str | Sequence[str] | None = ("0002_ecr", "0002_cdop")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
