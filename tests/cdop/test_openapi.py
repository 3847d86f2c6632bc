"""Every child death route names a typed response model in OpenAPI (the staff app's client is
generated from it), and the constraints the service enforces are stated there."""

from __future__ import annotations

from typing import Any

import pytest

API = "/api/v1"
CDOP_PATHS = ("/child-deaths", "/reporting-forms", "/reports/child-deaths", "/public/reporting-forms",
              "/public/child-death-notifications", "/meetings/{meeting_id}/papers")


@pytest.fixture(scope="module")
def spec(app) -> dict[str, Any]:
    return app.openapi()


def _operations(spec: dict[str, Any]):
    for path, item in spec["paths"].items():
        if path.removeprefix(API).startswith(CDOP_PATHS):
            for method, op in item.items():
                yield path, method, op


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _untyped(spec: dict[str, Any], schema: Any, seen: set[str], where: str) -> list[str]:
    """Places where the schema allows any object (``dict[str, Any]``) or any item."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _untyped(spec, spec["components"]["schemas"][name], seen, name)
    out = []
    if schema.get("type") == "object" and "properties" not in schema and schema.get("additionalProperties") in (None, True, {}):
        out.append(where)
    if schema.get("type") == "array" and schema.get("items") in (None, {}):
        out.append(where)
    for key in ("properties",):
        for name, sub in schema.get(key, {}).items():
            out += _untyped(spec, sub, seen, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            out += _untyped(spec, schema[key], seen, f"{where}[{key}]")
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            out += _untyped(spec, sub, seen, where)
    return out


def test_every_cdop_route_has_a_typed_response(spec) -> None:
    checked = 0
    for path, method, op in _operations(spec):
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert ok, (method, path)
        for code, response in ok.items():
            schema = response["content"]["application/json"]["schema"]
            resolved = _resolve(spec, schema)
            assert resolved.get("type") in ("object", "array"), (method, path, schema)
            if resolved.get("type") == "array":
                assert "$ref" in resolved["items"], (method, path, schema)
            else:
                assert "$ref" in schema and resolved.get("properties"), (method, path, schema)
            assert _untyped(spec, schema, set(), f"{method} {path}") == [], (method, path)
            checked += 1
    assert checked >= 18


def test_cdop_query_filters_are_enums(spec) -> None:
    params = {p["name"]: p for p in spec["paths"][f"{API}/child-deaths"]["get"]["parameters"]}
    status = params["status"]["schema"]
    items = next(s for s in status.get("anyOf", [status]) if s.get("type") == "array")["items"]
    assert set(_resolve(spec, items)["enum"]) == {
        "notified", "information_gathering", "on_hold", "ready_for_panel", "scheduled_for_panel",
        "reviewed", "closed", "withdrawn", "transferred_out"}
    hold = params["hold_reason"]["schema"]
    enum = next(_resolve(spec, s) for s in hold.get("anyOf", [hold]) if _resolve(spec, s).get("enum"))
    assert set(enum["enum"]) == {"inquest", "criminal_proceedings", "case_review", "other"}


def test_the_transition_body_is_one_object_per_action(spec) -> None:
    body = spec["paths"][f"{API}/child-deaths/{{case_id}}/transitions"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    variants = schema.get("oneOf") or schema.get("anyOf")
    actions = {}
    for v in variants:
        actions[v["properties"]["action"]["const"]] = v
        assert v.get("additionalProperties") is False
    assert set(actions) == {
        "start_information_gathering", "transfer_out", "withdraw", "place_on_hold", "release_hold",
        "mark_ready_for_panel", "schedule_for_panel", "defer_at_panel", "record_analysis", "close",
        "record_external_outcome", "review_hold"}
    assert set(actions["place_on_hold"]["required"]) == {"action", "hold_reason", "expected_on"}
    scores = actions["record_analysis"]["properties"]["domain_scores"]
    assert set(scores["required"]) == {"A", "B", "C", "D"} and scores["properties"]["A"]["maximum"] == 2


def test_the_patch_body_states_its_limits(spec) -> None:
    schema = _resolve(spec, spec["paths"][f"{API}/child-deaths/{{case_id}}"]["patch"]["requestBody"]
                      ["content"]["application/json"]["schema"])
    assert schema["additionalProperties"] is False
    first = schema["properties"]["first_name"]  # not nullable: it cannot be cleared
    assert (first["type"], first["minLength"], first["maxLength"]) == ("string", 1, 100)
    assert schema["properties"]["expected"]["type"] == "boolean"
    nhs = next(s for s in schema["properties"]["nhs_number"]["anyOf"] if s.get("type") == "string")
    assert nhs["pattern"].startswith("^") and nhs["maxLength"] == 40
    sex = next(_resolve(spec, s) for s in schema["properties"]["sex"]["anyOf"] if "null" != s.get("type"))
    assert set(sex["enum"]) == {"female", "male", "indeterminate", "not_known"}
