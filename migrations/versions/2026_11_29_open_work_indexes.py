"""partial indexes for the open work the outstanding list shows with each case

The outstanding list brings, with each case of its page, the case's open holds and its awaited
reporting forms. Both were found through the case's index of all its rows (released holds,
submitted and waived forms included), each row then read from the table to be filtered out:

- ``ix_core_agency_requests_awaited``: the requested forms of a subject, by kind, with what the
  list shows of them (due date, id, agency) in the index itself;
- ``ix_cdop_holds_open_case``: the open holds of a case.

On SQLite, where the planner prefers an index it has statistics for, the two tables are analysed
again when earlier statistics exist (``ANALYZE`` was run on them), so the new indexes are known.
Measured at quick scale (raw statement, 51 cases): 0.33 -> 0.24 ms.

Revision ID: 0006_open_work_indexes
Revises: 0005_cdop_terminal_forms
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_open_work_indexes"
down_revision: str | Sequence[str] | None = "0005_cdop_terminal_forms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REQUESTED = "status = 'requested'"
_OPEN = "released_at IS NULL"


def upgrade() -> None:
    op.create_index("ix_core_agency_requests_awaited", "core_agency_requests",
                    ["subject_type", "kind", "subject_id", "due_on", "id", "agency"], unique=False,
                    postgresql_where=sa.text(_REQUESTED), sqlite_where=sa.text(_REQUESTED))
    op.create_index("ix_cdop_holds_open_case", "cdop_holds", ["child_death_id"], unique=False,
                    postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and _has_stat1(bind):
        analysed = {r[0] for r in bind.execute(sa.text("SELECT DISTINCT tbl FROM sqlite_stat1"))}
        for table in ("core_agency_requests", "cdop_holds"):
            if table in analysed:
                bind.execute(sa.text(f"ANALYZE {table}"))


def _has_stat1(bind: sa.Connection) -> bool:
    return bind.execute(sa.text(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")).first() is not None


def downgrade() -> None:
    op.drop_index("ix_cdop_holds_open_case", table_name="cdop_holds")
    op.drop_index("ix_core_agency_requests_awaited", table_name="core_agency_requests")
