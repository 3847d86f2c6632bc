"""The floor: a minimal FastAPI app doing the same database work with plain SQL.

No auth, no business logic, no audit, no ORM: one sync endpoint per benchmark running the
statement(s) the real endpoint cannot avoid, on the same engine settings as the service
(``core.db.session.make_engine``: same driver, pool, SQLite pragmas and IMMEDIATE transactions),
served by the same uvicorn settings. The statements live in ``bench.floor_sql`` so that they
can follow the domain models.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import Body, FastAPI
from sqlalchemy import text

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

    return app
