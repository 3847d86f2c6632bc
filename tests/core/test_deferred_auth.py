"""The principal of a sync endpoint is looked up in the endpoint's own threadpool call
(core.auth.deps.DeferredAuthentication): one threadpool hop per request instead of two, with the
same answers as a lookup up front: 401 and 403 still come before a 422 for the request's
parameters or body, and an endpoint that would run without its check fails closed."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.cdop.helpers import notification

BAD_BODY = {"child": "not an object"}
NOTIFICATION = notification()


@pytest.fixture
def threadpool_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import anyio.to_thread

    calls: list[str] = []
    original = anyio.to_thread.run_sync

    async def counting(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(getattr(func, "__name__", repr(func)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return calls


def test_an_authenticated_sync_request_takes_one_threadpool_call(client: TestClient, make_user,
                                                                  threadpool_calls: list[str]) -> None:
    coordinator = make_user("cdop_coordinator")
    case = client.post("/api/v1/child-deaths", json=NOTIFICATION, headers=coordinator.headers)
    assert case.status_code == 201, case.text
    for path in ("/api/v1/child-deaths", "/api/v1/child-deaths/outstanding/summary",
                 f"/api/v1/child-deaths/{case.json()['id']}",
                 f"/api/v1/child-deaths/{case.json()['id']}/history"):
        threadpool_calls.clear()
        r = client.get(path, headers=coordinator.headers)
        assert r.status_code == 200, r.text
        assert len(threadpool_calls) == 1, threadpool_calls


def test_the_endpoint_gets_the_real_principal(client: TestClient, make_user) -> None:
    coordinator = make_user("cdop_coordinator", name="Test Deferred Coordinator")
    r = client.post("/api/v1/child-deaths", json={}, headers=coordinator.headers)
    assert r.status_code == 422  # a real principal reached the endpoint's checks
    r = client.get("/api/v1/child-deaths?limit=1", headers=coordinator.headers)
    assert r.status_code == 200


def test_a_role_lacking_the_permission_is_403_before_a_bad_body(client: TestClient, make_user) -> None:
    chair = make_user("cdop_chair")  # reads child deaths, cannot create them
    r = client.post("/api/v1/child-deaths", json=BAD_BODY, headers=chair.headers)
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"


def test_a_role_lacking_the_permission_is_403_before_a_bad_parameter(client: TestClient, make_user) -> None:
    panel = make_user("cdop_panel_member")
    r = client.get("/api/v1/child-deaths?limit=0", headers=panel.headers)
    assert r.status_code == 403, r.text
    r = client.get("/api/v1/child-deaths/not-a-number", headers=panel.headers)
    assert r.status_code == 403, r.text


def test_a_deactivated_user_is_401_before_a_bad_body(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    user = make_user("cdop_coordinator")
    r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers)
    assert r.status_code == 200
    r = client.post("/api/v1/child-deaths", json=BAD_BODY, headers=user.headers)
    assert r.status_code == 401, r.text
    assert r.json()["code"] == "unauthorized"


def test_a_bad_token_is_401_before_a_bad_parameter(client: TestClient) -> None:
    r = client.get("/api/v1/child-deaths?limit=0", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401, r.text
    r = client.get("/api/v1/child-deaths?limit=0")
    assert r.status_code == 401, r.text


def test_a_permitted_user_with_a_bad_body_gets_the_422(client: TestClient, make_user) -> None:
    coordinator = make_user("cdop_coordinator")
    r = client.post("/api/v1/child-deaths", json=BAD_BODY, headers=coordinator.headers)
    assert r.status_code == 422, r.text
    assert any(e["loc"][:2] == ["body", "child"] for e in r.json()["errors"])


def test_an_endpoint_that_would_run_without_its_check_fails_closed(session_factory, make_user) -> None:
    """If a deferred lookup is handed to an endpoint that does not run it (here an async one,
    wrongly registered as running in a threadpool call of its own), the request fails and what
    the endpoint wrote is rolled back."""
    from fastapi import Depends

    from core.app import create_app
    from core.auth.deps import require
    from core.db.session import SessionDep, runs_in_endpoint_thread
    from core.settings import get_settings

    app = create_app(get_settings(), session_factory, start_worker=False)

    @app.post("/api/v1/_deferred_probe", dependencies=[Depends(require("users:manage"))])
    async def probe(session: SessionDep) -> dict[str, str]:
        session.execute(text("UPDATE core_users SET name = 'Changed By Probe' WHERE email = :e"),
                        {"e": outsider.email})
        return {"ran": "without its check"}

    runs_in_endpoint_thread(app, probe)
    outsider = make_user("cdop_panel_member")  # not an admin
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/v1/_deferred_probe", headers=outsider.headers)
    assert r.status_code == 500 and "without its check" not in r.text
    with session_factory() as s:
        name = s.execute(text("SELECT name FROM core_users WHERE email = :e"), {"e": outsider.email}).scalar_one()
    assert name != "Changed By Probe"


def test_a_database_failure_while_settling_is_a_503(session_factory) -> None:
    """The lookup settled by an error handler meets a database that cannot answer: 503, as any
    request that meets it, not a 500."""
    from fastapi import Request
    from sqlalchemy.exc import OperationalError

    from core.app import create_app
    from core.settings import get_settings

    class Unreachable:
        done = False

        def __call__(self, kwargs):  # type: ignore[no-untyped-def]
            raise AssertionError("the endpoint never runs here")

        def settle(self) -> None:
            self.done = True
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    app = create_app(get_settings(), session_factory, start_worker=False)

    @app.get("/api/v1/_settle_probe")
    async def probe(request: Request, limit: int) -> dict[str, int]:
        return {"limit": limit}

    @app.middleware("http")
    async def pending_lookup(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.before_endpoint = Unreachable()
        return await call_next(request)

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/_settle_probe?limit=not-a-number")
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "unavailable"
