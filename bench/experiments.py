"""Measure proposed changes to the service without editing it: the service's app factory with
named patches applied, chosen by ``ECR_BENCH_PATCHES`` (comma-separated) in the server's
environment. ``python -m bench.run --patch NAME`` starts the service through this factory.

These are prototypes of the changes asked of the lead (bench/README.md, "What limits each
benchmark"); they are never imported by the service itself.

- ``open_literal``: the outstanding filter and the summary counts compare ``status`` with
  literal values, so the partial index ``ix_cdop_child_deaths_open_death`` (whose predicate is
  ``status NOT IN ('closed', 'withdrawn', 'transferred_out')``) can be chosen; with bound
  parameters SQLite never uses a partial index, and PostgreSQL cannot in a generic plan.
- ``sqlite_writer_lock``: one in-process lock taken before ``BEGIN IMMEDIATE`` and released
  when the connection goes back to the pool: waiting writers are woken at once instead of
  polling in SQLite's busy handler (sleeps of up to 100 ms).
- ``audit_at_commit``: ``core.audit.record`` queues the event on the session; a
  ``before_commit`` listener locks the head, hashes and inserts every queued event with one
  executemany and moves the head once. The head lock is then held for the last milliseconds
  of the transaction instead of from the first ``record()`` to the commit.
- ``narrow_list``: the child death list loads only the columns a list item shows, and the open
  reporting forms of a page as (id, subject_id, agency, due_on) tuples instead of entities.
- ``async_read_audit``: GET requests commit with ``synchronous_commit = off`` (PostgreSQL).
- ``reference_sequence``: case review numbers from a PostgreSQL sequence (no row lock to commit).
- ``summary_lean``: open holds by reason without the join when the caller reads every case.
- ``no_instrumentator``: without prometheus-fastapi-instrumentator (the upper bound of replacing it).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from fastapi import FastAPI


def app_factory() -> FastAPI:
    names = [n.strip() for n in os.environ.get("ECR_BENCH_PATCHES", "").split(",") if n.strip()]
    hooks = [PATCHES[name]() for name in names]
    from core.app import create_app

    app = create_app()
    for hook in hooks:
        if hook is not None:
            hook()
    return app


# ---- open_literal ---------------------------------------------------------------------------------

def open_literal() -> None:
    from sqlalchemy import bindparam

    from cdop import repository as repo
    from cdop.domain import OUTSTANDING_EXCLUDED
    from cdop.models import ChildDeath

    def open_cases() -> Any:
        return ChildDeath.status.not_in(
            bindparam("open_excluded", list(OUTSTANDING_EXCLUDED), expanding=True, literal_execute=True))

    original_filtered = repo.filtered

    def filtered(principal: Any, f: Any, today: Any) -> Any:
        import dataclasses

        stmt = original_filtered(principal, dataclasses.replace(f, outstanding=False), today)
        return stmt.where(open_cases()) if f.outstanding else stmt

    repo.filtered = filtered

    from sqlalchemy import case, func, select

    from core.agency_requests.models import AgencyRequest
    from core.deadlines import add_months
    from cdop.domain import FORM_KIND, SUBJECT_TYPE

    def outstanding_counts(session: Any, principal: Any, today: Any) -> list[tuple[str, str, int]]:
        band = case(
            (ChildDeath.date_of_death > add_months(today, -3), "0-3m"),
            (ChildDeath.date_of_death > add_months(today, -6), "3-6m"),
            (ChildDeath.date_of_death > add_months(today, -12), "6-12m"),
            else_="12m+",
        )
        sub = (select(ChildDeath.status.label("status"), band.label("band"))
               .where(repo.readable_clause(principal), open_cases()).subquery())
        rows = session.execute(select(sub.c.status, sub.c.band, func.count()).group_by(sub.c.status, sub.c.band)).all()
        return [(s, b, int(n)) for s, b, n in rows]

    def overdue_forms_by_agency(session: Any, principal: Any, today: Any) -> dict[str, int]:
        rows = session.execute(
            select(AgencyRequest.agency, func.count())
            .join(ChildDeath, ChildDeath.id == AgencyRequest.subject_id)
            .where(AgencyRequest.subject_type == SUBJECT_TYPE, AgencyRequest.kind == FORM_KIND,
                   AgencyRequest.status == bindparam("requested", "requested", literal_execute=True),
                   AgencyRequest.due_on < today, open_cases(), repo.readable_clause(principal))
            .group_by(AgencyRequest.agency).order_by(AgencyRequest.agency)
        ).all()
        return {a: int(n) for a, n in rows}

    repo.outstanding_counts = outstanding_counts
    repo.overdue_forms_by_agency = overdue_forms_by_agency


# ---- sqlite_writer_lock -----------------------------------------------------------------------------

def sqlite_writer_lock() -> None:
    from sqlalchemy import event

    from core.db import session as db_session

    original = db_session.make_engine

    def make_engine(url: str, **kwargs: Any) -> Any:
        engine = original(url, **kwargs)
        if engine.dialect.name != "sqlite":
            return engine
        lock = threading.Lock()

        def _acquire(conn: Any) -> None:
            rec = conn.connection._connection_record
            if not rec.info.get("writer_lock"):
                lock.acquire()
                rec.info["writer_lock"] = True

        # the lock must be taken before the service's own listener runs BEGIN IMMEDIATE
        existing = list(engine.dispatch.begin)
        for fn in existing:
            event.remove(engine, "begin", fn)
        event.listen(engine, "begin", _acquire)
        for fn in existing:
            event.listen(engine, "begin", fn)

        def _release(dbapi_conn: Any, rec: Any, *args: Any) -> None:
            if rec is not None and rec.info.pop("writer_lock", False):
                lock.release()

        event.listen(engine.pool, "reset", lambda dbapi_conn, rec, *a: _release(dbapi_conn, rec))
        event.listen(engine.pool, "invalidate", lambda dbapi_conn, rec, exc: _release(dbapi_conn, rec))
        return engine

    db_session.make_engine = make_engine
    db_session.get_engine.cache_clear()


# ---- audit_at_commit ----------------------------------------------------------------------------------

def audit_at_commit() -> Any:
    import hashlib
    import json

    from sqlalchemy import event, insert, update
    from sqlalchemy.orm import Session

    from core.audit import service as audit
    from core.audit.models import AuditEvent, AuditHead
    from core.db.base import utcnow

    def record(session: Session, *, actor: str, action: str, subject_type: str | None = None,
               subject_id: Any = None, data: dict[str, Any] | None = None, request_id: str | None = None,
               ip: str | None = None) -> int:
        from core.context import current_request_meta

        meta = current_request_meta()
        session.info.setdefault("audit_queue", []).append(dict(
            at=utcnow(), actor=actor, action=action, subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            request_id=request_id or meta.get("request_id"), ip=ip or meta.get("ip"),
            data=json.loads(json.dumps(data or {}, default=str)),
        ))
        return 0

    @event.listens_for(Session, "before_commit")
    def _flush_audit(session: Session) -> None:
        queue = session.info.pop("audit_queue", None)
        if not queue:
            return
        head = audit._lock_head(session)
        seq, prev = head.seq, head.hash
        rows = []
        for ev in queue:
            seq += 1
            digest = hashlib.sha256(audit._canonical(seq, ev["at"], ev["actor"], ev["action"], ev["subject_type"],
                                                     ev["subject_id"], ev["data"], prev)).hexdigest()
            rows.append({**ev, "seq": seq, "prev_hash": prev, "hash": digest})
            prev = digest
        session.execute(insert(AuditEvent), rows)
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
        head.seq, head.hash = seq, prev

    @event.listens_for(Session, "after_rollback")
    def _drop(session: Session) -> None:
        session.info.pop("audit_queue", None)

    original = audit.record

    def rebind() -> None:
        # modules that did ``from core.audit import record`` hold their own name: rebind them all
        import sys

        for mod in list(sys.modules.values()):
            if getattr(mod, "record", None) is original:
                mod.record = record

    rebind()
    return rebind


# ---- narrow_list ------------------------------------------------------------------------------------------

def narrow_list() -> None:
    from collections import defaultdict

    from sqlalchemy import select
    from sqlalchemy.orm import load_only

    from core.agency_requests.models import AgencyRequest
    from cdop import repository as repo
    from cdop.domain import FORM_KIND, SUBJECT_TYPE
    from cdop.models import ChildDeath

    original_filtered = repo.filtered

    def filtered(principal: Any, f: Any, today: Any) -> Any:
        return original_filtered(principal, f, today).options(load_only(
            ChildDeath.reference, ChildDeath.status, ChildDeath.first_name, ChildDeath.last_name,
            ChildDeath.date_of_birth, ChildDeath.sex, ChildDeath.date_of_death, ChildDeath.received_at,
            ChildDeath.expected, ChildDeath.panel_meeting_id, ChildDeath.case_review_reference,
            ChildDeath.version))

    def open_forms_for(session: Any, ids: Any) -> Any:
        out: dict[int, list[Any]] = defaultdict(list)
        if not ids:
            return out
        rows = session.execute(
            select(AgencyRequest.id, AgencyRequest.subject_id, AgencyRequest.agency, AgencyRequest.due_on).where(
                AgencyRequest.subject_type == SUBJECT_TYPE, AgencyRequest.kind == FORM_KIND,
                AgencyRequest.subject_id.in_(list(ids)), AgencyRequest.status == "requested",
            ).order_by(AgencyRequest.due_on, AgencyRequest.id)
        ).all()
        for r in rows:
            out[r.subject_id].append(r)
        return out

    repo.filtered = filtered
    repo.open_forms_for = open_forms_for


# ---- async_read_audit ----------------------------------------------------------------------------------

def async_read_audit() -> None:
    """GET requests write nothing but their audit event: commit those without waiting for the
    WAL flush (``SET LOCAL synchronous_commit = off``, PostgreSQL). A crash can lose only a
    suffix of such commits (WAL order), never leave a hole in the chain: the next synchronous
    commit flushes every earlier one."""
    from contextvars import ContextVar

    from sqlalchemy import event, text
    from sqlalchemy.orm import Session

    from core.http import middleware

    method: ContextVar[str | None] = ContextVar("bench_method", default=None)
    original_call = middleware.RequestContextMiddleware.__call__

    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            method.set(scope.get("method"))
        await original_call(self, scope, receive, send)

    middleware.RequestContextMiddleware.__call__ = __call__  # type: ignore[method-assign]

    @event.listens_for(Session, "before_commit")
    def _async(session: Session) -> None:
        if method.get() in ("GET", "HEAD") and session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL synchronous_commit = off"))


# ---- reference_sequence -----------------------------------------------------------------------------------

def reference_sequence() -> None:
    """Case review references from a PostgreSQL sequence (no row lock held to the commit; a
    rolled-back notification leaves a gap). Prototype: one sequence, created in the bench
    database past the numbers already issued; the real change wants one per year or a
    year-aware scheme."""
    from sqlalchemy import text

    from ecr import repository as repo

    original = repo.next_reference
    ready: dict[str, bool] = {}

    def next_reference(session: Any, year: int) -> str:
        if session.get_bind().dialect.name != "postgresql":
            return original(session, year)
        if not ready:
            session.execute(text("CREATE SEQUENCE IF NOT EXISTS bench_ecr_reference START 100000"))
            ready["x"] = True
        number = session.execute(text("SELECT nextval('bench_ecr_reference')")).scalar_one()
        return f"CR-{year}-{number:04d}"

    repo.next_reference = next_reference


# ---- summary_lean ----------------------------------------------------------------------------------------

def summary_lean() -> None:
    """Open holds by reason without the join to ``cdop_child_deaths`` when the caller reads every
    child death (``readable_clause`` is ``true()``): an index-only count on the partial
    ``ix_cdop_holds_open_reason`` instead of one primary-key probe per open hold."""
    from sqlalchemy import func, select, true

    from cdop import repository as repo
    from cdop.models import ChildDeathHold

    original = repo.open_holds_by_reason

    def open_holds_by_reason(session: Any, principal: Any) -> dict[str, int]:
        if repo.readable_clause(principal).compare(true()):
            rows = session.execute(
                select(ChildDeathHold.reason, func.count())
                .where(ChildDeathHold.released_at.is_(None)).group_by(ChildDeathHold.reason)
            ).all()
            return {r: int(n) for r, n in rows}
        return original(session, principal)

    repo.open_holds_by_reason = open_holds_by_reason


# ---- no_instrumentator ------------------------------------------------------------------------------------

def no_instrumentator() -> None:
    """Upper bound of the gain from replacing prometheus-fastapi-instrumentator (which resolves
    the route a second time, before the app, on every request) by metrics observed after the
    response from ``scope["route"]`` (already resolved by the router): here simply without it."""
    from prometheus_fastapi_instrumentator import Instrumentator

    def instrument(self: Any, app: Any, *args: Any, **kwargs: Any) -> Any:
        return self

    Instrumentator.instrument = instrument  # type: ignore[method-assign]


PATCHES = {
    "open_literal": open_literal,
    "sqlite_writer_lock": sqlite_writer_lock,
    "audit_at_commit": audit_at_commit,
    "narrow_list": narrow_list,
    "async_read_audit": async_read_audit,
    "reference_sequence": reference_sequence,
    "no_instrumentator": no_instrumentator,
    "summary_lean": summary_lean,
}
