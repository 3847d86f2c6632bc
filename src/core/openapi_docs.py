"""Document the problem+json answers each operation can give, derived from the routes.

The errors come from shared mechanisms (auth, If-Match, size and rate limits, constraint
races), so they are added here from what each operation declares rather than by hand on
every route: clients and the schema-driven fuzzer then know every status code to expect.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
DESCRIPTIONS = {
    "401": "Unauthorized: no token, or a bad, expired or revoked one",
    "403": "Forbidden: your roles lack the permission",
    "404": "Not found (also a case you may not see)",
    "409": "Conflict or invalid transition",
    "412": "Precondition failed: the ETag in If-Match is stale",
    "413": "Payload too large",
    "422": "Validation error: `errors` names each field",
    "428": "Precondition required: send If-Match",
    "429": "Too many requests: see Retry-After",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _problem(code: str) -> dict[str, Any]:
    return {"description": DESCRIPTIONS[code],
            "content": {"application/problem+json": {"schema": PROBLEM_REF}}}


def enrich(schema: dict[str, Any]) -> dict[str, Any]:
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if method not in WRITE_METHODS | {"get"}:
                continue
            responses = op.setdefault("responses", {})
            headers = {p["name"].lower() for p in op.get("parameters", []) if p.get("in") == "header"}
            for param in op.get("parameters", []):
                if param.get("in") == "header" and param["name"].lower() == "if-match":
                    # Needed by the operation, but not "required" in the schema's sense: its
                    # absence answers 428 (RFC 6585), not the 4xx of a missing parameter.
                    param["description"] = ("the ETag of the last read (or `*`); "
                                            "428 without it, 412 when stale")
            codes = {"404", "422"}
            if op.get("security"):
                codes |= {"401", "403"}
            if "requestBody" in op:
                codes.add("413")
            if method in WRITE_METHODS:
                codes.add("409")  # unique-constraint races, guards, used links
            if "if-match" in headers:
                codes |= {"412", "428"}
            if method == "post" and (path.startswith("/api/v1/public/") or path == "/api/v1/auth/token"):
                codes.add("429")
            if path == "/api/v1/auth/token":
                codes.add("401")  # wrong email or password
            for code in sorted(codes):
                existing = responses.get(code)
                responses[code] = _problem(code) if existing is None else {
                    "description": existing.get("description") or DESCRIPTIONS[code],
                    "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                    **({"headers": existing["headers"]} if "headers" in existing else {}),
                }
            if "429" in responses:
                responses["429"]["headers"] = {
                    "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
                }
    from core.errors import Problem

    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = enrich(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
