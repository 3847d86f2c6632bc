"""case reviews: thematic reviews with their own identity, one date per national-panel duty

- ``ecr_thematic_reviews`` (id, created_at, created_by): a thematic review is a row of its
  own; ``ecr_case_reviews.thematic_review_id`` points to it and replaces
  ``thematic_group_id`` (which borrowed one case's id, so a case unlinked and linked again
  could join unrelated cases). Each existing group becomes one thematic review.
- ``ecr_case_reviews.national_panel_told_not_published_on``: the decision not to publish told
  to the national panel, a duty separate from telling it of a decision not to hold an SCR.
  Deadlines of that duty stored under the shared kind ``national_panel_notice`` (recognised
  by their label) take the kind ``national_panel_not_published``.
- Open ``pre_publication`` deadlines of reviews that are not SCRs are waived (only an SCR
  report goes to the national panel before publication), and agency reports still requested
  on closed or withdrawn cases are waived (their reminders would otherwise never stop).

Revision ID: 0008_ecr_thematic_reviews
Revises: 0007_deadline_outcomes
Create Date: 2026-12-06
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_ecr_thematic_reviews"
down_revision: str | Sequence[str] | None = "0007_deadline_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_PUBLISHED_LABEL = "Tell the national panel the report will not be published"
_OPEN = "met_at IS NULL AND missed_at IS NULL AND waived_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "ecr_thematic_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ecr_thematic_reviews")),
    )
    with op.batch_alter_table("ecr_case_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thematic_review_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("national_panel_told_not_published_on", sa.Date(),
                                      nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_ecr_case_reviews_thematic_review_id_ecr_thematic_reviews"),
            "ecr_thematic_reviews", ["thematic_review_id"], ["id"], ondelete="SET NULL")

    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    thematic = sa.table("ecr_thematic_reviews", sa.column("id", sa.Integer()),
                        sa.column("created_at", sa.DateTime(timezone=True)),
                        sa.column("created_by", sa.String()))
    groups = [g for (g,) in bind.execute(sa.text(
        "SELECT DISTINCT thematic_group_id FROM ecr_case_reviews "
        "WHERE thematic_group_id IS NOT NULL ORDER BY thematic_group_id"))]
    for group in groups:
        new_id = bind.execute(thematic.insert().values(created_at=now, created_by="migration")
                              .returning(thematic.c.id)).scalar_one()
        bind.execute(sa.text("UPDATE ecr_case_reviews SET thematic_review_id = :new "
                             "WHERE thematic_group_id = :old"), {"new": new_id, "old": group})

    with op.batch_alter_table("ecr_case_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_ecr_case_reviews_thematic")
        batch_op.drop_column("thematic_group_id")
        batch_op.create_index("ix_ecr_case_reviews_thematic", ["thematic_review_id"], unique=False)

    bind.execute(sa.text(
        "UPDATE core_deadlines SET kind = 'national_panel_not_published' "
        "WHERE subject_type = 'case_review' AND kind = 'national_panel_notice' AND label = :label"),
        {"label": _NOT_PUBLISHED_LABEL})
    bind.execute(sa.text(
        f"UPDATE core_deadlines SET waived_at = :now, waived_reason = :reason "  # noqa: S608
        f"WHERE subject_type = 'case_review' AND kind = 'pre_publication' AND {_OPEN} "
        "AND subject_id IN (SELECT id FROM ecr_case_reviews "
        "WHERE decision IS NULL OR decision <> 'scr')"),
        {"now": now, "reason": "only a Serious Case Review report is sent to the national panel "
                               "before publication"})
    bind.execute(sa.text(
        "UPDATE core_agency_requests SET status = 'waived', waived_at = :now, "
        "waived_reason = :reason, link_jti = NULL "
        "WHERE subject_type = 'case_review' AND status = 'requested' "
        "AND subject_id IN (SELECT id FROM ecr_case_reviews "
        "WHERE status IN ('closed', 'withdrawn'))"),
        {"now": now, "reason": "the case review had ended"})


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("ecr_case_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thematic_group_id", sa.Integer(), nullable=True))
    # each thematic review goes back to the id of its first case
    bind.execute(sa.text(
        "UPDATE ecr_case_reviews SET thematic_group_id = (SELECT MIN(o.id) FROM ecr_case_reviews o "
        "WHERE o.thematic_review_id = ecr_case_reviews.thematic_review_id) "
        "WHERE thematic_review_id IS NOT NULL"))
    bind.execute(sa.text(
        "UPDATE core_deadlines SET kind = 'national_panel_notice' "
        "WHERE subject_type = 'case_review' AND kind = 'national_panel_not_published'"))
    with op.batch_alter_table("ecr_case_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_ecr_case_reviews_thematic")
        batch_op.drop_constraint(
            op.f("fk_ecr_case_reviews_thematic_review_id_ecr_thematic_reviews"), type_="foreignkey")
        batch_op.drop_column("thematic_review_id")
        batch_op.drop_column("national_panel_told_not_published_on")
        batch_op.create_index("ix_ecr_case_reviews_thematic", ["thematic_group_id"], unique=False)
    op.drop_table("ecr_thematic_reviews")
