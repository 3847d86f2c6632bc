"""SQLite writers of one process queue in-process for the write lock (core.db.sqlite_writer.WriterQueue)
instead of polling in SQLite's busy handler. Run on a SQLite file of their own whatever the test
database is: the queue is SQLite's engine only."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from core.db.session import make_engine
from core.db.sqlite_writer import SQLITE_BEGIN, QueuedSQLiteConnection, WriterQueue


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
    yield engine
    engine.dispose()


def _queue(engine: Engine) -> WriterQueue:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, QueuedSQLiteConnection)
        assert raw.writer_queue is not None
        return raw.writer_queue


def test_a_write_transaction_holds_the_turn_until_it_ends(sqlite_engine: Engine) -> None:
    queue = _queue(sqlite_engine)
    for end in ("commit", "rollback", "close"):
        conn = sqlite_engine.connect()
        trans = conn.begin()
        conn.execute(text("INSERT INTO t (who) VALUES (:w)"), {"w": end})
        raw = conn.connection.dbapi_connection
        assert raw.holds_turn and queue._lock.locked(), end
        if end == "commit":
            trans.commit()
        elif end == "rollback":
            trans.rollback()
        conn.close()  # "close": returned to the pool mid-transaction (rolled back there)
        assert not raw.holds_turn and not queue._lock.locked(), end


def test_a_read_transaction_takes_no_turn(sqlite_engine: Engine) -> None:
    queue = _queue(sqlite_engine)
    with sqlite_engine.connect().execution_options(**{SQLITE_BEGIN: "DEFERRED"}) as conn:
        with conn.begin():
            conn.execute(text("SELECT count(*) FROM t")).scalar_one()
            assert not queue._lock.locked()


def test_a_failed_begin_gives_the_turn_back(sqlite_engine: Engine, tmp_path: Path) -> None:
    import sqlite3

    queue = _queue(sqlite_engine)
    # another process's writer (here: a plain connection, which the queue does not know)
    other = sqlite3.connect(tmp_path / "queue.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        conn = sqlite_engine.connect()
        conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
        with pytest.raises(Exception, match="locked"):
            conn.begin()
        assert not queue._lock.locked()
        conn.close()
    finally:
        other.rollback()
        other.close()


def test_a_waiting_writer_goes_in_when_the_holder_commits(sqlite_engine: Engine) -> None:
    """SQLite's busy handler sleeps up to 100 ms between tries: a writer that waited 450 ms
    would next try at 528 ms. Queued, it begins as soon as the holder commits."""
    committed_at: list[float] = []
    began_at: list[float] = []
    holder_in = threading.Event()

    def holder() -> None:
        with sqlite_engine.begin() as conn:
            conn.execute(text("INSERT INTO t (who) VALUES ('holder')"))
            holder_in.set()
            time.sleep(0.45)
        committed_at.append(time.monotonic())

    def waiter() -> None:
        holder_in.wait(5)
        with sqlite_engine.begin() as conn:
            began_at.append(time.monotonic())
            conn.execute(text("INSERT INTO t (who) VALUES ('waiter')"))

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert committed_at and began_at
    assert began_at[0] - committed_at[0] < 0.04, began_at[0] - committed_at[0]


def test_concurrent_writers_all_commit_in_turn(sqlite_engine: Engine) -> None:
    writers, each = 8, 25

    def work(n: int) -> None:
        for i in range(each):
            with sqlite_engine.begin() as conn:
                conn.execute(text("INSERT INTO t (who) VALUES (:w)"), {"w": f"{n}-{i}"})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == writers * each
    assert not _queue(sqlite_engine)._lock.locked()


def test_a_second_connection_in_the_same_thread_does_not_wait_for_itself() -> None:
    queue = WriterQueue(timeout=5)
    assert queue.enter()
    started = time.monotonic()
    assert queue.enter() is False  # left to SQLite's busy handler, which times out, not a deadlock
    assert time.monotonic() - started < 1
    queue.leave()


def test_a_wait_beyond_the_busy_timeout_falls_back_to_sqlite() -> None:
    queue = WriterQueue(timeout=0.05)
    entered = threading.Event()
    release = threading.Event()

    def hold() -> None:
        queue.enter()
        entered.set()
        release.wait(5)
        queue.leave()

    t = threading.Thread(target=hold)
    t.start()
    entered.wait(5)
    assert queue.enter() is False
    release.set()
    t.join(5)
    assert queue.enter() is True
    queue.leave()
