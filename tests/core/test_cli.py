"""The ``ecr`` command, run as a real subprocess against a temporary SQLite database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.migrations import head_revision

PASSWORD = "a long enough password"


def run(db_url: str, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "ECR_SMTP_URL"}
    environment.update(ECR_DATABASE_URL=db_url, ECR_ENV="test", ECR_LOG_LEVEL="WARNING", **env)
    return subprocess.run([sys.executable, "-m", "core.cli", *args], input=stdin or "", capture_output=True,
                          text=True, env=environment, timeout=120)


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory) -> tuple[str, Path]:
    path = tmp_path_factory.mktemp("cli") / "cli.sqlite3"
    url = f"sqlite:///{path}"
    first = run(url, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    return url, path


def _query(path: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def test_db_upgrade_is_idempotent(cli_db) -> None:
    url, path = cli_db
    again = run(url, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert _query(path, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert _query(path, "SELECT seq FROM core_audit_head") == [(0,)]


def test_users_create_reads_the_password_from_stdin(cli_db) -> None:
    url, path = cli_db
    r = run(url, "users", "create", "--email", " Chair@Example.test ", "--name", "Cara Chair",
            "--role", "crg_chair", "--role", "independent_chair", "--role", "crg_chair", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert "chair@example.test" in r.stdout and PASSWORD not in r.stdout + r.stderr
    ((email, name, roles, pw_hash, active),) = _query(
        path, "SELECT email, name, roles, password_hash, is_active FROM core_users WHERE email = ?",
        "chair@example.test")
    assert (email, name, json.loads(roles), active) == (
        "chair@example.test", "Cara Chair", ["crg_chair", "independent_chair"], 1)
    from core.auth.passwords import verify_password

    assert verify_password(pw_hash, PASSWORD)
    assert _query(path, "SELECT actor, action FROM core_audit_events WHERE action = 'user.create'") == [
        ("cli", "user.create")]

    dup = run(url, "users", "create", "--email", "chair@example.test", "--name", "X", "--role", "admin",
              stdin=PASSWORD + "\n")
    assert dup.returncode == 1 and "exists" in dup.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "admin", "--role", "wizard"], PASSWORD, "unknown role(s): wizard"),
        (["--role", "admin"], "short\n", "at least"),
    ],
    ids=["unknown-role", "short-password"],
)
def test_users_create_refusals_exit_2(cli_db, args, stdin, message) -> None:
    url, path = cli_db
    r = run(url, "users", "create", "--email", "refused@example.test", "--name", "R", *args, stdin=stdin)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert _query(path, "SELECT id FROM core_users WHERE email = 'refused@example.test'") == []


def test_users_create_argument_errors(cli_db) -> None:
    url, _ = cli_db
    assert run(url, "users", "create", "--name", "No Email", stdin=PASSWORD).returncode == 2
    r = run(url, "users", "create", "--email", "not-an-address", "--name", "N", stdin=PASSWORD)
    assert r.returncode == 2 and "--email" in r.stderr
    assert run(url, "nonsense").returncode == 2


def _add_audit_events(url: str, n: int) -> None:
    from sqlalchemy.orm import Session

    from core.audit import record
    from core.db.session import make_engine

    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        for i in range(n):
            record(s, actor="system", action="cli.test", subject_type="case_review", subject_id=i)
    engine.dispose()


def test_audit_verify_then_tamper(cli_db) -> None:
    url, path = cli_db
    _add_audit_events(url, 3)
    r = run(url, "audit", "verify")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["ok"] is True and result["unsealed"] >= 3  # recorded, not chained yet
    r = run(url, "audit", "seal")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sealed"] >= 3
    result = json.loads(run(url, "audit", "verify").stdout)
    assert result["ok"] is True and result["events_checked"] >= 3 and result["unsealed"] == 0

    (seq,) = _query(path, "SELECT max(seq) - 1 FROM core_audit_events")[0]
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE core_audit_events SET actor = 'someone-else' WHERE seq = ?", (seq,))
    r = run(url, "audit", "verify")
    assert r.returncode == 1
    result = json.loads(r.stdout)
    assert result["ok"] is False and result["first_broken_seq"] == seq


def test_worker_once_delivers(cli_db, smtp_server) -> None:
    url, path = cli_db
    from sqlalchemy.orm import Session

    from core.db.session import make_engine
    from core.outbox import enqueue_email

    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        enqueue_email(s, to="agency@example.test", subject="Reporting form due", body="Reference CDR-1.")
    engine.dispose()

    # Without ECR_SMTP_URL the worker still seals the audit trail; the email stays queued.
    r = run(url, "worker", "--once")
    assert r.returncode == 0, r.stderr
    assert "ECR_SMTP_URL is not set" in r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["sent"] == 0
    assert _query(path, "SELECT status FROM core_outbox") == [("pending",)]
    r = run(url, "worker", "--once", ECR_SMTP_URL=smtp_server.url)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {
        "sent": 1, "failed_or_deferred": 0, "audit_sealed": 0}
    got = smtp_server.wait_for(1)
    assert got[0]["to"] == ["agency@example.test"] and got[0]["subject"] == "Reporting form due"
    assert _query(path, "SELECT status, attempts FROM core_outbox") == [("sent", 1)]
