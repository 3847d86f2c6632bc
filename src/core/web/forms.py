"""Declarative HTML forms that feed the API's own pydantic schemas.

A page declares a :class:`FormSpec` (fieldsets of fields named by their dotted path in the
JSON body, e.g. ``notifier.email`` or ``agencies.0.name``). ``spec.parse(form_data)`` turns the
posted form into the nested JSON body the API accepts (empty answers are left out, dates are
joined into ``YYYY-MM-DD``), and ``spec.bind(values, errors)`` maps validation errors -- a
pydantic ``ValidationError`` or the API's 422 ``errors[].loc`` -- back to the fields, with
GOV.UK-style messages and an error summary that links to each field.

Validation itself is never done here: the page validates with the same schema and calls the
same service as the API, so both paths accept and refuse the same things.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

Kind = Literal["text", "email", "tel", "textarea", "date", "time", "radios", "select", "boolean",
               "lines", "checkboxes", "checkbox", "number"]

YES_NO = (("true", "Yes"), ("false", "No"))
NOT_KNOWN = "no_answer"  # the value of a "Not known" answer: nothing is sent


@dataclass(frozen=True)
class Field:
    """One question. ``name`` is the dotted path of the value in the JSON body."""

    name: str
    label: str
    kind: Kind = "text"
    hint: str | None = None
    autocomplete: str | None = None
    optional: bool = False
    options: Sequence[tuple[str, str]] = ()
    width: str | None = None  # a CSS width class: "2", "3", "4", "5", "10", "20", "30", "half"
    error_name: str | None = None  # "the child's first name" for "Enter the child's first name"
    inputmode: str | None = None
    spellcheck: bool | None = None
    rows: int = 5
    #: for kind="boolean": allow a third answer that sends nothing ("Not known")
    not_known_label: str | None = None
    #: for kind="checkboxes": the value sent is the list of ticked options
    inline: bool = False

    @property
    def id(self) -> str:
        return self.name.replace(".", "-").replace("_", "-")

    @property
    def anchor(self) -> str:
        """The id an error summary link points at (the first input of a group)."""
        if self.kind == "date":
            return f"{self.id}-day"
        return self.id

    @property
    def is_group(self) -> bool:
        """Rendered as a fieldset with a legend rather than a label."""
        return self.kind in ("date", "radios", "boolean", "checkboxes")

    @property
    def noun(self) -> str:
        if self.error_name:
            return self.error_name
        label = self.label.rstrip("?").rstrip()
        return label[:1].lower() + label[1:]

    def choices(self) -> Sequence[tuple[str, str]]:
        if self.kind == "boolean":
            opts = list(YES_NO)
            if self.not_known_label:
                opts.append((NOT_KNOWN, self.not_known_label))
            return opts
        return self.options


@dataclass(frozen=True)
class Repeat:
    """A list of objects (e.g. agencies: [{name, contact_email}]) shown as numbered rows."""

    name: str
    item_label: str
    fields: Sequence[Field]
    min_rows: int = 3
    max_rows: int = 20
    hint: str | None = None

    def row_fields(self, index: int) -> list[Field]:
        out = []
        for f in self.fields:
            out.append(Field(**{**f.__dict__, "name": f"{self.name}.{index}.{f.name}"}))
        return out

    @property
    def rows_field(self) -> str:
        return f"{self.name}.rows"


@dataclass(frozen=True)
class Fieldset:
    legend: str
    fields: Sequence[Field | Repeat]
    hint: str | None = None
    id: str | None = None


@dataclass
class ParsedForm:
    """The JSON body for the schema, and the raw values to show the form again."""

    body: dict[str, Any]
    values: dict[str, str]
    add_row: str | None = None  # the Repeat whose "add another" button was pressed


@dataclass(frozen=True)
class FormSpec:
    fieldsets: Sequence[Fieldset]

    # -- structure -------------------------------------------------------------------------
    def repeats(self) -> list[Repeat]:
        return [f for fs in self.fieldsets for f in fs.fields if isinstance(f, Repeat)]

    def all_fields(self, values: Mapping[str, str] | None = None) -> list[Field]:
        out: list[Field] = []
        for fs in self.fieldsets:
            for f in fs.fields:
                if isinstance(f, Repeat):
                    for i in range(self.row_count(f, values or {})):
                        out.extend(f.row_fields(i))
                else:
                    out.append(f)
        return out

    def row_count(self, repeat: Repeat, values: Mapping[str, str]) -> int:
        try:
            n = int(values.get(repeat.rows_field, "") or 0)
        except ValueError:
            n = 0
        return max(repeat.min_rows, min(n, repeat.max_rows))

    # -- parsing ---------------------------------------------------------------------------
    def parse(self, data: Mapping[str, Any]) -> ParsedForm:
        """Posted form data (a multidict or dict) -> nested JSON body + values to re-show."""
        getlist = getattr(data, "getlist", None)
        values: dict[str, str] = {}
        body: dict[str, Any] = {}
        add_row: str | None = None

        def raw(name: str) -> str:
            value = data.get(name)
            return value.strip() if isinstance(value, str) else ""

        for fs in self.fieldsets:
            for item in fs.fields:
                if isinstance(item, Field):
                    # the objects a field sits in are always sent, so that every missing
                    # answer in them is reported on its own field
                    parents = item.name.split(".")[:-1]
                    for end in range(1, len(parents) + 1):
                        node = body
                        for p in parents[:end]:
                            node = node.setdefault(p, {})
                    self._parse_field(item, item.name, data, getlist, raw, values, body)
                    continue
                rows = self.row_count(item, {item.rows_field: raw(item.rows_field)})
                kept: list[dict[str, Any]] = []
                kept_values: list[dict[str, str]] = []
                for i in range(rows):
                    row_body: dict[str, Any] = {}
                    row_values: dict[str, str] = {}
                    for f in item.fields:
                        self._parse_field(f, f"{item.name}.{i}.{f.name}", data, getlist, raw,
                                          row_values, row_body, key=f.name)
                    if any(v for v in row_values.values()):
                        kept.append(row_body)
                        kept_values.append(row_values)
                # Blank rows are dropped and the rest renumbered, so the indexes of the body's
                # list and of the re-shown rows agree (error locs point at the right row).
                for i, row_values in enumerate(kept_values):
                    for key, value in row_values.items():
                        values[f"{item.name}.{i}.{key}"] = value
                wanted = max(len(kept) + 1, item.min_rows)
                if raw("add_row") == item.name:
                    add_row = item.name
                    wanted = max(rows, len(kept)) + 1
                values[item.rows_field] = str(min(wanted, item.max_rows))
                _set(body, item.name, kept)
        return ParsedForm(body=body, values=values, add_row=add_row)

    @staticmethod
    def _parse_field(f: Field, name: str, data: Mapping[str, Any], getlist: Any, raw: Any,
                     values: dict[str, str], body: dict[str, Any], key: str | None = None) -> None:
        key = key or name
        if f.kind == "date":
            parts = {p: raw(f"{name}.{p}") for p in ("day", "month", "year")}
            for p, v in parts.items():
                values[f"{key}.{p}"] = v
            if any(parts.values()):
                values[key] = "x"  # something was entered
                _set(body, key, _join_date(parts))
            return
        if f.kind == "checkboxes":
            ticked = [v for v in (getlist(name) if getlist else [data.get(name)]) if isinstance(v, str) and v]
            values[key] = "\n".join(ticked)
            _set(body, key, ticked)
            return
        value = raw(name)
        if f.kind == "checkbox":
            values[key] = "true" if value else ""
            if value:
                _set(body, key, True)
            return
        if f.kind in ("textarea", "lines"):
            # keep the writer's line breaks, normalised
            original = data.get(name)
            value = original.replace("\r\n", "\n").strip() if isinstance(original, str) else ""
        values[key] = value
        if value == "":
            return
        if value == NOT_KNOWN and f.not_known_label:
            return
        if f.kind == "boolean":
            if value in ("true", "false"):
                _set(body, key, value == "true")
            else:
                _set(body, key, value)  # let the schema refuse it
        elif f.kind == "lines":
            _set(body, key, [line.strip() for line in value.split("\n") if line.strip()])
        elif f.kind == "number":
            _set(body, key, int(value) if re.fullmatch(r"-?\d{1,9}", value) else value)
        else:
            _set(body, key, value)

    # -- errors ----------------------------------------------------------------------------
    def bind(self, values: Mapping[str, str] | None = None,
             errors: Iterable[Mapping[str, Any]] | ValidationError | None = None) -> "BoundForm":
        values = dict(values or {})
        fields = self.all_fields(values)
        by_name = {f.name: f for f in fields}
        messages: dict[str, str] = {}
        general: list[str] = []
        for err in _normalise(errors):
            loc = [str(p) for p in err["loc"]]
            if loc and loc[0] in ("body", "query", "header", "path"):
                loc = loc[1:]
            target = _match(loc, by_name)
            if target is None:
                msg = _clean(err.get("msg", "is not valid"))
                if msg not in general:
                    general.append(msg)
                continue
            if target.name not in messages:
                messages[target.name] = friendly_message(target, err, values)
        summary = [(f"#{f.anchor}", messages[f.name]) for f in fields if f.name in messages]
        summary += [("#form", msg) for msg in general]
        return BoundForm(spec=self, values=values, errors=messages, summary=summary)


@dataclass
class BoundForm:
    """A form with values and errors, for a template."""

    spec: FormSpec
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.summary)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def ticked(self, name: str) -> list[str]:
        return [v for v in self.values.get(name, "").split("\n") if v]

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def rows(self, repeat: Repeat) -> list[list[Field]]:
        return [repeat.row_fields(i) for i in range(self.spec.row_count(repeat, self.values))]

    def can_add_row(self, repeat: Repeat) -> bool:
        return self.spec.row_count(repeat, self.values) < repeat.max_rows

    def add_error(self, name: str, message: str) -> None:
        """An error found by the page itself (e.g. a lookup that matched nothing)."""
        fields = {f.name: f for f in self.spec.all_fields(self.values)}
        f = fields.get(name)
        self.errors[name] = message
        self.summary.append((f"#{f.anchor}" if f else "#form", message))


# -- helpers --------------------------------------------------------------------------------

def _set(body: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = body
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value


def _join_date(parts: Mapping[str, str]) -> str:
    day, month, year = parts["day"], parts["month"], parts["year"]
    if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{month}-{day}"  # not a date: the schema says so, the message is ours


def _normalise(errors: Iterable[Mapping[str, Any]] | ValidationError | None) -> list[dict[str, Any]]:
    if errors is None:
        return []
    if isinstance(errors, ValidationError):
        return [dict(e) for e in errors.errors(include_url=False)]
    return [dict(e) for e in errors]


def _match(loc: list[str], by_name: Mapping[str, Field]) -> Field | None:
    for end in range(len(loc), 0, -1):
        f = by_name.get(".".join(loc[:end]))
        if f is not None:
            return f
    if loc:
        # an error about a whole object or list (e.g. "agencies" must not be empty):
        # point at its first field
        prefix = ".".join(loc) + "."
        for name, f in by_name.items():
            if name.startswith(prefix):
                return f
    return None


def _clean(msg: str) -> str:
    msg = re.sub(r"^(Value error|Assertion failed), ", "", str(msg)).strip()
    return msg[:1].upper() + msg[1:] if msg else "This answer is not valid"


def friendly_message(f: Field, err: Mapping[str, Any], values: Mapping[str, str]) -> str:
    """A GOV.UK-style message for one error of one field."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    label = f.label.rstrip("?")
    raw_msg = str(err.get("msg", ""))
    msg = _clean(raw_msg)
    low = msg.lower()
    choose = f.kind in ("radios", "boolean", "select", "checkboxes")
    if kind == "missing" or (kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1):
        return f"Select {f.noun}" if choose else f"Enter {f.noun}"
    if f.kind == "date":
        parts = {p: values.get(f"{f.name}.{p}", "") for p in ("day", "month", "year")}
        missing = [p for p in ("day", "month", "year") if not parts[p]]
        if missing and len(missing) < 3:
            return f"{label} must include a {' and a '.join(missing)}"
        if kind.startswith(("date", "datetime")) or "real" in low or "yyyy" in low or "valid date" in low:
            return f"{label} must be a real date"
        if kind and "future" in low:
            return f"{label} must be today or in the past"
    if f.kind == "time" and (kind.startswith("time") or kind == "string_pattern_mismatch"):
        return f"Enter {f.noun} as a time on the 24-hour clock, like 14:30"
    if f.kind == "email" and kind in ("value_error", "string_pattern_mismatch"):
        return "Enter an email address in the correct format, like name@example.com"
    if f.kind == "tel" and kind == "string_pattern_mismatch":
        return "Enter a telephone number, like 01632 960 001 or +44 808 157 0192"
    if kind in ("literal_error", "enum") or (choose and kind.endswith("_type")):
        return f"Select {f.noun}"
    if kind == "string_too_long":
        return f"{label} must be {ctx.get('max_length')} characters or fewer"
    if kind == "string_too_short":
        return f"{label} must be {ctx.get('min_length')} characters or more"
    if kind == "too_long":
        return f"{label}: enter no more than {ctx.get('max_length')}"
    if kind == "string_pattern_mismatch":
        return f"{label} is not in the right format"
    if kind == "extra_forbidden":
        return f"{label} is not expected here"
    if low.startswith(("must ", "is ", "should ", "cannot ", "can ")):
        return f"{label} {msg[:1].lower() + msg[1:]}"
    return msg
