"""The shape of a form definition (validated when the service starts, see ``cdop.forms``).

A definition is data: a key, a version, a title and sections of questions. Every question
accepts the answer "not known" (sent as its key in ``not_known``) as well as an answer of its
type; a question with ``show_if`` is shown, and required, only when the earlier question it
names was answered with one of the values in ``in``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Key = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
AnswerType = Literal["text", "long_text", "yes_no", "choice", "multiple_choice", "date", "number"]
ChoiceValue = str | bool


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)


class FormChoice(_Frozen):
    value: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    label: str = Field(min_length=1, max_length=200)


class FormShowIf(_Frozen):
    """Show (and require) the question only when ``question`` (an earlier question of the same
    form) was answered with one of ``in`` (for a multiple choice question: any of them ticked)."""

    question: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    in_: list[ChoiceValue] = Field(alias="in", min_length=1)


class FormQuestion(_Frozen):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    label: str = Field(min_length=1, max_length=300)
    hint: str | None = None
    type: AnswerType
    required: bool = True
    choices: list[FormChoice] = Field(default_factory=list, description="choice and multiple_choice only")
    min: float | None = Field(default=None, description="number only: the smallest answer accepted")
    max: float | None = Field(default=None, description="number only: the largest answer accepted")
    integer: bool = Field(default=False, description="number only: whole numbers only")
    max_length: int | None = Field(default=None, ge=1, le=20_000,
                                   description="text answers: default 500 (text), 20000 (long_text)")
    show_if: FormShowIf | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FormQuestion:
        has_choices = self.type in ("choice", "multiple_choice")
        if has_choices != bool(self.choices):
            raise ValueError(f"{self.key}: choices are for choice and multiple_choice questions only, and needed there")
        if len({c.value for c in self.choices}) != len(self.choices):
            raise ValueError(f"{self.key}: two choices with one value")
        if self.type != "number" and (self.min is not None or self.max is not None or self.integer):
            raise ValueError(f"{self.key}: bounds are for number questions only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.key}: min above max")
        if self.max_length is not None and self.type not in ("text", "long_text"):
            raise ValueError(f"{self.key}: max_length is for text questions only")
        return self

    @property
    def text_limit(self) -> int:
        return self.max_length or (20_000 if self.type == "long_text" else 500)


class FormDefinitionSection(_Frozen):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    title: str = Field(min_length=1, max_length=200)
    help: str | None = None
    questions: list[FormQuestion] = Field(min_length=1)


class FormDefinition(_Frozen):
    """One version of a form, as shipped with the service."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    supplementary: bool = Field(description="a supplementary reporting form (asked for with the "
                                "reporting form when the circumstances of the death call for it)")
    sections: list[FormDefinitionSection] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> FormDefinition:
        seen: dict[str, FormQuestion] = {}
        for s in self.sections:
            for q in s.questions:
                if q.key in seen:
                    raise ValueError(f"{self.key} v{self.version}: question {q.key} twice")
                if q.show_if is not None:
                    ctl = seen.get(q.show_if.question)
                    if ctl is None:
                        raise ValueError(f"{self.key} v{self.version}: {q.key} shows if {q.show_if.question}, "
                                         "which is not an earlier question")
                    allowed: set[ChoiceValue] = ({True, False} if ctl.type == "yes_no"
                                                 else {c.value for c in ctl.choices})
                    if not allowed:
                        raise ValueError(f"{self.key} v{self.version}: {q.key} shows if a "
                                         f"{ctl.type} question")
                    bad = [v for v in q.show_if.in_ if v not in allowed or
                           (ctl.type == "yes_no") != isinstance(v, bool)]
                    if bad:
                        raise ValueError(f"{self.key} v{self.version}: {q.key}: {bad} not answers of "
                                         f"{ctl.key}")
                seen[q.key] = q
        return self

    def questions(self) -> list[FormQuestion]:
        return [q for s in self.sections for q in s.questions]

    def question(self, key: str) -> FormQuestion | None:
        return next((q for q in self.questions() if q.key == key), None)


class FormRef(_Frozen):
    """The form and version a reporting-form request asked for."""

    key: str
    version: int
