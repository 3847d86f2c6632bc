"""A workflow is data: states and transitions (sources, target, roles, fields, guards, effects)."""

from __future__ import annotations

import datetime as dt
import enum
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints, create_model

if TYPE_CHECKING:
    from core.workflow.engine import TransitionContext

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

Guard = Callable[["TransitionContext"], "str | None"]
Effect = Callable[["TransitionContext"], None]

# The kinds of input a client builds a form from (API.md "Action labels").
FIELD_TYPES = ("text", "date", "boolean", "choice", "integer", "meeting", "object")


@dataclass(frozen=True)
class FieldInfo:
    """How a field of a table is shown: its human label, and where the annotation does not say
    it, its type (e.g. ``meeting``) or the labels of its choices (``value -> label``)."""

    label: str
    type: str | None = None
    choices: dict[Any, str] | None = None

    def __post_init__(self) -> None:
        if self.type is not None and self.type not in FIELD_TYPES:
            raise ValueError(f"field type {self.type!r} is not one of {FIELD_TYPES}")


# Every transition accepts an optional note (the engine adds it): its label lives with the engine.
CORE_FIELDS: dict[str, FieldInfo] = {"note": FieldInfo("Note")}


def field_type(annotation: Any) -> tuple[str | None, tuple[Any, ...] | None]:
    """The input type of a field from its annotation (``None`` when it cannot be told) and, for
    a choice, its values."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return field_type(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        return field_type(args[0]) if len(args) == 1 else (None, None)
    if origin is Literal:
        return "choice", get_args(annotation)
    if origin in (list, tuple, set, frozenset, dict):
        return "object", None
    if annotation is EmailStr:
        return "text", None
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return "choice", tuple(m.value for m in annotation)
        if issubclass(annotation, bool):
            return "boolean", None
        if issubclass(annotation, int):
            return "integer", None
        if issubclass(annotation, dt.datetime):
            return None, None
        if issubclass(annotation, dt.date):
            return "date", None
        if issubclass(annotation, str):
            return "text", None
        if issubclass(annotation, (BaseModel, dict, list, tuple)):
            return "object", None
    return None, None


def humanize(name: str) -> str:
    return name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict)  # required: name -> type
    optional: dict[str, Any] = field(default_factory=dict)  # optional: name -> type
    # Human words for the action (a button's name), e.g. "Start screening".
    label: str | None = None
    # How this action's fields are shown where it differs from the table's ``field_info``.
    field_info: dict[str, FieldInfo] = field(default_factory=dict)
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
    # How each field of the table is shown (label, and type or choices where the annotation
    # does not tell); a field name means the same thing throughout a table.
    field_info: dict[str, FieldInfo] = field(default_factory=dict)

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
        self._inputs: dict[str, list[dict[str, Any]]] = {}

    def _field(self, t: Transition, name: str, annotation: Any) -> tuple[FieldInfo | None, str | None,
                                                                       tuple[Any, ...] | None]:
        """How field ``name`` of ``t`` is shown: its table entry, its type and its choices'
        values (the table's type and choices win over those told by the annotation)."""
        info = t.field_info.get(name) or self.field_info.get(name) or CORE_FIELDS.get(name)
        tp, values = field_type(annotation)
        if info and info.type:
            tp = info.type
        if info and info.choices is not None:
            tp = tp if info.type else "choice"
            values = values if values is not None else tuple(info.choices)
        return info, tp, values

    def inputs(self, t: Transition) -> list[dict[str, Any]]:
        """The fields of ``t`` as a client builds its form: name, label, type, required and,
        for a choice, ``choices: [{value, label}]`` (required fields first, then the note and
        the optional ones). Words made from the name stand in for a missing label (the
        service's own tables have none missing: ``label_problems``)."""
        cached = self._inputs.get(t.action)
        if cached is not None:
            return cached
        out = []
        for name, f in t.payload_model.model_fields.items():
            if name == "action":
                continue
            info, tp, values = self._field(t, name, f.annotation)
            tp = tp if tp in FIELD_TYPES else "text"
            labels = (info.choices if info else None) or {}
            out.append({
                "name": name,
                "label": info.label if info else humanize(name),
                "type": tp,
                "required": f.is_required(),
                "choices": [{"value": v, "label": labels.get(v) or humanize(str(v))} for v in values or ()]
                if tp == "choice" else None,
            })
        out.sort(key=lambda item: not item["required"])  # stable: the table's order otherwise
        self._inputs[t.action] = out
        return out

    def history_labels(self, **extra: str) -> dict[str, str]:
        """Human words for each action of the table as its history shows them (``extra``: the
        entries that are not transitions, e.g. the notification being received)."""
        return {**{t.action: t.label or humanize(t.action) for t in self.transitions}, **extra}

    def label_problems(self) -> list[str]:
        """What a client would have to guess: an action or field without a label, a field whose
        type is not one of ``FIELD_TYPES``, a choice without its values or their labels."""
        problems = []
        for t in self.transitions:
            where = f"{self.name} ({self.regime}) {t.action}"
            if not (t.label and t.label.strip()):
                problems.append(f"{where}: the action has no label")
            for name, f in t.payload_model.model_fields.items():
                if name == "action":
                    continue
                info, tp, values = self._field(t, name, f.annotation)
                if info is None or not info.label.strip():
                    problems.append(f"{where}: field {name} has no label")
                if tp not in FIELD_TYPES:
                    problems.append(f"{where}: field {name} has no valid type (got {tp!r})")
                if tp != "choice":
                    continue
                labels = (info.choices if info else None) or {}
                if not values:
                    problems.append(f"{where}: field {name} is a choice without values")
                missing = [v for v in values or () if not labels.get(v)]
                extra = [v for v in labels if v not in (values or ())]
                if missing or extra:
                    problems.append(f"{where}: field {name}: values without a label {missing}, "
                                    f"labels for no value {extra}")
        return problems

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
                    "label": t.label or humanize(t.action),
                    "from": list(t.sources),
                    "to": t.target,
                    "roles": list(t.roles),
                    "role_note": t.role_note,
                    "fields": list(t.fields),
                    "optional_fields": ["note", *t.optional] if "note" not in t.fields else list(t.optional),
                    "guard": t.guard_note,
                    "inputs": self.inputs(t),
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
