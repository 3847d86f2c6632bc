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


def test_upgrade_and_downgrade_through_the_new_revisions(tmp_path) -> None:
    """0004 (unsealed audit events) and 0005 (forms of terminal child deaths waived) on a
    database holding data written under 0003, then back down to 0003 and up again."""
    import datetime as dt

    from sqlalchemy import JSON, bindparam, create_engine, text

    from core.migrations import alembic_config, upgrade
    from alembic import command

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url, "0003_merge")
    engine = create_engine(url)
    now = dt.datetime(2026, 11, 1, 12, 0)
    def insert(conn, table: str, values: dict) -> None:
        """``values`` plus a typed placeholder for every other NOT NULL column without a default."""
        row = dict(values)
        for _cid, name, type_, notnull, default, _pk in conn.execute(text(f"PRAGMA table_info({table})")):
            if notnull and default is None and name not in row and name != "id":
                t = type_.upper()
                row[name] = (0 if "INT" in t or "BOOL" in t else now if "DATETIME" in t else
                             dt.date(2026, 1, 1) if "DATE" in t else {} if "JSON" in t else "x")
        cols = ", ".join(row)
        conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in row)})")
                     .bindparams(*[bindparam(c, type_=JSON) for c, v in row.items() if isinstance(v, dict)]),
                     row)

    with engine.begin() as conn:
        for cid, status in ((1, "closed"), (2, "information_gathering")):
            insert(conn, "cdop_child_deaths", {"id": cid, "reference": f"CD-2026-{cid:04d}", "status": status})
            insert(conn, "core_agency_requests", {"subject_type": "child_death", "subject_id": cid,
                                                  "kind": "reporting_form", "agency": "Testshire Police",
                                                  "status": "requested"})
    upgrade(url, "head")
    with engine.connect() as conn:
        forms = dict(conn.execute(text("SELECT subject_id, status FROM core_agency_requests")).all())
        assert forms == {1: "waived", 2: "requested"}
        event = conn.execute(text("SELECT action, seq, data FROM core_audit_events "
                                  "WHERE actor = 'migration:0005_cdop_terminal_forms'")).one()
        assert event.action == "reporting_form.waive_on_terminal" and event.seq is None
    # Down to 0003 is refused while an event waits for the sealer; sealed, it goes through.
    import pytest

    with pytest.raises(RuntimeError, match="not sealed"):
        command.downgrade(alembic_config(url), "0003_merge")
    from sqlalchemy.orm import Session

    from core.audit import seal, verify

    with Session(engine) as s, s.begin():
        assert seal(s) == 1
    command.downgrade(alembic_config(url), "0003_merge")
    upgrade(url, "head")
    with Session(engine) as s:
        assert verify(s).ok
    engine.dispose()
