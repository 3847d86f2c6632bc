"""ecr tables: case reviews, reference counters, recommendations and their action plans

Revision ID: 0002_ecr
Revises: 0001_core
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ecr"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ecr_case_reviews',
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('regime', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('status_token_hash', sa.String(length=64), nullable=True),
    sa.Column('notifier_name', sa.String(length=200), nullable=True),
    sa.Column('notifier_email', sa.String(length=254), nullable=True),
    sa.Column('notifier_agency', sa.String(length=200), nullable=True),
    sa.Column('notifier_role', sa.String(length=200), nullable=True),
    sa.Column('notifier_phone', sa.String(length=40), nullable=True),
    sa.Column('child_first_name', sa.String(length=100), nullable=False),
    sa.Column('child_last_name', sa.String(length=100), nullable=False),
    sa.Column('child_date_of_birth', sa.Date(), nullable=True),
    sa.Column('child_sex', sa.String(length=20), nullable=True),
    sa.Column('child_ethnicity', sa.String(length=100), nullable=True),
    sa.Column('child_address', sa.String(length=500), nullable=True),
    sa.Column('child_local_authority', sa.String(length=200), nullable=True),
    sa.Column('incident_date', sa.Date(), nullable=False),
    sa.Column('incident_type', sa.String(length=20), nullable=False),
    sa.Column('incident_description', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('abuse_or_neglect_suspected', sa.Boolean(), nullable=True),
    sa.Column('agencies_involved', sa.JSON(), nullable=False),
    sa.Column('information_request_note', sa.Text(), nullable=True),
    sa.Column('referred_to_group_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.String(length=40), nullable=True),
    sa.Column('decision_rationale', sa.Text(), nullable=True),
    sa.Column('decision_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_by', sa.String(length=200), nullable=True),
    sa.Column('other_la', sa.String(length=200), nullable=True),
    sa.Column('scr_recommendation', sa.JSON(), nullable=True),
    sa.Column('scr_decision', sa.JSON(), nullable=True),
    sa.Column('scr_endorsed_on', sa.Date(), nullable=True),
    sa.Column('national_panel_notified_on', sa.Date(), nullable=True),
    sa.Column('review_type', sa.String(length=40), nullable=True),
    sa.Column('review_methodology', sa.String(length=200), nullable=True),
    sa.Column('lead_reviewer_name', sa.String(length=200), nullable=True),
    sa.Column('review_chair_name', sa.String(length=200), nullable=True),
    sa.Column('terms_of_reference', sa.Text(), nullable=True),
    sa.Column('terms_of_reference_agreed_on', sa.Date(), nullable=True),
    sa.Column('report_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('planned_publication_on', sa.Date(), nullable=True),
    sa.Column('report_sent_to_national_panel_on', sa.Date(), nullable=True),
    sa.Column('publication_deferred_reason', sa.Text(), nullable=True),
    sa.Column('publication_review_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_url', sa.String(length=2000), nullable=True),
    sa.Column('not_published_reason', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('carry_forward_note', sa.Text(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.Column('thematic_group_id', sa.Integer(), nullable=True),
    sa.Column('child_death_reference', sa.String(length=40), nullable=True),
    sa.Column('referred_by', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ecr_case_reviews')),
    sa.UniqueConstraint('reference', name=op.f('uq_ecr_case_reviews_reference'))
    )
    with op.batch_alter_table('ecr_case_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_ecr_case_reviews_child_death', ['child_death_reference'], unique=False)
        batch_op.create_index('ix_ecr_case_reviews_child_name', ['child_last_name', 'child_first_name'], unique=False)
        batch_op.create_index('ix_ecr_case_reviews_decision', ['decision'], unique=False)
        batch_op.create_index('ix_ecr_case_reviews_received', ['received_on', 'id'], unique=False)
        batch_op.create_index('ix_ecr_case_reviews_status', ['status'], unique=False)
        batch_op.create_index('ix_ecr_case_reviews_thematic', ['thematic_group_id'], unique=False)

    op.create_table('ecr_recommendations',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('carry_forward_note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['ecr_case_reviews.id'], name=op.f('fk_ecr_recommendations_case_id_ecr_case_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ecr_recommendations'))
    )
    with op.batch_alter_table('ecr_recommendations', schema=None) as batch_op:
        batch_op.create_index('ix_ecr_recommendations_case', ['case_id', 'number'], unique=False)

    op.create_table('ecr_action_items',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_agency', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['ecr_recommendations.id'], name=op.f('fk_ecr_action_items_recommendation_id_ecr_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ecr_action_items'))
    )
    with op.batch_alter_table('ecr_action_items', schema=None) as batch_op:
        batch_op.create_index('ix_ecr_action_items_open_due', ['status', 'due_on'], unique=False)
        batch_op.create_index('ix_ecr_action_items_recommendation', ['recommendation_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ecr_action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_ecr_action_items_recommendation')
        batch_op.drop_index('ix_ecr_action_items_open_due')

    op.drop_table('ecr_action_items')
    with op.batch_alter_table('ecr_recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_ecr_recommendations_case')

    op.drop_table('ecr_recommendations')
    with op.batch_alter_table('ecr_case_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_ecr_case_reviews_thematic')
        batch_op.drop_index('ix_ecr_case_reviews_status')
        batch_op.drop_index('ix_ecr_case_reviews_received')
        batch_op.drop_index('ix_ecr_case_reviews_decision')
        batch_op.drop_index('ix_ecr_case_reviews_child_name')
        batch_op.drop_index('ix_ecr_case_reviews_child_death')

    op.drop_table('ecr_case_reviews')
