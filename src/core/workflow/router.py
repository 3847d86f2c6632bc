from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from core.auth.deps import authenticated
from core.errors import NotFound
from core.workflow.schema import InputOut
from core.workflow.table import WORKFLOWS

router = APIRouter(tags=["workflows"])


class TransitionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    action: str
    label: str = Field(description="human words for the action, e.g. a button's name")
    from_: list[str] = Field(alias="from", description="the states the action may be taken from")
    to: str
    roles: list[str]
    role_note: str | None = Field(description="when the roles depend on the case, which apply")
    fields: list[str] = Field(description="fields the action requires")
    optional_fields: list[str]
    guard: str | None = Field(description="what must be true for the action, beyond the roles")
    inputs: list[InputOut] = Field(description="every field of the action (required and optional) "
                                               "with its label and type")


class WorkflowOut(BaseModel):
    name: str
    regime: str | None
    initial: str
    states: list[str]
    terminal: list[str]
    transitions: list[TransitionOut]


@router.get("/workflows/{name}", response_model=WorkflowOut, dependencies=[Depends(authenticated())])
def get_workflow(
    name: Annotated[str, Path(max_length=50, pattern=r"^[a-z][a-z0-9-]*$")],
    regime: Annotated[str | None, Query(
        max_length=20, pattern=r"^[A-Za-z0-9_]+$",
        description="the table of this regime, for a workflow with several (e.g. case-review "
                    "under WT2015 or CSPR); default: the one registered under the name")] = None,
) -> dict[str, Any]:
    """The workflow exactly as the engine enforces it (any signed-in user)."""
    wf = WORKFLOWS.get(name)
    if wf is None:
        raise NotFound(f"no workflow named {name!r}")
    if regime is not None and regime != wf.regime:
        # another regime's table of the same subject (registered under its own name)
        wf = next((w for w in WORKFLOWS.values()
                   if w.subject_type == wf.subject_type and w.regime == regime), None)
        if wf is None:
            raise NotFound(f"workflow {name!r} has no regime {regime!r}")
    return wf.describe()
