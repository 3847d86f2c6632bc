"""deadline outcomes: met, missed or waived with a reason (never silently cancelled)

``core_deadlines`` gains ``missed_at`` (closed unmet because the moment it guarded has passed),
``waived_at`` and ``waived_reason`` (no longer owed, with the reason). ``cancelled_at`` goes:
a deadline cancelled before outcomes were recorded becomes waived with the reason "cancelled
before outcomes were recorded". The partial index of open deadlines follows the new columns.

Downgrade folds missed and waived back into ``cancelled_at`` (the reasons are lost).

Revision ID: 0007_deadline_outcomes
Revises: 0006_open_work_indexes
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_deadline_outcomes"
down_revision: str | Sequence[str] | None = "0006_open_work_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_core_deadlines_open_due"
_OLD_OPEN = "met_at IS NULL AND cancelled_at IS NULL"
_NEW_OPEN = "met_at IS NULL AND missed_at IS NULL AND waived_at IS NULL"
_CANCELLED_REASON = "cancelled before outcomes were recorded"


def upgrade() -> None:
    with op.batch_alter_table("core_deadlines", schema=None) as batch_op:
        batch_op.drop_index(_INDEX)
        batch_op.add_column(sa.Column("missed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("waived_reason", sa.String(length=500), nullable=True))
    op.get_bind().execute(
        sa.text("UPDATE core_deadlines SET waived_at = cancelled_at, waived_reason = :reason "
                "WHERE cancelled_at IS NOT NULL AND met_at IS NULL"),
        {"reason": _CANCELLED_REASON},
    )
    with op.batch_alter_table("core_deadlines", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
        batch_op.create_index(_INDEX, ["subject_type", "due_on"], unique=False,
                              postgresql_where=sa.text(_NEW_OPEN), sqlite_where=sa.text(_NEW_OPEN))


def downgrade() -> None:
    with op.batch_alter_table("core_deadlines", schema=None) as batch_op:
        batch_op.drop_index(_INDEX)
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.get_bind().execute(sa.text(
        "UPDATE core_deadlines SET cancelled_at = COALESCE(waived_at, missed_at) "
        "WHERE met_at IS NULL AND (waived_at IS NOT NULL OR missed_at IS NOT NULL)"))
    with op.batch_alter_table("core_deadlines", schema=None) as batch_op:
        batch_op.drop_column("waived_reason")
        batch_op.drop_column("waived_at")
        batch_op.drop_column("missed_at")
        batch_op.create_index(_INDEX, ["subject_type", "due_on"], unique=False,
                              postgresql_where=sa.text(_OLD_OPEN), sqlite_where=sa.text(_OLD_OPEN))
