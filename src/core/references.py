"""Human references per kind and year (``CR-2026-0001``, ``CD-2026-0001``), shared by the
domains: one counter row per (prefix, year), incremented with
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``.

Where the number is taken:

- **PostgreSQL** (a session bound to an engine, i.e. every request): in a transaction of its
  own (one autocommit statement) on a connection of a small pool of its own, committed at once
  with ``synchronous_commit = off``. The counter row is locked for that statement only, never
  through the caller's transaction and its commit (a WAL flush), so concurrent posts are not
  serialised on it. Durable enough: the WAL is flushed in order, so once the caller's commit
  is durable the counter's earlier commit is too; if the server stops before that, the caller
  did not commit either and nothing carries the lost number. **A caller that rolls back leaves
  a gap** in the numbers (a refused or failed notification): references stay unique and
  increasing, not consecutive.
- **SQLite**, or a session bound to a connection (tests that roll back): inside the caller's
  transaction, as before. SQLite transactions are ``BEGIN IMMEDIATE`` and so serialised
  already, and a second connection would wait for the caller's write lock (a deadlock). Here
  a rolled-back post leaves no gap because its increment rolls back too.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Engine, Integer, String, bindparam, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.pool import QueuePool

from core.db.base import Base


class ReferenceCounter(Base):
    __tablename__ = "core_reference_counters"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


def _build_upsert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    table = ReferenceCounter.__table__
    return (
        insert(table)
        .values(prefix=bindparam("prefix"), year=bindparam("year"), last=1)
        .on_conflict_do_update(
            index_elements=[table.c.prefix, table.c.year],
            set_={"last": table.c.last + 1},
        )
        .returning(table.c.last)
    )


_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    """The statement, built once per dialect (the values are parameters)."""
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        stmt = _UPSERTS[dialect] = _build_upsert(dialect)
    return stmt


# A few connections of their own per database, so that taking a number never waits for a
# connection of the request pool while the request holds one (40 requests each holding one and
# waiting for a second would exhaust it). They are only ever used here: in autocommit, each
# upsert is its own transaction (one round trip, the row locked for that statement only), and
# with synchronous_commit off for their whole session.
_ALLOCATOR_POOL = {"pool_size": 2, "max_overflow": 8, "pool_timeout": 30}
_allocators: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()
_allocators_lock = threading.Lock()


def _async_commit(dbapi_conn: Any, _record: Any) -> None:
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True
    cur = dbapi_conn.cursor()
    try:
        cur.execute("SET synchronous_commit = off")
    finally:
        cur.close()
        dbapi_conn.autocommit = autocommit


def _allocator(engine: Engine) -> Engine:
    found = _allocators.get(engine)
    if found is None:
        with _allocators_lock:
            found = _allocators.get(engine)
            if found is None:
                # the engine's own way to connect (its URL and any connect_args), smaller pool
                creator = getattr(engine.pool, "_creator", None)
                if creator is not None:
                    pool = QueuePool(creator, pool_size=_ALLOCATOR_POOL["pool_size"],
                                     max_overflow=_ALLOCATOR_POOL["max_overflow"],
                                     timeout=_ALLOCATOR_POOL["pool_timeout"])
                    found = create_engine(engine.url, pool=pool, isolation_level="AUTOCOMMIT")
                else:
                    found = create_engine(engine.url, isolation_level="AUTOCOMMIT", **_ALLOCATOR_POOL)
                event.listen(found, "connect", _async_commit)
                _allocators[engine] = found
    return found


def _next_number_apart(engine: Engine, prefix: str, year: int) -> int:
    params = {"prefix": prefix, "year": year}
    allocator = _allocator(engine)
    for attempt in (1, 2):
        try:
            with allocator.connect() as conn:
                return int(conn.execute(_upsert("postgresql"), params).scalar_one())
        except DBAPIError as exc:
            # no pre-ping: a connection the server closed fails here once and is replaced
            if attempt == 2 or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")


def next_number(session: Session, prefix: str, year: int) -> int:
    bind = session.get_bind()
    dialect = bind.dialect.name
    if dialect == "postgresql" and isinstance(bind, Engine):
        return _next_number_apart(bind, prefix, year)
    stmt = _upsert(dialect)
    return int(session.connection().execute(stmt, {"prefix": prefix, "year": year}).scalar_one())


def next_reference(session: Session, prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{next_number(session, prefix, year):04d}"
