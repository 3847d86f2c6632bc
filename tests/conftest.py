"""Test fixtures: the real migrations on a real database, and a rollback per test.

SQLite by default; PostgreSQL when ECR_TEST_DATABASE_URL is set (CI runs both).
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

_TMP = Path(tempfile.mkdtemp(prefix="ecr-test-"))
TEST_DB_URL = os.environ.get("ECR_TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.sqlite3"
os.environ["ECR_ENV"] = "test"
os.environ["ECR_DATABASE_URL"] = TEST_DB_URL
os.environ.setdefault("ECR_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("ECR_PUBLIC_RATE_LIMIT", "10000/minute")
os.environ.setdefault("ECR_LOGIN_RATE_LIMIT", "10000/minute")
os.environ.pop("ECR_SMTP_URL", None)
os.environ.pop("ECR_REDIS_URL", None)

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from core.app import create_app  # noqa: E402
from core.auth.models import User  # noqa: E402
from core.auth.passwords import hash_password  # noqa: E402
from core.auth.tokens import issue_access_token  # noqa: E402
from core.db.session import make_engine  # noqa: E402
from core.migrations import upgrade  # noqa: E402
from core.settings import get_settings  # noqa: E402

IS_POSTGRES = TEST_DB_URL.startswith("postgresql")
T = TypeVar("T")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set ECR_TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not IS_POSTGRES:
            item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    upgrade(TEST_DB_URL)
    eng = make_engine(TEST_DB_URL)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def app(engine: Engine) -> FastAPI:
    return create_app(get_settings(), start_worker=False)


@pytest.fixture
def connection(engine: Engine) -> Iterator:
    conn = engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def session_factory(connection) -> sessionmaker[Session]:
    """Sessions joined to the per-test transaction: their commits become savepoints."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def client(app: FastAPI, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app.state.session_factory = session_factory
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.session_factory = None


@dataclass
class TestUser:
    id: int
    email: str
    name: str
    roles: list[str]
    token: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_user(session_factory: sessionmaker[Session]):
    """make_user("business_unit", agency=None) -> a TestUser with a valid token."""
    settings = get_settings()

    def _make(*roles: str, agency: str | None = None, name: str | None = None,
              email: str | None = None, password: str = "correct horse battery staple") -> TestUser:
        email = email or f"{'-'.join(roles) or 'nobody'}-{uuid.uuid4().hex[:8]}@example.test"
        name = name or f"Test {' '.join(roles).title() or 'User'}"
        with session_factory() as s:
            user = User(email=email, name=name, password_hash=hash_password(password),
                        roles=list(roles), agency=agency, is_active=True)
            s.add(user)
            s.commit()
            uid = user.id
        return TestUser(uid, email, name, list(roles), issue_access_token(settings, str(uid)), password)

    return _make


@pytest.fixture
def committed_db(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Real commits (for concurrency tests); every table is emptied afterwards."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    yield factory
    truncate_all(engine)


def truncate_all(engine: Engine) -> None:
    from core.db.models import load_all_models

    tables = [t.name for t in load_all_models().sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {name}"))
        conn.execute(text("INSERT INTO core_audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})


def run_in_own_thread(fn: Callable[[], T], timeout: float = 60) -> T:
    """``fn()`` in a thread of its own, its result returned or its exception raised here. For
    tests that start an event loop (asyncio.run, anyio.run): another test may have left one
    running in this thread, or sniffio's thread-local state, which would make them refuse."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(fn())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(timeout)
    if errors:
        raise errors[0]
    if not results:
        raise TimeoutError(f"still running after {timeout} s")
    return results[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """A real local SMTP server (aiosmtpd) collecting what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                from email import message_from_bytes, policy

                msg = message_from_bytes(envelope.content, policy=policy.default)
                sink.messages.append({
                    "to": list(envelope.rcpt_tos), "subject": str(msg["Subject"]),
                    "body": msg.get_body(("plain",)).get_content() if msg.get_body(("plain",)) else "",
                })
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def deliver_outbox(session_factory: sessionmaker[Session], smtp_url: str) -> tuple[int, int]:
    """Run one outbox pass against an SMTP server (the worker's real code path)."""
    from core.outbox.worker import deliver_due, smtp_sender

    return deliver_due(session_factory, smtp_sender(smtp_url, "no-reply@example.test"))


_ = threading  # kept for helpers that start servers in threads


@pytest.fixture
def wt2015_default(monkeypatch):
    """New case review notifications follow WT2015 in this test (it walks a Serious Case Review,
    or checks WT2015's intake and deadlines), whatever the deployment default
    ``ECR_CASE_REVIEW_REGIME`` is. Works for the browser tests' live server too: it runs in this
    process and reads the setting per request."""
    from ecr.config import get_config

    monkeypatch.setenv("ECR_CASE_REVIEW_REGIME", "WT2015")
    get_config.cache_clear()
    yield
    get_config.cache_clear()
