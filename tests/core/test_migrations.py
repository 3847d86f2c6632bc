"""The migrations build exactly the schema the models describe (no forgotten migration)."""

from __future__ import annotations

import pytest
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


def _deadline_outcomes_round_trip(url: str) -> None:
    import datetime as dt

    from sqlalchemy import create_engine, inspect, text

    from alembic import command
    from core.migrations import alembic_config, upgrade

    upgrade(url, "0006_open_work_indexes")
    engine = create_engine(url)
    at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            for kind, met, cancelled in (("open", None, None), ("met", at, None), ("cancelled", None, at)):
                conn.execute(text(
                    "INSERT INTO core_deadlines (subject_type, subject_id, kind, label, start_on, due_on, "
                    "created_at, met_at, cancelled_at) VALUES ('case_review', 1, :kind, 'Synthetic', "
                    "'2026-11-02', '2026-11-23', :at, :met, :cancelled)"),
                    {"kind": kind, "at": at, "met": met, "cancelled": cancelled})
        upgrade(url, "0007_deadline_outcomes")
        with engine.connect() as conn:
            rows = {r.kind: r for r in conn.execute(text(
                "SELECT kind, met_at, missed_at, waived_at, waived_reason FROM core_deadlines"))}
            columns = {c["name"] for c in inspect(conn).get_columns("core_deadlines")}
        assert "cancelled_at" not in columns
        assert rows["open"].met_at is None and rows["open"].waived_at is None and rows["open"].missed_at is None
        assert rows["met"].met_at is not None and rows["met"].waived_at is None
        # A deadline cancelled before outcomes existed is waived, with the reason saying so.
        assert rows["cancelled"].waived_at is not None
        assert rows["cancelled"].waived_reason == "cancelled before outcomes were recorded"
        command.downgrade(alembic_config(url), "0006_open_work_indexes")
        with engine.connect() as conn:
            back = {r.kind: r.cancelled_at for r in conn.execute(text("SELECT kind, cancelled_at FROM core_deadlines"))}
        assert back["cancelled"] is not None and back["open"] is None and back["met"] is None
    finally:
        engine.dispose()


def test_deadline_outcomes_migration_on_sqlite(tmp_path) -> None:
    _deadline_outcomes_round_trip(f"sqlite:///{tmp_path / 'deadlines.sqlite3'}")


@pytest.mark.postgres
def test_deadline_outcomes_migration_on_postgresql() -> None:
    """On a database of its own next to the test database."""
    import uuid

    from sqlalchemy import create_engine, make_url, text

    from tests.conftest import TEST_DB_URL

    name = f"ecr_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(TEST_DB_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _deadline_outcomes_round_trip(make_url(TEST_DB_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
