"""The JSON Schema of a transition body, built from workflow tables, for OpenAPI."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from core.workflow.table import Workflow


class ChoiceOut(BaseModel):
    value: str | int
    label: str


class InputOut(BaseModel):
    """A field of an action as a client builds its form from it (API.md "Action labels")."""

    name: str
    label: str = Field(description="human words for the field")
    type: Literal["text", "date", "boolean", "choice", "integer", "meeting", "object"] = Field(
        description="the kind of input: a meeting is the id of a meeting; an object is JSON")
    required: bool
    choices: list[ChoiceOut] | None = Field(
        default=None, description="for a choice, the values it takes, each with its label")


class TransitionOption(BaseModel):
    """An action the caller may take now (``available_transitions``), with why a guard would
    refuse it (or null): what ``GET /{cases}/{id}/transitions`` answers in both domains."""

    action: str
    label: str = Field(description="human words for the action, e.g. a button's name")
    to: str
    fields: list[str]
    optional_fields: list[str]
    blocked_reason: str | None = None
    inputs: list[InputOut] = Field(description="every field of the action (required and optional) "
                                               "with its label and type")


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """``schema`` with its ``$ref``s to ``defs`` replaced by the definitions themselves."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def transition_body_schema(workflows: Iterable[Workflow], model_prefix: str) -> dict[str, Any]:
    """One object per action of the tables (``action`` a constant, then the action's required
    and optional fields, nothing else); an action in several tables (regimes) appears once.
    Only a description: the engine validates the body itself, after the If-Match, state and
    role checks, so an action not possible now stays a 409 and a missing field a 422."""
    variants: dict[str, type[BaseModel]] = {}
    for workflow in workflows:
        for t in workflow.transitions:
            if t.action in variants:
                continue
            fields: dict[str, Any] = {name: (f.annotation, f)
                                      for name, f in t.payload_model.model_fields.items() if name != "action"}
            variants[t.action] = create_model(  # type: ignore[call-overload]
                f"{model_prefix}_{t.action}", __config__=ConfigDict(extra="forbid"),
                action=(Literal[t.action], ...), **fields)  # type: ignore[valid-type]
    union = Annotated[Union[tuple(variants.values())], Field(discriminator="action")]  # type: ignore[valid-type]  # noqa: UP007
    schema = TypeAdapter(union).json_schema()
    inlined = _inline(schema, schema.get("$defs", {}))
    inlined.pop("discriminator", None)  # its mapping names $refs, which are inlined here
    return dict(inlined)
