from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from core.auth.deps import public
from core.db.session import session_factory

router = APIRouter(tags=["operations"])


class LiveOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
    schema_: str | None = Field(default=None, alias="schema",
                                description="the migration head when ready; why not, otherwise")


@router.get("/livez", response_model=LiveOut, dependencies=[Depends(public)])
async def livez() -> dict[str, str]:  # no I/O: answered on the event loop, no threadpool hop
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyOut, dependencies=[Depends(public)],
            responses={503: {"description": "not ready", "model": ReadyOut}})
def readyz(request: Request) -> JSONResponse:
    from core.migrations import head_revision

    try:
        with session_factory(request)() as session:
            current = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception:  # noqa: BLE001 - any failure means not ready
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    head = head_revision()
    if head not in current:
        return JSONResponse(
            {"status": "unavailable", "database": "ok", "schema": "not at migration head"},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "schema": head})
