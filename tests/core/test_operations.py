from __future__ import annotations

import subprocess
import sys

from fastapi.testclient import TestClient


def test_livez_and_readyz(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["schema"]


def test_readyz_503_when_schema_not_at_head(client: TestClient, db) -> None:
    from sqlalchemy import text

    db.execute(text("UPDATE alembic_version SET version_num = '0001_core'"))
    db.commit()
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["schema"] == "not at migration head"


def test_security_headers_and_request_id(client: TestClient) -> None:
    r = client.get("/livez", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-request-id"] == "abc-123"
    assert "content-security-policy" in r.headers


def test_metrics_use_route_templates(client: TestClient, make_user) -> None:
    u = make_user("admin")
    client.get("/api/v1/users/12345", headers=u.headers)
    body = client.get("/metrics").text
    assert 'handler="/api/v1/users/{user_id}"' in body
    assert "/api/v1/users/12345" not in body


def test_docs_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"]


def test_openapi_file_matches_app() -> None:
    from core.openapi_export import render
    from core.migrations import ROOT

    for name, content in render().items():
        path = ROOT / "openapi" / name
        assert path.exists(), f"{path} missing: run make openapi"
        assert path.read_text() == content, f"{path} is out of date: run make openapi"


def test_import_contracts() -> None:
    """core imports neither domain; ecr and cdop are independent (import-linter)."""
    from core.migrations import ROOT

    out = subprocess.run([sys.executable, "-m", "importlinter.cli", "--no-cache"], cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0 and "No module named" in out.stderr:
        out = subprocess.run([str(ROOT / ".venv/bin/lint-imports"), "--no-cache"], cwd=ROOT,
                             capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_metrics_show_the_audit_sealing_backlog(client: TestClient, db) -> None:
    from core.audit import record, seal

    db.info["audit_sealing"] = "deferred"
    record(db, actor="system", action="metrics.test")
    db.commit()
    body = client.get("/metrics").text
    assert "ecr_audit_unsealed_events 1.0" in body
    assert "ecr_audit_oldest_unsealed_age_seconds" in body
    seal(db)
    db.commit()
    assert "ecr_audit_unsealed_events 0.0" in client.get("/metrics").text


def test_startup_objects_are_frozen_out_of_full_collections(client: TestClient) -> None:
    """Once an app has started, what start-up built is out of the cyclic collector's full
    passes (core.app.freeze_startup_objects): routes, models and schemas are not walked again."""
    import gc

    from core.app import freeze_startup_objects

    assert client.get("/livez").status_code == 200  # the lifespan has run
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    freeze_startup_objects()  # once per process: a later app does not freeze again
    assert gc.get_freeze_count() == frozen


def test_the_threadpool_size_is_the_setting(session_factory) -> None:
    """ECR_THREADPOOL_SIZE sets how many sync endpoints one process runs at once (anyio's
    limiter of the loop that serves the requests), and more requests than that wait for a thread
    instead of failing."""
    import threading
    import time

    import anyio.to_thread
    from fastapi.testclient import TestClient

    from core.app import create_app
    from core.settings import get_settings

    app = create_app(get_settings().model_copy(update={"threadpool_size": 3}), session_factory,
                     start_worker=False)
    running, most = [0], [0]
    lock = threading.Lock()

    @app.get("/test-threads")
    async def threads() -> int:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    @app.get("/test-busy")
    def busy() -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return 1

    with TestClient(app) as client:
        assert client.get("/test-threads").json() == 3

        async def many() -> list[int]:
            import asyncio

            import httpx

            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
                return [r.status_code for r in await asyncio.gather(*(ac.get("/test-busy") for _ in range(8)))]

        codes = client.portal.call(many)
    assert codes == [200] * 8
    assert most[0] == 3
