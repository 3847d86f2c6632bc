"""A workflow is data: states and transitions (sources, target, roles, fields, guards, effects)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, create_model

if TYPE_CHECKING:
    from core.workflow.engine import TransitionContext

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

Guard = Callable[["TransitionContext"], "str | None"]
Effect = Callable[["TransitionContext"], None]


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict)  # required: name -> type
    optional: dict[str, Any] = field(default_factory=dict)  # optional: name -> type
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()
    # Roles that depend on the case (e.g. SCR reports are signed off by the independent chair).
    role_rule: Callable[[Any], tuple[str, ...]] | None = None
    role_note: str | None = None
    guard_note: str | None = None
    # A guard failure is a 409 by default; a guard about the submitted fields is a 422.
    guard_status: int = 409

    def roles_for(self, case: Any) -> frozenset[str]:
        return frozenset(self.role_rule(case) if self.role_rule else self.roles)

    @cached_property
    def payload_model(self) -> type[BaseModel]:
        definitions: dict[str, Any] = {"action": (str, ...)}
        if "note" not in self.fields:
            definitions["note"] = (Text | None, None)
        for name, tp in self.fields.items():
            definitions[name] = (tp, ...)
        for name, tp in self.optional.items():
            definitions[name] = (tp | None, None)
        return create_model(  # type: ignore[call-overload,no-any-return]
            f"Transition_{self.action}",
            __config__=ConfigDict(extra="forbid", str_strip_whitespace=True),
            **definitions,
        )


@dataclass
class Workflow:
    name: str  # e.g. "case-review"
    subject_type: str  # e.g. "case_review" (audit/history subject)
    states: tuple[str, ...]
    transitions: tuple[Transition, ...]
    initial: str
    terminal: tuple[str, ...] = ()
    regime: str | None = None

    def __post_init__(self) -> None:
        from core.auth.roles import ALL_ROLES

        if isinstance(self.states, str) or len(set(self.states)) != len(self.states):
            raise ValueError(f"{self.name}: states must be a sequence of distinct names")
        if self.initial not in self.states:
            raise ValueError(f"{self.name}: unknown initial state {self.initial}")
        if isinstance(self.terminal, str):
            raise ValueError(f"{self.name}: terminal must be a sequence of states")
        for s in self.terminal:
            if s not in self.states:
                raise ValueError(f"{self.name}: unknown terminal state {s}")
        seen: set[str] = set()
        for t in self.transitions:
            if t.action in seen:
                raise ValueError(f"{self.name}: duplicate action {t.action}")
            seen.add(t.action)
            # A bare string would be iterated letter by letter ("received" in "received"...).
            if isinstance(t.sources, str) or isinstance(t.roles, str):
                raise ValueError(f"{self.name}: {t.action}: sources and roles must be tuples, not strings")
            if not t.sources:
                raise ValueError(f"{self.name}: {t.action} has no source state")
            for s in (*t.sources, t.target):
                if s not in self.states:
                    raise ValueError(f"{self.name}: {t.action} uses unknown state {s}")
            unknown_roles = set(t.roles) - ALL_ROLES
            if unknown_roles:
                raise ValueError(f"{self.name}: {t.action} names unknown roles {sorted(unknown_roles)}")
            if t.guard_status not in (409, 422):
                raise ValueError(f"{self.name}: {t.action}: guard_status must be 409 or 422")
            if {"action"} & (set(t.fields) | set(t.optional)) or set(t.fields) & set(t.optional):
                raise ValueError(f"{self.name}: {t.action}: a field is declared twice or is named 'action'")
        self._by_action = {t.action: t for t in self.transitions}

    def get(self, action: str) -> Transition | None:
        return self._by_action.get(action)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "regime": self.regime,
            "initial": self.initial,
            "states": list(self.states),
            "terminal": list(self.terminal),
            "transitions": [
                {
                    "action": t.action,
                    "from": list(t.sources),
                    "to": t.target,
                    "roles": list(t.roles),
                    "role_note": t.role_note,
                    "fields": list(t.fields),
                    "optional_fields": ["note", *t.optional] if "note" not in t.fields else list(t.optional),
                    "guard": t.guard_note,
                }
                for t in self.transitions
            ],
        }

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for t in self.transitions:
            label = t.action
            if t.roles:
                label += f" ({', '.join(t.roles)})"
            for s in t.sources:
                lines.append(f"    {s} --> {t.target}: {label}")
        for s in self.terminal:
            lines.append(f"    {s} --> [*]")
        return "\n".join(lines) + "\n"


WORKFLOWS: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    WORKFLOWS[workflow.name] = workflow
    return workflow
