"""Idempotency-Key on both public notification endpoints (API.md, issue #5)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from tests.conftest import IS_POSTGRES
from tests.hardening.payloads import PUBLIC_ENDPOINTS, TABLES

ENDPOINTS = sorted(PUBLIC_ENDPOINTS)


def _count(session, kind: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {TABLES[kind]}")).scalar_one())


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_replay_returns_the_first_response_and_creates_nothing(client: TestClient, db, kind: str) -> None:
    path, make_body = PUBLIC_ENDPOINTS[kind]
    body = make_body()
    before = _count(db, kind)
    first = client.post(path, json=body, headers={"Idempotency-Key": f"key-{kind}-1"})
    assert first.status_code == 201, first.text
    again = client.post(path, json=body, headers={"Idempotency-Key": f"key-{kind}-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.headers.get("location") == first.headers.get("location")
    assert _count(db, kind) == before + 1
    # without a key, or with another key, it is a new notification
    other = client.post(path, json=body, headers={"Idempotency-Key": f"key-{kind}-2"})
    assert other.status_code == 201 and other.json()["reference"] != first.json()["reference"]
    assert _count(db, kind) == before + 2


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_same_key_with_a_different_body_is_422(client: TestClient, db, kind: str) -> None:
    path, make_body = PUBLIC_ENDPOINTS[kind]
    assert client.post(path, json=make_body(), headers={"Idempotency-Key": "k-diff"}).status_code == 201
    before = _count(db, kind)
    r = client.post(path, json=make_body(), headers={"Idempotency-Key": "k-diff"})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "validation_error"
    assert ["header", "Idempotency-Key"] in [e["loc"] for e in problem["errors"]]
    assert _count(db, kind) == before


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_bad_keys_are_422(client: TestClient, kind: str) -> None:
    path, make_body = PUBLIC_ENDPOINTS[kind]
    for key in (b"x" * 201, b" ", "caf\u00e9".encode()):
        r = client.post(path, json=make_body(), headers={"Idempotency-Key": key})
        assert r.status_code == 422, (key, r.text)


def test_keys_are_scoped_per_endpoint(client: TestClient) -> None:
    responses = [client.post(path, json=make(), headers={"Idempotency-Key": "shared-key"})
                 for path, make in PUBLIC_ENDPOINTS.values()]
    assert [r.status_code for r in responses] == [201, 201]


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_a_failed_request_does_not_burn_the_key(client: TestClient, kind: str) -> None:
    path, make_body = PUBLIC_ENDPOINTS[kind]
    bad = make_body()
    bad["child"]["first_name"] = ""
    assert client.post(path, json=bad, headers={"Idempotency-Key": "retry-me"}).status_code == 422
    assert client.post(path, json=make_body(), headers={"Idempotency-Key": "retry-me"}).status_code == 201


class _Gate:
    """Holds the first request's transaction open just before it stores its key."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.reached = threading.Event()
        self.release = threading.Event()
        self.armed = True
        self._lock = threading.Lock()

    def __enter__(self) -> "_Gate":
        event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        event.remove(self.engine, "before_cursor_execute", self._hook)

    def _hook(self, conn, cursor, statement, params, context, executemany) -> None:
        if "INSERT INTO core_idempotency_keys" not in statement:
            return
        with self._lock:
            if not self.armed:
                return
            self.armed = False
        self.reached.set()
        self.release.wait(30)


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_retry_while_the_first_is_in_flight(committed_client: TestClient, engine, kind: str) -> None:
    """PostgreSQL: 409 while the first holds its transaction open, then the replay.
    SQLite serialises writers: the retry waits for the first and then replays."""
    path, make_body = PUBLIC_ENDPOINTS[kind]
    body = make_body()
    headers = {"Idempotency-Key": f"in-flight-{kind}"}
    results: dict[str, object] = {}

    with _Gate(engine) as gate:
        first = threading.Thread(target=lambda: results.__setitem__(
            "first", committed_client.post(path, json=body, headers=headers)))
        first.start()
        assert gate.reached.wait(20), "the first request never reached the insert"
        if IS_POSTGRES:
            second = committed_client.post(path, json=body, headers=headers)
            assert second.status_code == 409, second.text
            assert second.json()["code"] == "conflict"
            assert second.headers.get("retry-after")
            gate.release.set()
        else:
            waiter = threading.Thread(target=lambda: results.__setitem__(
                "second", committed_client.post(path, json=body, headers=headers)))
            waiter.start()
            time.sleep(0.5)
            assert "second" not in results, "SQLite let a second writer in"
            gate.release.set()
            waiter.join(30)
        first.join(30)

    first_r = results["first"]
    assert first_r.status_code == 201, first_r.text
    retry = results.get("second") or committed_client.post(path, json=body, headers=headers)
    assert retry.status_code == 201, retry.text
    assert retry.json() == first_r.json()
    assert retry.headers.get("idempotent-replayed") == "true"
    with engine.connect() as conn:
        ref = first_r.json()["reference"]
        n = conn.execute(text(f"SELECT count(*) FROM {TABLES[kind]} WHERE reference = :r"), {"r": ref}).scalar_one()
        assert n == 1
        assert conn.execute(text(f"SELECT count(*) FROM {TABLES[kind]}")).scalar_one() == 1


def test_replay_record_does_not_store_link_tokens_in_clear() -> None:
    from starlette.requests import Request

    from core.idempotency.service import request_scope

    class _Route:
        path = "/api/v1/public/reporting-forms/{token}"

    secret = "s3cr3t-token-" + "x" * 200
    scope = {"type": "http", "method": "POST", "path": f"/api/v1/public/reporting-forms/{secret}",
             "query_string": b"", "headers": [], "route": _Route(), "server": ("t", 80), "scheme": "http"}
    got = request_scope(Request(scope))
    assert secret not in got and "s3cr3t" not in got and len(got) <= 100
    assert got.startswith("/api/v1/public/reporting-forms/{token}#")


def test_stored_replay_holds_no_status_token_in_clear(client: TestClient, db) -> None:
    """The case review receipt carries the status token: the stored replay is sealed."""
    path, make_body = PUBLIC_ENDPOINTS["case_review"]
    body = make_body()
    first = client.post(path, json=body, headers={"Idempotency-Key": "sealed-1"})
    assert first.status_code == 201
    token = first.json()["status_token"]
    stored = db.execute(text("SELECT response FROM core_idempotency_keys WHERE key = 'sealed-1'")).scalar_one()
    assert token not in str(stored) and first.json()["reference"] not in str(stored)
    again = client.post(path, json=body, headers={"Idempotency-Key": "sealed-1"})
    assert again.status_code == 201 and again.json()["status_token"] == token
