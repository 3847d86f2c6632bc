"""The migrations build exactly the schema the models describe (no forgotten migration)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db.models import load_all_models


def test_models_match_migrations(engine) -> None:
    metadata = load_all_models()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, metadata)
    assert not diff, f"models and migrations differ (write a migration): {diff}"


def test_single_head() -> None:
    from core.migrations import head_revision

    assert head_revision()
