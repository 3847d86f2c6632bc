"""Size and shape limits (issue #5): 413 without reading the body, 4xx for hostile JSON,
bounded page sizes, and request schemas that bound every string and list."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.http.request_limits import RequestLimitsMiddleware, json_too_deep
from tests.conftest import run_in_own_thread
from tests.hardening.conftest import make_probe_app

PROBLEM = "application/problem+json"
PUBLIC = "/api/v1/public/_probe"


def _problem(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers
    body = r.json()
    assert body["code"] == code and body["status"] == status
    assert "Traceback" not in r.text
    return body


# -- the middleware alone, driven as ASGI ------------------------------------------------

class _Recorder:
    """An inner app that records what reached it."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _run(mw, path: str, headers: list[tuple[bytes, bytes]], chunks, method: str = "POST"):
    """Run one request; chunks is an iterable of bytes. Returns (status, headers, body, reads)."""
    sent: list[dict[str, Any]] = []
    reads = 0
    iterator = iter(chunks)
    pending: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if pending:
            chunk = pending.pop()
        else:
            chunk = next(iterator, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        nxt = next(iterator, None)
        if nxt is not None:
            pending.append(nxt)
        return {"type": "http.request", "body": chunk, "more_body": nxt is not None}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": headers, "root_path": "", "scheme": "http",
             "server": ("testserver", 80), "client": ("192.0.2.1", 1), "state": {}}
    run_in_own_thread(lambda: asyncio.run(mw(scope, receive, send)), timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body, reads


def _mw(inner=None, **kw):
    kw.setdefault("max_body_bytes", 1024 * 1024)
    kw.setdefault("max_public_body_bytes", 64 * 1024)
    return RequestLimitsMiddleware(inner or _Recorder(), **kw)


def test_content_length_over_limit_rejected_before_reading() -> None:
    inner = _Recorder()

    def never():
        raise AssertionError("the body must not be read")
        yield b""  # pragma: no cover

    status, headers, body, reads = _run(
        _mw(inner), PUBLIC, [(b"content-length", str(64 * 1024 + 1).encode()),
                             (b"content-type", b"application/json")], never())
    assert status == 413 and reads == 0 and not inner.called
    assert headers[b"content-type"].startswith(PROBLEM.encode())
    assert json.loads(body)["code"] == "payload_too_large"
    assert headers[b"connection"] == b"close"


def test_chunked_body_aborted_past_the_limit() -> None:
    inner = _Recorder()
    produced = 0

    def endless():
        nonlocal produced
        while produced < 100:  # 100 x 16 KiB would be 1.6 MiB; the limit is 64 KiB
            produced += 1
            yield b" " * 16 * 1024

    status, _h, body, reads = _run(_mw(inner), PUBLIC, [(b"transfer-encoding", b"chunked")], endless())
    assert status == 413 and not inner.called
    assert json.loads(body)["code"] == "payload_too_large"
    # 64 KiB / 16 KiB = 4 chunks fit; the 5th crosses the limit; nothing more is pulled
    # (the test receive() looks one chunk ahead, hence at most 6 produced).
    assert reads == 5 and produced <= 6


def test_body_within_limit_reaches_the_app_intact() -> None:
    inner = _Recorder()
    payload = json.dumps({"x": "y" * 1000}).encode()
    status, _h, _b, _r = _run(_mw(inner), PUBLIC, [(b"transfer-encoding", b"chunked"),
                                                   (b"content-type", b"application/json")],
                              [payload[:100], payload[100:]])
    assert status == 200 and inner.body == payload


def test_staff_routes_have_the_larger_limit() -> None:
    mw = _mw()
    assert mw.limit_for("/api/v1/case-reviews") == 1024 * 1024
    for path in ("/api/v1/public/case-review-notifications", "/notify/case-review", "/forms/abc"):
        assert mw.limit_for(path) == 64 * 1024
    status, *_ = _run(mw, "/api/v1/case-reviews", [(b"content-length", b"100000")], [b"x" * 100000])
    assert status == 200
    status, *_ = _run(mw, "/api/v1/case-reviews", [(b"content-length", str(2 * 1024 * 1024).encode())], [])
    assert status == 413


def test_invalid_content_length_is_400() -> None:
    status, _h, body, reads = _run(_mw(), PUBLIC, [(b"content-length", b"12abc")], [b"x"])
    assert status == 400 and reads == 0
    assert json.loads(body)["code"] == "bad_request"


def test_json_depth_scanner() -> None:
    assert not json_too_deep(b"[" * 32 + b"]" * 32, 32)
    assert json_too_deep(b"[" * 33 + b"]" * 33, 32)
    # brackets inside strings, and escaped quotes, do not count
    assert not json_too_deep(json.dumps({"a": "[[[[[[[[[[\\\"[[[[" * 10}).encode(), 4)
    assert not json_too_deep(json.dumps({"a": "\\"}).encode() + b"[[", 2)


# -- through the real app ----------------------------------------------------------------

@pytest.fixture(scope="module")
def probe_client():
    with TestClient(make_probe_app(public_rate_limit="100000/minute"), raise_server_exceptions=False) as c:
        yield c


def test_public_body_over_64k_is_413(probe_client: TestClient) -> None:
    r = probe_client.post(PUBLIC, json={"text": "x" * (65 * 1024)})
    body = _problem(r, 413, "payload_too_large")
    assert body["request_id"] and r.headers["x-request-id"] == body["request_id"]
    assert probe_client.post(PUBLIC, json={"text": "x" * (60 * 1024)}).status_code == 201


@pytest.mark.parametrize("path", ["/api/v1/public/case-review-notifications",
                                  "/api/v1/public/child-death-notifications",
                                  "/notify", "/forms/x"])
def test_every_public_prefix_is_limited(probe_client: TestClient, path: str) -> None:
    r = probe_client.post(path, content=b"{" + b" " * (65 * 1024) + b"}",
                          headers={"Content-Type": "application/json"})
    _problem(r, 413, "payload_too_large")


def test_staff_body_over_1mib_is_413(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    r = client.post("/api/v1/users", content=b"{" + b" " * (1024 * 1024) + b"}",
                    headers={**admin.headers, "Content-Type": "application/json"})
    _problem(r, 413, "payload_too_large")
    # 100 KiB is fine on a staff route (it is refused for what it says, not its size)
    r = client.post("/api/v1/users", json={"email": "a@example.test", "name": "x" * 100_000},
                    headers=admin.headers)
    assert r.status_code == 422


def test_deeply_nested_json_is_422(probe_client: TestClient) -> None:
    nested = b'{"a":' * 40 + b"1" + b"}" * 40
    body = _problem(probe_client.post(PUBLIC, content=nested, headers={"Content-Type": "application/json"}),
                    422, "validation_error")
    assert body["errors"][0]["loc"] == ["body"]
    # very deep (past Python's recursion limit) is the same answer, not a 500
    deep = b"[" * 30_000 + b"]" * 30_000
    _problem(probe_client.post(PUBLIC, content=deep, headers={"Content-Type": "application/json"}),
             422, "validation_error")
    # 32 levels are fine
    ok = b'{"a":' * 31 + b"1" + b"}" * 31
    assert probe_client.post(PUBLIC, content=ok, headers={"Content-Type": "application/json"}).status_code == 201


@pytest.mark.parametrize("raw", [
    b'{"name": "\xff\xfe bad bytes"}',          # not UTF-8
    b'\xff\xfe{\x00"\x00a\x00"\x00:\x001\x00}\x00',  # UTF-16
    b'{"name": "nul \\u0000 inside"}',          # NUL: no text column stores it
    b'{"na\\u0000me": 1}',                       # NUL in a key
    b'{"name": "lone \\ud800 surrogate"}',      # unpaired surrogate: cannot be encoded
])
def test_hostile_text_is_4xx_problem(probe_client: TestClient, raw: bytes) -> None:
    r = probe_client.post(PUBLIC, content=raw, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


def test_paired_surrogates_and_escaped_backslashes_are_fine(probe_client: TestClient) -> None:
    raw = b'{"name": "emoji \\ud83d\\ude00", "path": "C:\\\\u0000dir"}'
    assert probe_client.post(PUBLIC, content=raw, headers={"Content-Type": "application/json"}).status_code == 201


def test_nul_in_query_or_path_is_422(client: TestClient, make_user) -> None:
    u = make_user("admin")
    _problem(client.get("/api/v1/users?cursor=%00", headers=u.headers), 422, "validation_error")
    _problem(client.get("/api/v1/public/reporting-forms/ab%00cd"), 422, "validation_error")


def test_form_encoded_nul_and_bad_utf8_are_422(probe_client: TestClient) -> None:
    for raw in (b"username=a%00b&password=x", b"username=%ff%fe&password=x"):
        r = probe_client.post("/api/v1/auth/token", content=raw,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        _problem(r, 422, "validation_error")


# -- page size ---------------------------------------------------------------------------

def _list_operations(schema: dict) -> list[tuple[str, dict]]:
    out = []
    for path, item in schema["paths"].items():
        op = item.get("get")
        if op and any(p["name"] == "limit" and p["in"] == "query" for p in op.get("parameters", [])):
            out.append((path, op))
    return out


def test_every_list_caps_its_page_size(app) -> None:
    ops = _list_operations(app.openapi())
    assert ops, "no list endpoints found"
    for path, op in ops:
        limit = next(p for p in op["parameters"] if p["name"] == "limit")
        schema = limit["schema"]
        assert schema.get("maximum", 10**9) <= 200, f"{path}: limit has no maximum <= 200"
        assert schema.get("minimum", schema.get("exclusiveMinimum", 0)) >= 1 or schema.get(
            "exclusiveMinimum", -1) >= 0, f"{path}: limit has no minimum"


def test_page_size_over_200_is_422(client: TestClient, make_user) -> None:
    from core.auth.roles import ALL_ROLES

    user = make_user(*sorted(ALL_ROLES))
    for path, _op in _list_operations(client.app.openapi()):
        if "{" in path:
            continue
        r = client.get(path, params={"limit": 201}, headers=user.headers)
        _problem(r, 422, "validation_error")


# -- every string, integer and list in a request has a bound --------------------------------------

# (schema path) -> why it may stay unbounded. Keep this empty; add only with a reason.
_BY_TABLE = ("validated by the workflow table's per-action model (extra='forbid', bounded Text "
             "fields); the OpenAPI body is a free-form object because the fields depend on the action")
ALLOWED_UNBOUNDED: dict[str, str] = {
    "POST /api/v1/case-reviews/{case_id}/transitions body(application/json)": _BY_TABLE,
    "POST /api/v1/child-deaths/{case_id}/transitions body(application/json)": _BY_TABLE,
}
BOUNDED_FORMATS = {"date", "date-time", "time", "email", "uuid", "binary", "duration", "ipv4", "ipv6"}


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = root["components"]["schemas"][name]
    return schema


def _bounded_pattern(pattern: str | None) -> bool:
    """An anchored pattern without open-ended repetition bounds the length by itself."""
    if not pattern or not (pattern.startswith("^") and pattern.endswith("$")):
        return False
    return not re.search(r"[*+]|\{\d*,\}", pattern)


def _unbounded(schema: dict, root: dict, where: str, seen: set[str], out: list[str]) -> None:
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return
        seen = seen | {ref}
        _unbounded(_resolve(schema, root), root, f"{where}<{ref.split('/')[-1]}>", seen, out)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            _unbounded(sub, root, where, seen, out)
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if "string" in kinds and "enum" not in schema and "const" not in schema \
            and schema.get("format") not in BOUNDED_FORMATS and "maxLength" not in schema \
            and not _bounded_pattern(schema.get("pattern")):
        out.append(f"{where}: string without maxLength")
    if "integer" in kinds and "enum" not in schema and "const" not in schema \
            and "maximum" not in schema and "exclusiveMaximum" not in schema:
        out.append(f"{where}: integer without maximum (database integers are 32/64-bit)")
    if "array" in kinds:
        if "maxItems" not in schema:
            out.append(f"{where}: array without maxItems")
        if "items" in schema:
            _unbounded(schema["items"], root, f"{where}[]", seen, out)
    if "object" in kinds or "properties" in schema:
        for name, sub in (schema.get("properties") or {}).items():
            _unbounded(sub, root, f"{where}.{name}", seen, out)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) or (extra is True and "properties" not in schema):
            if "maxProperties" not in schema:
                out.append(f"{where}: free-form object without maxProperties")
            if isinstance(extra, dict):
                _unbounded(extra, root, f"{where}.*", seen, out)


def request_schema_offenders(schema: dict) -> list[str]:
    out: list[str] = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            where = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                # Path segments and headers are bounded by the server's request-line and
                # header size limits (h11: 16 KiB); query strings reach the database.
                if param["in"] != "query":
                    continue
                _unbounded(param.get("schema", {}), schema,
                           f"{where} {param['in']}:{param['name']}", set(), out)
            content = (op.get("requestBody") or {}).get("content", {})
            for media, body in content.items():
                _unbounded(body.get("schema", {}), schema, f"{where} body({media})", set(), out)
    return [o for o in out if o.split(":")[0] not in ALLOWED_UNBOUNDED]


def test_request_schemas_bound_every_string_integer_and_list(app) -> None:
    offenders = request_schema_offenders(app.openapi())
    assert not offenders, f"{len(offenders)} unbounded request fields:\n" + "\n".join(offenders)
