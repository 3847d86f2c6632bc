"""the panel's analysis: factors, event leading to death, tracked actions

- ``cdop_child_deaths.factors`` (per-domain factors ``[{domain, factor, score, comment}]``) and
  ``cdop_child_deaths.event_leading_to_death``;
- ``cdop_actions``: each action agreed at the panel as a row tracked to completion (owner
  agency and email, due date, open / completed / cancelled, evidence, reminders).

The actions recorded before this revision (the JSON list ``cdop_child_deaths.actions``,
``{description, owner, due_on}``) become rows, in their order, ``open``, the owner as the owner
agency (``not recorded`` when none was given), and the JSON column is cleared. They get no
stored deadline: like the clocks of 0011, a deadline nobody was tracking would show at once as
overdue; they are reminded from now on like any open action with a due date. Downgrade writes
the rows back into the JSON list (the tracking is lost).

Revision ID: 0014_cdop_analysis_actions
Revises: 0013_cdop_form_definitions
Create Date: 2026-12-07
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_cdop_analysis_actions"
down_revision: str | Sequence[str] | None = "0013_cdop_form_definitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "status = 'open'"

# the tables as this revision sees them (never the models, which move on)
_cases = sa.table("cdop_child_deaths", sa.column("id", sa.Integer()), sa.column("actions", sa.JSON()),
                  sa.column("analysed_at", sa.DateTime(timezone=True)),
                  sa.column("analysed_by", sa.String(200)))
_actions = sa.table(
    "cdop_actions", sa.column("id", sa.Integer()), sa.column("child_death_id", sa.Integer()),
    sa.column("position", sa.Integer()), sa.column("description", sa.Text()),
    sa.column("owner_agency", sa.String(200)), sa.column("due_on", sa.Date()),
    sa.column("status", sa.String(20)), sa.column("created_by", sa.String(200)),
    sa.column("reminders_sent", sa.Integer()), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)), sa.column("version", sa.Integer()),
)


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def upgrade() -> None:
    op.create_table(
        "cdop_actions",
        sa.Column("child_death_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_agency", sa.String(length=200), nullable=False),
        sa.Column("owner_email", sa.String(length=254), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("cancelled_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminder_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["child_death_id"], ["cdop_child_deaths.id"],
                                name=op.f("fk_cdop_actions_child_death_id_cdop_child_deaths"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cdop_actions")),
    )
    with op.batch_alter_table("cdop_actions", schema=None) as batch_op:
        batch_op.create_index("ix_cdop_actions_child_death", ["child_death_id", "position"], unique=False)
        batch_op.create_index("ix_cdop_actions_open_due", ["due_on"], unique=False,
                              postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))
    with op.batch_alter_table("cdop_child_deaths", schema=None) as batch_op:
        batch_op.add_column(sa.Column("factors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("event_leading_to_death", sa.Text(), nullable=True))

    conn = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    rows = conn.execute(sa.select(_cases.c.id, _cases.c.actions, _cases.c.analysed_at, _cases.c.analysed_by)
                        .where(_cases.c.actions.is_not(None)).order_by(_cases.c.id)).all()
    moved = []
    for case_id, actions, analysed_at, analysed_by in rows:
        for position, item in enumerate(actions or [], start=1):
            if not isinstance(item, dict) or not str(item.get("description") or "").strip():
                continue
            owner = str(item.get("owner_agency") or item.get("owner") or "").strip()[:200] or "not recorded"
            moved.append({"child_death_id": case_id, "position": position,
                          "description": str(item["description"]).strip(), "owner_agency": owner,
                          "due_on": _date(item.get("due_on")), "status": "open",
                          "created_by": analysed_by or "migration", "reminders_sent": 0,
                          "created_at": analysed_at or now, "updated_at": now, "version": 1})
    if moved:
        conn.execute(_actions.insert(), moved)
    if rows:
        conn.execute(sa.update(_cases).where(_cases.c.actions.is_not(None)).values(actions=sa.null()))


def downgrade() -> None:
    conn = op.get_bind()
    lists: dict[int, list[dict[str, object]]] = {}
    for case_id, description, owner, due_on in conn.execute(
        sa.select(_actions.c.child_death_id, _actions.c.description, _actions.c.owner_agency,
                  _actions.c.due_on).order_by(_actions.c.child_death_id, _actions.c.position, _actions.c.id)
    ):
        lists.setdefault(case_id, []).append(
            {"description": description, "owner": owner, "due_on": due_on.isoformat() if due_on else None})
    for case_id, items in lists.items():
        conn.execute(sa.update(_cases).where(_cases.c.id == case_id).values(actions=items))
    with op.batch_alter_table("cdop_child_deaths", schema=None) as batch_op:
        batch_op.drop_column("event_leading_to_death")
        batch_op.drop_column("factors")
    with op.batch_alter_table("cdop_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_cdop_actions_open_due", postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))
        batch_op.drop_index("ix_cdop_actions_child_death")
    op.drop_table("cdop_actions")
