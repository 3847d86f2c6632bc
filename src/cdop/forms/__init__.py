"""Reporting forms as versioned data (API.md "Forms as versioned data").

The service ships its forms as JSON definitions in ``definitions/`` (``{key}.v{version}.json``),
validated here at import by :class:`~cdop.forms.model.FormDefinition`: the reporting form
(version 1: the six free-text sections the service has always asked for, so every answer
already stored stays valid) and the supplementary reporting forms.

A reporting-form request stores the ``{key, version}`` of each form it asks for
(``core_agency_requests.forms``; ``NULL`` on requests made before: the reporting form,
version 1) and its answers are checked against exactly those versions, so a later version
never breaks an open form.

How answers are kept (and sent): the reporting form's answers at the top level of
``answers`` by question key (the shape used since the service began), each supplementary
form's under its key: ``{"health": "...", "sudi_sudc": {"sleep_position": "back"}}``;
``not_known`` lists question keys, ``form.question`` for a supplementary form
(``["health", "sudi_sudc.feeding"]``). ``answers.reporting_form: {...}`` is accepted too.

Rules (``check``): every answer has its question's type (text, long text, yes/no as a JSON
boolean, a choice's value, a list of distinct choice values, an ISO date, a number within its
bounds); a question is answered or marked not known, never both; on submission every required
question shown is answered or not known. A question with ``show_if`` is shown only when the
earlier question it names has one of the listed answers: then it is required as any other;
otherwise an answer (or "not known") to it is refused (422 "answer this only if ..."), so what
is stored never contradicts itself. Drafts are checked for types only.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from core.errors import ValidationFailed
from cdop.forms.model import FormDefinition, FormRef, FormQuestion

__all__ = [
    "MAIN",
    "FormDefinition",
    "FormRef",
    "all_definitions",
    "answers_by_form",
    "asks_for_main",
    "check",
    "definition",
    "definitions_of",
    "latest",
    "latest_definitions",
    "refs_for_keys",
    "refs_of",
    "refs_out",
    "shown_hint",
    "split",
]

MAIN = "reporting_form"  # its answers sit at the top level of ``answers``
LEGACY = (FormRef(key=MAIN, version=1),)  # what a request without ``forms`` asked for
DEFINITIONS_DIR = Path(__file__).parent / "definitions"


def _load() -> dict[tuple[str, int], FormDefinition]:
    found: dict[tuple[str, int], FormDefinition] = {}
    for path in sorted(DEFINITIONS_DIR.glob("*.json")):
        d = FormDefinition.model_validate(json.loads(path.read_text(encoding="utf-8")))
        if path.name != f"{d.key}.v{d.version}.json":
            raise ValueError(f"{path.name} holds {d.key} version {d.version}")
        found[(d.key, d.version)] = d
    if (MAIN, 1) not in found:
        raise ValueError("the reporting form, version 1, must ship")
    keys = {k for k, _ in found}
    for (k, v), d in found.items():
        if v > 1 and (k, v - 1) not in found:
            raise ValueError(f"{k}: version {v} without version {v - 1}")
        if k == MAIN:
            clash = keys & {q.key for q in d.questions()}
            if clash:  # the reporting form's answers share the top level with the other forms' keys
                raise ValueError(f"reporting form questions named as forms: {sorted(clash)}")
    return found


_DEFINITIONS = _load()


def all_definitions() -> list[FormDefinition]:
    """Every version of every form, the reporting form first, then by key and version."""
    return sorted(_DEFINITIONS.values(), key=lambda d: (d.key != MAIN, d.key, d.version))


def latest(key: str) -> FormDefinition | None:
    versions = [d for (k, _), d in _DEFINITIONS.items() if k == key]
    return max(versions, key=lambda d: d.version) if versions else None


def latest_definitions() -> list[FormDefinition]:
    return [d for d in all_definitions() if latest(d.key) is d]


def definition(key: str, version: int) -> FormDefinition | None:
    return _DEFINITIONS.get((key, version))


def refs_for_keys(keys: Sequence[str] | None, loc: Sequence[str | int] = ("body", "forms")) -> list[FormRef]:
    """The latest version of each form named (default: the reporting form), in the order of
    the definitions; an unknown or repeated key is a 422 at ``loc``."""
    wanted = list(keys) if keys else [MAIN]
    errors = [{"loc": [*loc, i], "msg": f"no form '{k}'"} for i, k in enumerate(wanted) if latest(k) is None]
    errors += [{"loc": [*loc, i], "msg": f"'{k}' is named twice"}
               for i, k in enumerate(wanted) if k in wanted[:i]]
    if errors:
        raise ValidationFailed(errors)
    order = {d.key: n for n, d in enumerate(latest_definitions())}
    return [FormRef(key=k, version=latest(k).version) for k in sorted(wanted, key=order.__getitem__)]  # type: ignore[union-attr]


def refs_of(stored: Any) -> list[FormRef]:
    """The forms a request asked for, from its ``forms`` column (``None``: legacy)."""
    if not stored:
        return list(LEGACY)
    return [FormRef.model_validate(r) for r in stored]


def definitions_of(stored: Any) -> list[FormDefinition]:
    out = []
    for ref in refs_of(stored):
        d = definition(ref.key, ref.version)
        if d is None:  # a shipped version is never removed; refuse loudly if one was
            raise LookupError(f"form {ref.key} version {ref.version} is not shipped")
        out.append(d)
    return out


def refs_out(stored: Any) -> list[dict[str, Any]]:
    """``FormRefOut``s: what a request asked for, with each form's title."""
    return [{"key": d.key, "version": d.version, "title": d.title} for d in definitions_of(stored)]


