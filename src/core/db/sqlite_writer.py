"""The SQLite writer queue: the writers of one process take turns in-process for SQLite's one
write lock, instead of polling for it in SQLite's busy handler.

:func:`make_sqlite_engine` builds the SQLite engine with its hooks: every connection in WAL
mode with foreign keys on, transactions controlled by SQLAlchemy (pysqlite's own handling
breaks SAVEPOINT), every transaction ``BEGIN IMMEDIATE`` (concurrent writers queue instead of
failing on a lock upgrade), and the turn of the :class:`WriterQueue` taken just before it.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

# Execution option: "DEFERRED" makes a SQLite transaction a plain read transaction instead of
# BEGIN IMMEDIATE (see core.db.session.read_ahead_of_transaction).
SQLITE_BEGIN = "ecr_sqlite_begin"

SQLITE_BUSY_TIMEOUT_S = 30


class WriterQueue:
    """The writers of one process queue here for SQLite's one write lock.

    A writer that finds SQLite's lock taken waits in SQLite's busy handler, which sleeps between
    tries with growing pauses: the lock is often free while every waiter sleeps, and an unlucky
    writer loses many rounds. Here a waiter is woken the moment the holder commits or rolls
    back. Writers in other processes still meet in SQLite's busy handler. Taken just before
    ``BEGIN IMMEDIATE``; given back by the connection (:class:`QueuedSQLiteConnection`) when
    its transaction ends or it closes."""

    def __init__(self, timeout: float = SQLITE_BUSY_TIMEOUT_S) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self.timeout = timeout

    def enter(self) -> bool:
        """Wait for the turn; False (go on without it, SQLite's busy handler decides) when this
        thread already writes through another connection (waiting would deadlock it) or the
        wait exceeds the busy timeout."""
        me = threading.get_ident()
        if self._owner == me or not self._lock.acquire(timeout=self.timeout):
            return False
        self._owner = me
        return True

    def leave(self) -> None:
        self._owner = None
        self._lock.release()


class QueuedSQLiteConnection(sqlite3.Connection):
    """A sqlite3 connection that gives its :class:`WriterQueue` turn back when its transaction
    ends (commit, rollback, or close)."""

    writer_queue: WriterQueue | None = None
    holds_turn = False

    def take_turn(self) -> None:
        if not self.holds_turn and self.writer_queue is not None and self.writer_queue.enter():
            self.holds_turn = True

    def give_turn_back(self, *, closing: bool = False) -> None:
        """Once the transaction has ended (a failed COMMIT leaves it open: the turn is kept)."""
        if self.holds_turn and (closing or not self.in_transaction):
            self.holds_turn = False
            assert self.writer_queue is not None
            self.writer_queue.leave()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_turn_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_turn_back(closing=True)


def make_sqlite_engine(url: str, **kwargs: Any) -> Engine:
    """A SQLite engine whose connections share one :class:`WriterQueue`."""
    if ":///" in url and not url.endswith(":memory:"):
        Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S,
                           "factory": QueuedSQLiteConnection}, **kwargs
    )
    install_hooks(engine, WriterQueue())
    return engine


def install_hooks(engine: Engine, writers: WriterQueue) -> None:
    """The connect and begin hooks of a SQLite engine (see the module's docstring)."""

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        if isinstance(dbapi_conn, QueuedSQLiteConnection):
            dbapi_conn.writer_queue = writers
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        if conn.get_execution_options().get(SQLITE_BEGIN) == "DEFERRED":
            conn.exec_driver_sql("BEGIN DEFERRED")  # a read: no write lock, no turn
            return
        raw = conn.connection.dbapi_connection
        queued = isinstance(raw, QueuedSQLiteConnection)
        if queued:
            raw.take_turn()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if queued:
                raw.give_turn_back()
            raise
