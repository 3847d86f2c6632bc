"""core.web.forms: posted form -> JSON body, and errors -> fields (no app needed)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field as PydField, ValidationError
from starlette.datastructures import FormData

from core.web.forms import Field, Fieldset, FormSpec, Repeat


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = PydField(min_length=1, max_length=20)
    email: EmailStr | None = None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    who: dict[str, str]
    born: str | None = None
    flag: bool
    maybe: bool | None = None
    lines: list[str] = []
    agencies: list[Agency] = []


SPEC = FormSpec(fieldsets=[
    Fieldset("One", fields=[
        Field("who.name", "Full name", error_name="your full name"),
        Field("born", "Date of birth", kind="date"),
        Field("flag", "Flag?", kind="boolean", error_name="whether it is flagged"),
        Field("maybe", "Maybe?", kind="boolean", not_known_label="Not known"),
        Field("lines", "Lines", kind="lines"),
    ]),
    Fieldset("Two", fields=[Repeat("agencies", "Agency", min_rows=2, fields=[
        Field("name", "Name of agency"), Field("email", "Email", kind="email")])]),
])


def test_parse_builds_the_json_body() -> None:
    parsed = SPEC.parse(FormData([
        ("who.name", "  Pat  "), ("born.day", "4"), ("born.month", "6"), ("born.year", "2015"),
        ("flag", "false"), ("maybe", "no_answer"), ("lines", "a\r\n\r\n b \r\n"),
        ("agencies.rows", "3"), ("agencies.0.name", ""), ("agencies.0.email", ""),
        ("agencies.1.name", "GP"), ("agencies.1.email", ""), ("agencies.2.name", "School"),
    ]))
    assert parsed.body == {"who": {"name": "Pat"}, "born": "2015-06-04", "flag": False,
                           "lines": ["a", "b"], "agencies": [{"name": "GP"}, {"name": "School"}]}
    # blank rows dropped and renumbered; one blank row offered after the kept ones
    assert parsed.values["agencies.0.name"] == "GP" and parsed.values["agencies.1.name"] == "School"
    assert parsed.values["agencies.rows"] == "3"


def test_empty_answers_are_left_out_so_required_ones_are_missing() -> None:
    parsed = SPEC.parse(FormData([]))
    assert parsed.body == {"who": {}, "agencies": []}
    try:
        Body.model_validate(parsed.body)
    except ValidationError as exc:
        form = SPEC.bind(parsed.values, exc)
    assert form.summary == [("#flag", "Select whether it is flagged")]
    assert form.errors == {"flag": "Select whether it is flagged"}


def test_dates_partial_and_unreal() -> None:
    parsed = SPEC.parse(FormData([("born.day", "31"), ("born.month", "2"), ("born.year", "2020")]))
    assert parsed.body["born"] == "2020-02-31"
    form = SPEC.bind(parsed.values, [{"loc": ["body", "born"], "msg": "not a real calendar date",
                                      "type": "value_error"}])
    assert form.summary == [("#born-day", "Date of birth must be a real date")]
    parsed = SPEC.parse(FormData([("born.day", "31"), ("born.year", "2020")]))
    form = SPEC.bind(parsed.values, [{"loc": ["born"], "msg": "x", "type": "value_error"}])
    assert form.errors["born"] == "Date of birth must include a month"


def test_errors_in_rows_and_unknown_locations() -> None:
    parsed = SPEC.parse(FormData([("flag", "true"), ("agencies.0.name", "x" * 30),
                                  ("agencies.0.email", "nope")]))
    try:
        Body.model_validate(parsed.body)
    except ValidationError as exc:
        form = SPEC.bind(parsed.values, exc)
    assert dict(form.summary) == {
        "#agencies-0-name": "Name of agency must be 20 characters or fewer",
        "#agencies-0-email": "Enter an email address in the correct format, like name@example.com",
    }
    form = SPEC.bind({}, [{"loc": ["body", "received_on"], "msg": "must be on or after the incident"},
                          {"loc": ["body", "who"], "msg": "is wrong"}])
    assert form.summary == [("#who-name", "Full name is wrong"), ("#form", "Must be on or after the incident")]


def test_add_another_row() -> None:
    parsed = SPEC.parse(FormData([("agencies.rows", "2"), ("agencies.0.name", "GP"), ("add_row", "agencies")]))
    assert parsed.add_row == "agencies"
    assert parsed.values["agencies.rows"] == "3"
    form = SPEC.bind(parsed.values)
    assert [f.name for f in form.spec.all_fields(form.values)][-2:] == ["agencies.2.name", "agencies.2.email"]
