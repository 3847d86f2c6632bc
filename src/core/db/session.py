"""Engine and the one-session-per-request unit of work.

Services only ``flush()``; :func:`get_session` commits once at the request boundary (before the
response is sent) and rolls back on any error. The SQLite engine and its writer queue are in
:mod:`core.db.sqlite_writer`.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Annotated, Any, Protocol, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from core.db.sqlite_writer import SQLITE_BEGIN, make_sqlite_engine
from core.settings import get_settings

T = TypeVar("T")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """The engine for ``url``: SQLite with its writer queue (core.db.sqlite_writer), or a
    pooled PostgreSQL engine."""
    if url.startswith("sqlite"):
        return make_sqlite_engine(url, **kwargs)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
    return create_engine(url, pool_pre_ping=True, **kwargs)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def _default_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False, autoflush=True)


def session_factory(request: Request | None = None) -> sessionmaker[Session]:
    if request is not None:
        factory = getattr(request.app.state, "session_factory", None)
        if factory is not None:
            return factory
    return _default_factory()


_REQUEST_SESSION: ContextVar[Session | None] = ContextVar("request_session", default=None)


class BeforeEndpoint(Protocol):
    """Work a dependency hands to the endpoint's own threadpool call (see
    :func:`defer_to_endpoint_thread`): called with the endpoint's keyword arguments before it
    runs, returns them (possibly with values replaced); ``done`` once it has run."""

    done: bool

    def __call__(self, kwargs: dict[str, Any]) -> dict[str, Any]: ...

    def settle(self) -> None:
        """The work for a request whose endpoint will not run (an error came first); may raise
        the error that should answer instead."""


_BEFORE_ENDPOINT: ContextVar[BeforeEndpoint | None] = ContextVar("before_endpoint", default=None)


def runs_in_endpoint_thread(app: Any, endpoint: Callable[..., Any]) -> None:
    """Record that ``app`` calls ``endpoint`` through :func:`commit_when_endpoint_returns`
    (create_app wraps every sync endpoint)."""
    found = getattr(app.state, "endpoints_in_thread", None)
    if found is None:
        found = app.state.endpoints_in_thread = set()
    found.add(endpoint)


def defer_to_endpoint_thread(request: Request, work: BeforeEndpoint) -> bool:
    """Hand ``work`` (blocking work of an async dependency, such as the principal's user read)
    to the endpoint's own threadpool call, where it runs just before the endpoint: one threadpool
    hop fewer, and on SQLite one transaction fewer. False, and nothing deferred, when the endpoint
    does not run in such a call (an async endpoint): the caller then does the work itself.

    Fails closed: if the work has not run when the request's session is about to commit, the
    session rolls back and the request fails (:func:`get_session`)."""
    if request.scope.get("endpoint") not in getattr(request.app.state, "endpoints_in_thread", ()):
        return False
    if getattr(request.state, "before_endpoint", None) is not None:
        raise RuntimeError("one deferred piece of work per request")
    request.state.before_endpoint = work
    _BEFORE_ENDPOINT.set(work)
    return True


async def settle_deferred_work(request: Request) -> None:
    """For the error handlers: work deferred to an endpoint that never ran is done first (an
    authentication's 401 or 403 then answers instead of the error, as when it ran up front)."""
    work = getattr(request.state, "before_endpoint", None)
    if work is not None and not work.done:
        await run_in_threadpool(work.settle)


def _deferred_work_not_done(request: Request) -> bool:
    work = getattr(request.state, "before_endpoint", None)
    return work is not None and not work.done


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work. Async so that opening it costs no threadpool hop (creating a
    Session does no I/O; the first statement connects).

    The commit, which does I/O, normally runs at the end of the endpoint's own threadpool call
    (:func:`commit_when_endpoint_returns`, installed on every sync route by ``create_app``), so
    it costs no hop of its own; here the session is then only closed, which after a commit does
    no I/O. Otherwise (an async endpoint, an error) the commit or rollback and the close run in
    the threadpool, shielded from cancellation so a connection always goes back to the pool."""
    session = session_factory(request)()
    request.state.db = session
    settings = getattr(request.app.state, "settings", None) or get_settings()
    session.info["audit_sealing"] = settings.audit_sealing
    session.info["read_only_commit"] = request.method in ("GET", "HEAD") and settings.audit_read_commit == "async"
    token = _REQUEST_SESSION.set(session)
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_rollback_and_close, session)
        raise
    finally:
        _REQUEST_SESSION.reset(token)
    if _deferred_work_not_done(request):
        # An endpoint ran without the work a dependency deferred to it (its authentication):
        # keep nothing it did, and fail.
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_rollback_and_close, session)
        raise RuntimeError("deferred dependency work did not run before the endpoint")
    if session.info.get("committed") and not session.in_transaction():
        session.close()  # committed in the endpoint's thread; returning the connection is I/O free
        return
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_commit_and_close, session)


def _commit(session: Session) -> None:
    if (session.info.get("read_only_commit") and session.in_transaction()
            and session.get_bind().dialect.name == "postgresql"):
        # A read writes only its audit event: do not wait for the WAL flush (see
        # Settings.audit_read_commit). Any later synchronous commit flushes it anyway.
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    session.commit()


def _commit_and_close(session: Session) -> None:
    try:
        _commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def commit_when_endpoint_returns(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a sync endpoint so the request's session commits in the same threadpool call, as
    soon as the endpoint returns (a failed commit raises from the endpoint: an error response,
    never a success for uncommitted work). Saves the threadpool hop of a separate commit."""

    @functools.wraps(endpoint)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        before = _BEFORE_ENDPOINT.get()
        if before is not None and not before.done:
            kwargs = before(kwargs)
        result = endpoint(*args, **kwargs)
        session = _REQUEST_SESSION.get()
        if session is not None and not session.info.get("committed"):
            _commit(session)
            session.info["committed"] = True
        return result

    wrapper.__commits_request_session__ = True  # type: ignore[attr-defined]
    return wrapper


def read_ahead_of_transaction(session: Session, read: Callable[[], T]) -> T:
    """Run ``read`` (statements that only read) before the request's transaction begins.

    On SQLite every transaction is ``BEGIN IMMEDIATE``, which takes the database's write lock.
    A dependency that reads in a threadpool call of its own (the principal's user row) would
    hold that lock until the endpoint's threadpool call commits; with more requests in flight
    than the threadpool has threads, every thread can end up waiting for the lock in SQLite's
    busy handler while the request holding it waits for a thread (concurrent GETs hang until
    the busy timeout, then 503). So on SQLite the read runs in a deferred (read-only)
    transaction that ends here, and the request's write transaction begins and ends within the
    endpoint's own threadpool call. On PostgreSQL, or inside an open transaction, ``read`` just
    runs: it is the first statement of the request's transaction."""
    if session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return read()
    session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
    result = read()
    session.commit()  # ends the read transaction (nothing was written); an error rolls back in get_session
    return result


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


# scope="function": the commit runs when the endpoint returns, before the response is sent, so
# a 201 is only ever sent for committed work and a failed commit becomes an error response.
# (With the default request scope FastAPI would commit after sending the response.)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@contextmanager
def session_scope(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """A unit of work outside a request (CLI, worker)."""
    session = (factory or _default_factory())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