def asks_for_main(stored: Any) -> bool:
    return any(r.key == MAIN for r in refs_of(stored))


# ---- answers ---------------------------------------------------------------------------------


def split(answers: Mapping[str, Any] | None, not_known: Iterable[str] | None,
          keys: Sequence[str]) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """Stored (or sent) answers and not-known marks per form key (forms not in ``keys`` are
    left out; see :func:`check` for what is refused)."""
    out: dict[str, tuple[dict[str, Any], set[str]]] = {k: ({}, set()) for k in keys}
    for k, v in (answers or {}).items():
        if k in out and k != MAIN and isinstance(v, Mapping):
            out[k][0].update(v)
        elif k == MAIN and isinstance(v, Mapping) and MAIN in out:
            out[MAIN][0].update(v)
        elif MAIN in out:
            out[MAIN][0][k] = v
    for item in not_known or ():
        form, _, q = str(item).partition(".")
        if q and form in out and form != MAIN:
            out[form][1].add(q)
        elif q and form == MAIN and MAIN in out:
            out[MAIN][1].add(q)
        elif not q and MAIN in out:
            out[MAIN][1].add(form)
    return out


def _loc(form: str, q: str) -> list[str]:
    return ["body", "answers", q] if form == MAIN else ["body", "answers", form, q]


def _type_error(q: FormQuestion, value: Any) -> str | None:
    t = q.type
    if t in ("text", "long_text"):
        if not isinstance(value, str) or not value.strip():
            return "enter some text, or mark this not known"
        if len(value) > q.text_limit:
            return f"must be {q.text_limit} characters or fewer"
    elif t == "yes_no":
        if not isinstance(value, bool):
            return "answer yes (true) or no (false)"
    elif t == "choice":
        allowed = [c.value for c in q.choices]
        if value not in allowed:
            return "choose one of: " + ", ".join(allowed)
    elif t == "multiple_choice":
        allowed = [c.value for c in q.choices]
        if not isinstance(value, list) or not value:
            return "choose at least one of: " + ", ".join(allowed)
        if any(v not in allowed for v in value) or len(set(value)) != len(value):
            return "choose each at most once from: " + ", ".join(allowed)
    elif t == "date":
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            return "enter a real date as YYYY-MM-DD"
    elif t == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return "enter a number"
        if q.integer and value != int(value):
            return "enter a whole number"
        if (q.min is not None and value < q.min) or (q.max is not None and value > q.max):
            return f"enter a number from {q.min:g} to {q.max:g}" if q.min is not None and q.max is not None \
                else "the number is out of range"
    return None


def _shown(q: FormQuestion, answers: Mapping[str, Any]) -> bool:
    if q.show_if is None:
        return True
    given = answers.get(q.show_if.question)
    wanted = q.show_if.in_
    if isinstance(given, list):
        return any(v in wanted for v in given)
    return any(given is v or (not isinstance(v, bool) and given == v) for v in wanted)


def _condition_text(d: FormDefinition, q: FormQuestion) -> str:
    assert q.show_if is not None
    ctl = d.question(q.show_if.question)
    assert ctl is not None
    labels = {c.value: c.label for c in ctl.choices}
    said = "’ or ‘".join(("Yes" if v else "No") if isinstance(v, bool) else labels.get(v, v)
                         for v in q.show_if.in_)
    return f"‘{said}’ to ‘{ctl.label}’"


