from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from core.auth.deps import authenticated
from core.errors import NotFound
from core.workflow.table import WORKFLOWS

router = APIRouter(tags=["workflows"])


@router.get("/workflows/{name}", dependencies=[Depends(authenticated())])
def get_workflow(name: str) -> dict[str, Any]:
    """The workflow exactly as the engine enforces it (any signed-in user)."""
    wf = WORKFLOWS.get(name)
    if wf is None:
        raise NotFound(f"no workflow named {name!r}")
    return wf.describe()
