"""Boundary values on every operation (issue #5): the fuzzer may never draw 2**31 or a 10,000
character query; this walk tries them deterministically. Never a 5xx."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from core.auth.roles import ALL_ROLES

BIG_INTS = [2**31, 2**63, -1, 0]
METHODS = ("get", "post", "put", "patch", "delete")


def _fill(path: str, params: list[dict[str, Any]], override: dict[str, Any]) -> str:
    for p in params:
        if p["in"] != "path":
            continue
        value = override.get(p["name"])
        if value is None:
            value = 1 if p.get("schema", {}).get("type") == "integer" else "x1"
        path = path.replace("{" + p["name"] + "}", str(value))
    return path


def test_boundary_values_never_5xx(client: TestClient, make_user) -> None:
    user = make_user(*sorted(ALL_ROLES), agency="Edge Agency")
    schema = client.app.openapi()
    failures: list[str] = []
    sent = 0
    for path, item in schema["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = op.get("parameters", [])
            body = {} if method in ("post", "put", "patch") else None
            attempts: list[tuple[str, dict[str, Any]]] = []
            for p in params:
                kind = p.get("schema", {}).get("type")
                if p["in"] == "path" and kind == "integer":
                    attempts += [(_fill(path, params, {p["name"]: v}), {}) for v in BIG_INTS]
                elif p["in"] == "path":
                    attempts += [(_fill(path, params, {p["name"]: v}), {}) for v in ("x" * 3000, "%FF%FE", "..")]
                elif p["in"] == "query" and kind == "integer":
                    attempts += [(_fill(path, params, {}), {p["name"]: v}) for v in BIG_INTS]
                elif p["in"] == "query":
                    attempts += [(_fill(path, params, {}), {p["name"]: v}) for v in ("x" * 10_000, "\u202e\ufeff")]
            if not attempts:
                attempts = [(_fill(path, params, {}), {})]
            for url, query in attempts:
                r = client.request(method.upper(), url, params=query, json=body, headers=user.headers)
                sent += 1
                if r.status_code >= 500:
                    failures.append(f"{method.upper()} {url[:120]} {str(query)[:80]} -> {r.status_code}")
    assert sent > 100
    assert not failures, "\n".join(failures)


def test_big_integers_in_bodies_never_5xx(client: TestClient, make_user) -> None:
    """Every integer property of every request body set to 2**63 (one at a time)."""
    user = make_user(*sorted(ALL_ROLES), agency="Edge Agency")
    schema = client.app.openapi()
    components = schema.get("components", {}).get("schemas", {})
    failures: list[str] = []

    def resolve(s: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in s:
            s = components[s["$ref"].split("/")[-1]]
        return s

    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            op = item.get(method)
            content = ((op or {}).get("requestBody") or {}).get("content", {})
            body_schema = content.get("application/json", {}).get("schema")
            if not body_schema:
                continue
            props = resolve(body_schema).get("properties", {})
            for name, prop in props.items():
                prop = resolve(prop)
                types = {prop.get("type")} | {resolve(a).get("type") for a in prop.get("anyOf", [])}
                if "integer" not in types:
                    continue
                url = path
                for p in op.get("parameters", []):
                    if p["in"] == "path":
                        url = url.replace("{" + p["name"] + "}", "1")
                r = client.request(method.upper(), url, json={name: 2**63}, headers=user.headers)
                if r.status_code >= 500:
                    failures.append(f"{method.upper()} {path} {name}=2**63 -> {r.status_code}")
    assert not failures, "\n".join(failures)
