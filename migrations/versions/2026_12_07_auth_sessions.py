"""browser sessions of the staff app: core_auth_sessions

Only a hash of the session token is stored (the token is in the browser's HttpOnly cookie),
with the session's CSRF token, its idle and absolute limits, and a fingerprint of the user's
roles and active flag (a change ends the session).

Revision ID: 0009_auth_sessions
Revises: 0008_ecr_thematic_reviews
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_auth_sessions"
down_revision: str | Sequence[str] | None = "0008_ecr_thematic_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("user_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["core_users.id"],
                                name=op.f("fk_core_auth_sessions_user_id_core_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_auth_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_auth_sessions_token_hash")),
    )
    with op.batch_alter_table("core_auth_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_core_auth_sessions_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("core_auth_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_core_auth_sessions_user_id")
    op.drop_table("core_auth_sessions")
