"""audit events may be appended unsealed and chained later by the sealer; tokens revocable


``seq``, ``prev_hash`` and ``hash`` become nullable: with deferred sealing (the default on
PostgreSQL) a request inserts its events without taking the chain head lock, and the worker's
sealer gives committed events their place in the chain. A partial index finds the unsealed ones.

``core_users.tokens_valid_after``: access tokens issued before it are refused (set when an
administrator sets a user's password).

Revision ID: 0004_audit_seal
Revises: 0003_merge
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_audit_seal"
down_revision: str | Sequence[str] | None = "0003_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("core_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tokens_valid_after", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("core_audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=_BIG, nullable=True)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(
            "ix_core_audit_events_unsealed", ["id"], unique=False,
            postgresql_where=sa.text("seq IS NULL"), sqlite_where=sa.text("seq IS NULL"),
        )


def downgrade() -> None:
    # Unsealed events cannot be given a place in the chain here: refuse rather than lose them.
    bind = op.get_bind()
    pending = bind.execute(sa.text("SELECT count(*) FROM core_audit_events WHERE seq IS NULL")).scalar()
    if pending:
        raise RuntimeError(f"{pending} audit events are not sealed yet: run the sealer (ecr audit seal) first")
    with op.batch_alter_table("core_audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_core_audit_events_unsealed")
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("seq", existing_type=_BIG, nullable=False)
    with op.batch_alter_table("core_users", schema=None) as batch_op:
        batch_op.drop_column("tokens_valid_after")
