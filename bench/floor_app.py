"""The floor: a minimal FastAPI app doing the same database work with plain SQL.

No auth, no business logic, no audit, no ORM: one sync endpoint per benchmark running the
statement(s) the real endpoint cannot avoid, on the same engine settings as the service
(``core.db.session.make_engine``: same driver, pool, SQLite pragmas and IMMEDIATE transactions),
served by the same uvicorn settings. The statements live in ``bench.floor_sql`` so that they
can follow the domain models.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import Body, FastAPI, Header
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine, event, text

from core.db.session import make_engine


def app_factory() -> FastAPI:
    from bench import floor_sql

    engine = make_engine(os.environ["ECR_DATABASE_URL"])
    dialect = engine.dialect.name

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the service's threadpool setting (ECR_THREADPOOL_SIZE), so both sides run alike
        anyio.to_thread.current_default_thread_limiter().total_tokens = int(
            os.environ.get("ECR_THREADPOOL_SIZE", "40"))
        yield

    app = FastAPI(title="floor", lifespan=lifespan)

    @app.get("/livez")
    def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/floor/intake", status_code=201)
    def intake(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        sql, params = floor_sql.intake(body, dialect)
        with engine.begin() as conn:
            new_id = conn.execute(text(sql), params).scalar_one()
        return {"id": new_id}

    @app.get("/floor/child-deaths/outstanding")
    def outstanding(older_than_days: int = 180, limit: int = 50) -> dict[str, Any]:
        sql, params = floor_sql.outstanding_list(older_than_days, limit)
        with engine.begin() as conn:
            rows = [dict(r._mapping) for r in conn.execute(text(sql), params)]
        return {"items": rows, "next_cursor": None}

    @app.get("/floor/child-deaths/summary")
    def summary() -> dict[str, Any]:
        statements = floor_sql.outstanding_summary()
        out: dict[str, Any] = {}
        with engine.begin() as conn:
            for key, (sql, params) in statements.items():
                out[key] = [list(r) for r in conn.execute(text(sql), params)]
        return out

    @app.get("/floor/child-deaths/{case_id}")
    def detail(case_id: int) -> dict[str, Any]:
        sql, params = floor_sql.detail(case_id)
        with engine.begin() as conn:
            row = conn.execute(text(sql), params).mappings().one()
        return dict(row)

    @app.get("/floor/child-deaths/{case_id}/history")
    def history(case_id: int) -> list[dict[str, Any]]:
        sql, params = floor_sql.history(case_id)
        with engine.begin() as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings()]

    @app.post("/floor/child-deaths/{case_id}/transitions")
    def transition(case_id: int, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        (upd, up), (ins, ip) = floor_sql.transition(case_id, body)
        with engine.begin() as conn:
            conn.execute(text(upd), up)
            conn.execute(text(ins), ip)
        return {"id": case_id, "status": body.get("to")}

    # ---- the same writes as the service (the floors of the intake and transition targets) ------

    counter_engine = engine
    if dialect == "postgresql":
        # as core.references does: the counter in its own autocommit statement, not held
        # through the request's transaction, with synchronous_commit off
        counter_engine = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8)

        @event.listens_for(counter_engine, "connect")
        def _async_commit(dbapi_conn: Any, _: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute("SET synchronous_commit = off")

    with engine.connect() as conn:
        user_id = conn.execute(text("SELECT min(id) FROM core_users")).scalar_one()

    @app.post("/floor/intake-same-writes", status_code=201)
    def intake_same_writes(body: dict[str, Any] = Body(...), idempotency_key: str = Header(...)) -> Any:
        w = floor_sql.IntakeWrites(body, idempotency_key, dialect)
        with engine.begin() as conn:
            if dialect == "postgresql":
                conn.execute(text(w.LOCK), w.key)
            found = conn.execute(text(w.FIND), w.key).first()
            if found is not None:
                return JSONResponse(found.response, status_code=found.status_code)
            if counter_engine is engine:
                number = conn.execute(text(w.COUNTER), {"year": w.year}).scalar_one()
            else:
                with counter_engine.connect() as c:
                    number = c.execute(text(w.COUNTER), {"year": w.year}).scalar_one()
            reference = f"FL-{w.year}-{number:04d}"
            case_id = conn.execute(text(w.CASE), {**w.case, "reference": reference}).scalar_one()
            rows = w.rows_after(reference, case_id)
            conn.execute(text(w.DEADLINE), rows["deadlines"])
            conn.execute(text(w.HISTORY), rows["history"])
            conn.execute(text(w.AUDIT), rows["audit"])
            conn.execute(text(w.OUTBOX), rows["outbox"])
            conn.execute(text(w.REMEMBER), rows["remember"])
        return rows["reply"]

    one_statement = floor_sql.intake_one_statement()

    @app.post("/floor/intake-one-statement", status_code=201)
    def intake_one(body: dict[str, Any] = Body(...), idempotency_key: str = Header(...)) -> Any:
        # PostgreSQL only (information): the writes of intake_same_writes in one statement
        w = floor_sql.IntakeWrites(body, idempotency_key, dialect)
        with engine.begin() as conn:
            conn.execute(text(w.LOCK), w.key)
            found = conn.execute(text(w.FIND), w.key).first()
            if found is not None:
                return JSONResponse(found.response, status_code=found.status_code)
            with counter_engine.connect() as c:
                number = c.execute(text(w.COUNTER), {"year": w.year}).scalar_one()
            reference = f"FL-{w.year}-{number:04d}"
            rows = w.rows_after(reference, 0)
            today = w.case["received_on"]
            conn.execute(text(one_statement), {
                **w.case, "reference": reference, "due1": today + dt.timedelta(days=12),
                "due2": today + dt.timedelta(days=30), "request_id": rows["audit"]["request_id"],
                "audit_data": rows["audit"]["data"], "subject": rows["outbox"]["subject"],
                "body": rows["outbox"]["body"], **{k: rows["remember"][k] for k in ("scope", "key", "request_hash", "response")},
            }).scalar_one()
        return rows["reply"]

    @app.post("/floor/child-deaths/{case_id}/transitions-same-writes")
    def transition_same_writes(case_id: int, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        w = floor_sql.TransitionWrites(case_id, dialect)
        with engine.begin() as conn:
            conn.execute(text(w.USER), {"user_id": user_id}).one()
            case = conn.execute(text(w.case_sql), w.params).mappings().one()
            action = body["action"]
            conn.execute(text(w.RELEASE if action == "release_hold" else w.HOLD), w.params)
            conn.execute(text(w.RELEASE_CLOCK if action == "release_hold" else w.HOLD_CLOCK), w.params)
            if conn.execute(text(w.UPDATE), {**w.params, "version": case["version"]}).rowcount != 1:
                return JSONResponse({"title": "changed meanwhile"}, status_code=412)
            conn.execute(text(w.HISTORY), {**w.params, "action": action})
            conn.execute(text(w.AUDIT), {**w.params, "audit_action": f"child_death.{action}"})
            holds = [dict(r) for r in conn.execute(text(w.HOLDS), w.params).mappings()]
            forms = [dict(r) for r in conn.execute(text(w.FORMS), w.params).mappings()]
        return {**dict(case), "version": case["version"] + 1, "holds": holds, "forms": forms}

    return app
