"""core.references: numbers per prefix and year; on PostgreSQL taken outside the caller's
transaction, so no counter row lock is held to the caller's commit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from core import references
from tests.conftest import IS_POSTGRES

PREFIX = "TQ"  # a prefix no domain uses


def _number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


def test_numbers_are_per_prefix_and_year_and_formatted(db: Session) -> None:
    first = references.next_reference(db, PREFIX, 2031)
    assert first == f"{PREFIX}-2031-0001"
    assert references.next_reference(db, PREFIX, 2031) == f"{PREFIX}-2031-0002"
    assert references.next_reference(db, PREFIX, 2032) == f"{PREFIX}-2032-0001"
    assert references.next_reference(db, "TR", 2031) == "TR-2031-0001"


def test_inside_the_callers_transaction_a_rollback_leaves_no_gap(
        session_factory: sessionmaker[Session]) -> None:
    """SQLite (and any session bound to a connection): the increment rolls back with the caller."""
    with session_factory() as s:
        before = references.next_number(s, PREFIX, 2033)
        s.commit()
    with session_factory() as s:
        references.next_number(s, PREFIX, 2033)
        s.rollback()
    with session_factory() as s:
        assert references.next_number(s, PREFIX, 2033) == before + 1


@pytest.mark.postgres
def test_postgres_holds_no_counter_lock_through_the_callers_transaction(
        committed_db: sessionmaker[Session], engine: Engine) -> None:
    taken: list[int] = []
    with committed_db() as caller:
        taken.append(references.next_number(caller, PREFIX, 2034))
        caller.execute(text("SELECT 1"))  # the caller's transaction stays open ...
        # ... and the counter row is free: another transaction locks it at once
        with engine.connect() as other:
            other.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            row = other.execute(text(
                "SELECT last FROM core_reference_counters WHERE prefix = :p AND year = 2034 FOR UPDATE"
            ), {"p": PREFIX}).scalar_one()
            assert row == taken[0]  # already committed, before the caller commits
            other.rollback()
        # and concurrent callers are not serialised by it either
        def other_caller() -> None:
            with committed_db() as s:
                taken.append(references.next_number(s, PREFIX, 2034))
                s.commit()

        t = threading.Thread(target=other_caller)
        t.start()
        t.join(10)
        assert not t.is_alive(), "a second caller waited for the first one's transaction"
        caller.rollback()
    # the caller rolled back: its number is not given again (a gap), numbers stay unique
    with committed_db() as s:
        after = references.next_number(s, PREFIX, 2034)
        s.commit()
    assert taken == [taken[0], taken[0] + 1] and after == taken[0] + 2


@pytest.mark.postgres
def test_postgres_allocator_commits_without_waiting_for_the_flush(
        committed_db: sessionmaker[Session], engine: Engine) -> None:
    with committed_db() as s:
        references.next_number(s, PREFIX, 2035)
        s.rollback()
    allocator = references._allocator(engine)
    assert allocator is references._allocator(engine)  # one small pool per engine
    assert allocator.pool is not engine.pool
    with allocator.connect() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "off"
    # the request pool's connections keep the server's setting
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"


@pytest.mark.postgres
def test_postgres_allocator_survives_a_closed_connection(
        committed_db: sessionmaker[Session], engine: Engine) -> None:
    allocator = references._allocator(engine)
    allocator.dispose()
    with committed_db() as s:
        first = references.next_number(s, PREFIX, 2036)  # the pool now holds one connection
    with allocator.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with engine.connect() as admin:  # the server drops it while it is idle in the pool
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()
    with committed_db() as s:  # no pre-ping: the dead connection fails once and is replaced
        assert references.next_number(s, PREFIX, 2036) == first + 1


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite only")
def test_sqlite_takes_the_number_in_the_callers_transaction(
        committed_db: sessionmaker[Session]) -> None:
    with committed_db() as s:
        first = references.next_number(s, PREFIX, 2037)
        s.rollback()
    with committed_db() as s:
        assert references.next_number(s, PREFIX, 2037) == first
        s.commit()
