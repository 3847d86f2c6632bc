"""waive reporting forms still requested on closed, withdrawn or transferred-out child deaths

From now on closing a review waives its requested forms (withdraw and transfer_out already did),
so no terminal case has a requested form and the outstanding summary counts overdue forms without
joining the open cases. This brings older data to the same invariant and records it in the audit
trail as one event (unsealed: the worker's sealer chains it).

Revision ID: 0005_cdop_terminal_forms
Revises: 0004_audit_seal
Create Date: 2026-11-29
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_cdop_terminal_forms"
down_revision: str | Sequence[str] | None = "0004_audit_seal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TERMINAL = "('closed', 'withdrawn', 'transferred_out')"


def upgrade() -> None:
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as core.db.base.UTCDateTime stores it there
    ids = [r[0] for r in bind.execute(sa.text(
        "SELECT r.id FROM core_agency_requests r JOIN cdop_child_deaths c ON c.id = r.subject_id "
        "WHERE r.subject_type = 'child_death' AND r.status = 'requested' "
        f"AND c.status IN {_TERMINAL} ORDER BY r.id"))]
    if not ids:
        return
    requests = sa.table("core_agency_requests", sa.column("id", sa.Integer), sa.column("status", sa.String),
                        sa.column("waived_reason", sa.String), sa.column("waived_at", sa.DateTime(timezone=True)),
                        sa.column("link_jti", sa.String))
    for start in range(0, len(ids), 1000):
        bind.execute(requests.update().where(requests.c.id.in_(ids[start:start + 1000])).values(
            status="waived", waived_reason="the review had ended", waived_at=now, link_jti=None))
    events = sa.table("core_audit_events", sa.column("at", sa.DateTime(timezone=True)), sa.column("actor", sa.String),
                      sa.column("action", sa.String), sa.column("subject_type", sa.String),
                      sa.column("data", sa.JSON))
    bind.execute(events.insert().values(
        at=now, actor="migration:0005_cdop_terminal_forms", action="reporting_form.waive_on_terminal",
        subject_type="child_death", data=json.loads(json.dumps({"count": len(ids), "request_ids": ids[:500]}))))


def downgrade() -> None:
    pass  # the forms stay waived: they were never going to be answered
