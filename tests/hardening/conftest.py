"""Shared helpers for the hardening tests (issue #5): figures printed at the end of the run."""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator

import pytest

# Hypothesis (under schemathesis) keeps caches in ./.hypothesis: keep the work tree clean.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", tempfile.mkdtemp(prefix="ecr-hypothesis-"))

# name -> {figure: value}; printed by pytest_terminal_summary so the figures survive -q.
FIGURES: dict[str, dict[str, object]] = {}


def record_figures(name: str, **values: object) -> None:
    FIGURES.setdefault(name, {}).update(values)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if not FIGURES:
        return
    terminalreporter.section("hardening figures")
    for name, values in FIGURES.items():
        terminalreporter.write_line(f"{name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


REDIS_URL = os.environ.get("ECR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A reachable Redis (CI has one), or the test is skipped."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield REDIS_URL
    for key in client.scan_iter("ecr-ratelimit:*"):
        client.delete(key)
    client.close()


def random_ip(prefix: str = "198.51.100") -> str:
    """A documentation-range address nobody else in the run uses."""
    return f"{prefix}.{random.randint(1, 254)}"


def make_settings(**overrides: object):
    """Settings for an app built by a test (the session ones have a huge rate limit)."""
    from core.settings import Settings, get_settings

    base = get_settings()
    values: dict[str, object] = {
        "env": "test", "database_url": base.database_url, "secret_key": base.secret_key,
        "run_worker_in_process": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def make_probe_app(session_factory=None, **overrides: object):
    """The real app plus one public, rate-limited POST that touches nothing."""
    from fastapi import APIRouter, Depends

    from core.app import create_app
    from core.http.ratelimit import public_rate_limited

    app = create_app(make_settings(**overrides), session_factory, start_worker=False)
    router = APIRouter()

    @router.post("/api/v1/public/_probe", status_code=201, dependencies=[Depends(public_rate_limited)])
    def probe(body: dict) -> dict:
        return {"ok": True, "keys": len(body)}

    app.include_router(router)
    return app


@pytest.fixture
def committed_client(committed_db):
    """A TestClient on an app whose requests really commit (tables emptied afterwards)."""
    from fastapi.testclient import TestClient

    app = make_probe_app(committed_db, public_rate_limit="100000/minute")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def committed_user(factory, *roles: str, agency: str | None = None):
    """Like tests.conftest.make_user, but committed for real (for committed_db tests)."""
    import uuid

    from core.auth.models import User
    from core.auth.passwords import hash_password
    from core.auth.tokens import issue_access_token
    from core.settings import get_settings
    from tests.conftest import TestUser

    email = f"{'-'.join(roles) or 'nobody'}-{uuid.uuid4().hex[:8]}@example.test"
    with factory() as s:
        user = User(email=email, name="Hardening " + " ".join(roles), password_hash=hash_password("x" * 20),
                    roles=list(roles), agency=agency, is_active=True)
        s.add(user)
        s.commit()
        uid = user.id
    return TestUser(uid, email, user.name, list(roles), issue_access_token(get_settings(), str(uid)), "x" * 20)