def shown_hint(d: FormDefinition, q: FormQuestion) -> str | None:
    """"Answer only if you answered 'Yes' to 'Was ...?'" for a conditional question."""
    return f"Answer only if you answered {_condition_text(d, q)}." if q.show_if else None


def check(stored_forms: Any, answers: Mapping[str, Any], not_known: Sequence[str], *,
          draft: bool = False) -> tuple[dict[str, Any], list[str]]:
    """Check a submission (or a draft) against the definitions the request was made with;
    returns the answers and not-known marks to store, else raises ``ValidationFailed`` with
    one error per field (``loc`` ``["body", "answers", form?, question]``)."""
    defs = definitions_of(stored_forms)
    keys = [d.key for d in defs]
    errors: list[dict[str, Any]] = []
    for k, v in answers.items():
        if k in keys and k != MAIN and not isinstance(v, Mapping):
            errors.append({"loc": ["body", "answers", k], "msg": "the answers to this form, by question"})
        elif k not in keys and MAIN not in keys:  # else reported below as not a reporting form question
            errors.append({"loc": ["body", "answers", k], "msg": "not a form of this request"})
    for i, item in enumerate(not_known):
        form, _, qk = str(item).partition(".")
        if not qk:
            form, qk = MAIN, form
        d = next((d for d in defs if d.key == form), None)
        if d is None or d.question(qk) is None:
            errors.append({"loc": ["body", "not_known", i], "msg": f"'{item}' is not a question of this request"})
    parts = split(answers, not_known, keys)
    out_answers: dict[str, Any] = {}
    out_not_known: list[str] = []
    for d in defs:
        given, unknown = parts[d.key]
        for k in given:
            if d.question(k) is None:
                errors.append({"loc": _loc(d.key, k), "msg": "not a question of this form"})
        if not isinstance(given, Mapping):
            continue
        kept: dict[str, Any] = {}
        invalid: set[str] = set()  # a question whose answer is refused decides no condition
        hidden: set[str] = set()  # questions not asked: their condition does not hold
        for q in d.questions():
            loc = _loc(d.key, q.key)
            has = q.key in given and given[q.key] is not None
            if has and q.key in unknown:
                errors.append({"loc": loc, "msg": "either answer this or mark it not known, not both"})
                invalid.add(q.key)
                continue
            if has:
                problem = _type_error(q, given[q.key])
                if problem:
                    errors.append({"loc": loc, "msg": problem})
                    invalid.add(q.key)
                    continue
            if q.show_if is not None and q.show_if.question in invalid:
                invalid.add(q.key)
                continue
            if not draft:
                # a question after one not asked is not asked either (conditions chain)
                shown = _shown(q, given) and (q.show_if is None or q.show_if.question not in hidden)
                if not shown:
                    hidden.add(q.key)
                if not shown and (has or q.key in unknown):
                    errors.append({"loc": loc, "msg": f"answer this only if you answered {_condition_text(d, q)}"})
                    continue
                if shown and q.required and not has and q.key not in unknown:
                    errors.append({"loc": loc, "msg": "missing: answer this or mark it not known"})
                    continue
            if has:
                value = given[q.key]
                kept[q.key] = value.strip() if isinstance(value, str) and q.type in ("text", "long_text") else value
            if q.key in unknown:
                out_not_known.append(q.key if d.key == MAIN else f"{d.key}.{q.key}")
        if d.key == MAIN:
            out_answers.update(kept)
        elif kept:
            out_answers[d.key] = kept
    if errors:
        raise ValidationFailed(errors)
    return out_answers, sorted(out_not_known)


def answers_by_form(req: Any) -> list[dict[str, Any]]:
    """A request's answers per form it asked for, in its order:
    ``[{"form", "version", "title", "answers", "not_known"}]`` (``answers`` by question key,
    ``not_known`` a list of question keys). ``req`` is the ``AgencyRequest`` or any row with
    ``forms``, ``answers`` and ``not_known``."""
    defs = definitions_of(getattr(req, "forms", None))
    parts = split(getattr(req, "answers", None) or {}, getattr(req, "not_known", None) or [], [d.key for d in defs])
    out = []
    for d in defs:
        given, unknown = parts[d.key]
        order = [q.key for q in d.questions()]
        out.append({
            "form": d.key, "version": d.version, "title": d.title,
            "answers": {k: given[k] for k in order if k in given},
            "not_known": [k for k in order if k in unknown],
        })
    return out

