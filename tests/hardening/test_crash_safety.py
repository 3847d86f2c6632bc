"""Crash safety (issue #5, PostgreSQL): the real server is killed with SIGKILL while
notifications pour in. After a restart every notification that was answered 201 exists exactly
once, retries with the same Idempotency-Key create nothing new, and the audit chain verifies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DB_URL, free_port
from tests.hardening.conftest import record_figures
from tests.hardening.payloads import PUBLIC_ENDPOINTS, TABLES

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
THREADS = 4


@pytest.fixture
def fresh_database():
    """A database of its own on the test server, upgraded with `ecr db upgrade`, dropped after."""
    admin_url = make_url(TEST_DB_URL).set(database="postgres")
    name = f"ecr_crash_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(TEST_DB_URL).set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "ECR_DATABASE_URL": url}
    out = subprocess.run([os.path.join(BIN, "ecr"), "db", "upgrade"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


class Server:
    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "ECR_DATABASE_URL": database_url, "ECR_ENV": "development",
                    "ECR_PUBLIC_RATE_LIMIT": "100000/minute", "ECR_LOG_LEVEL": "WARNING",
                    "ECR_RUN_WORKER_IN_PROCESS": "true"}
        self.env.pop("ECR_SMTP_URL", None)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> None:
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "uvicorn"), "core.app:app_factory", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", "1", "--no-access-log"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the server exited during start-up"
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not become ready")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def test_sigkill_mid_run_loses_and_duplicates_nothing(fresh_database: str) -> None:
    server = Server(fresh_database)
    server.start()
    acknowledged: list[tuple[str, str, str, dict]] = []  # (kind, key, reference, body)
    unanswered: list[tuple[str, str, dict]] = []     # (kind, key, body): no answer before the kill
    lock = threading.Lock()
    stop = threading.Event()

    def post_loop(worker: int) -> None:
        kinds = sorted(PUBLIC_ENDPOINTS)
        with httpx.Client(base_url=server.base, timeout=10) as http:
            i = 0
            while not stop.is_set() and i < 400:
                kind = kinds[(worker + i) % 2]
                path, make_body = PUBLIC_ENDPOINTS[kind]
                body, key = make_body(), f"crash-{worker}-{i}-{uuid.uuid4().hex[:6]}"
                i += 1
                try:
                    r = http.post(path, json=body, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    with lock:
                        unanswered.append((kind, key, body))
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        acknowledged.append((kind, key, r.json()["reference"], body))
                else:
                    assert r.status_code < 500, r.text

    threads = [threading.Thread(target=post_loop, args=(w,)) for w in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # mid-run: requests are in flight
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acknowledged) >= 10, f"only {len(acknowledged)} acknowledged before the kill"

    server.start()
    try:
        engine = create_engine(fresh_database)
        found: dict[str, Counter] = {}
        with engine.connect() as conn:
            for kind, table in TABLES.items():
                found[kind] = Counter(conn.execute(text(f"SELECT reference FROM {table}")).scalars())
        missing = [(k, ref) for k, _key, ref, _body in acknowledged if found[k][ref] == 0]
        doubled = [(k, ref) for k in found for ref, n in found[k].items() if n > 1]
        total_found = sum(sum(c.values()) for c in found.values())

        # The clients whose request got no answer retry with the same key: each ends with
        # exactly one notification, whether or not the first attempt had committed.
        retried = []
        with httpx.Client(base_url=server.base, timeout=15) as http:
            for kind, key, body in unanswered:
                r = http.post(PUBLIC_ENDPOINTS[kind][0], json=body, headers={"Idempotency-Key": key})
                assert r.status_code == 201, r.text
                retried.append((kind, r.json()["reference"], r.headers.get("idempotent-replayed") == "true"))
            # and acknowledged ones replay across the restart, creating nothing
            for kind, key, ref, body in acknowledged[:6]:
                r = http.post(PUBLIC_ENDPOINTS[kind][0], json=body, headers={"Idempotency-Key": key})
                assert r.status_code == 201 and r.json()["reference"] == ref, r.text
                assert r.headers.get("idempotent-replayed") == "true"
        with engine.connect() as conn:
            after = {kind: Counter(conn.execute(text(f"SELECT reference FROM {table}")).scalars())
                     for kind, table in TABLES.items()}
        engine.dispose()
        assert all(after[k][ref] == 1 for k, ref, _replayed in retried)
        assert sum(sum(c.values()) for c in after.values()) == total_found + sum(
            1 for _k, _r, replayed in retried if not replayed)

        # Seal what the killed server recorded (deferred sealing), then check the whole chain.
        seal = subprocess.run([os.path.join(BIN, "ecr"), "audit", "seal"], env=server.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert seal.returncode == 0, seal.stderr
        verify = subprocess.run([os.path.join(BIN, "ecr"), "audit", "verify"], env=server.env, cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
    finally:
        server.stop()

    result = json.loads(verify.stdout.strip().splitlines()[-1])
    record_figures("crash safety (SIGKILL)", acknowledged=len(acknowledged),
                   found_of_acknowledged=len(acknowledged) - len(missing),
                   rows_after_restart=total_found, in_flight_at_kill=len(unanswered),
                   in_flight_replayed=sum(1 for *_x, replayed in retried if replayed),
                   duplicates=len(doubled), audit_ok=result.get("ok"),
                   audit_events=result.get("events_checked"))
    assert not missing, f"acknowledged but lost: {missing}"
    assert not doubled, f"duplicated: {doubled}"
    assert verify.returncode == 0 and result["ok"] is True, verify.stdout + verify.stderr
    assert result["unsealed"] == 0 and result["events_checked"] > 0
