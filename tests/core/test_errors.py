from __future__ import annotations

from fastapi.testclient import TestClient

from core.db.session import SessionDep  # module level: string annotations resolve here

PROBLEM = "application/problem+json"


def _problem(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["code"] == code and body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def test_unknown_route_is_problem_404(client: TestClient) -> None:
    _problem(client.get("/api/v1/nope"), 404, "not_found")


def test_wrong_method_is_problem_405(client: TestClient) -> None:
    _problem(client.delete("/livez"), 405, "method_not_allowed")


def test_malformed_json_is_422_naming_body(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    r = client.post("/api/v1/users", content=b"{not json", headers={**admin.headers, "Content-Type": "application/json"})
    body = _problem(r, 422, "validation_error")
    assert body["errors"][0]["loc"][0] == "body"


def test_validation_error_names_field(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    r = client.post("/api/v1/users", json={"email": "not-an-email", "name": "X"}, headers=admin.headers)
    body = _problem(r, 422, "validation_error")
    assert ["body", "email"] in [e["loc"] for e in body["errors"]]


def test_unexpected_error_is_500_with_request_id_and_no_trace() -> None:
    from fastapi import APIRouter, Depends

    from core.app import create_app
    from core.auth.deps import public
    from core.settings import get_settings

    app = create_app(get_settings(), start_worker=False)
    router = APIRouter()

    @router.get("/_boom", dependencies=[Depends(public)])
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM children")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/_boom")
    body = _problem(r, 500, "internal_error")
    assert body["request_id"]
    assert "SELECT" not in r.text and "Traceback" not in r.text


def test_commit_happens_before_the_response_is_sent(session_factory) -> None:
    """A failure at commit time must turn into an error response, never a 2xx."""
    from fastapi import APIRouter, Depends
    from fastapi.testclient import TestClient

    from core.app import create_app
    from core.auth.deps import public
    from core.auth.models import User
    from core.settings import get_settings

    app = create_app(get_settings(), session_factory, start_worker=False)
    router = APIRouter()

    @router.post("/_dup", status_code=201, dependencies=[Depends(public)])
    def dup(session: SessionDep) -> dict:
        # Two users with one email: the unique constraint fails only at commit (autoflush).
        session.add(User(email="same@example.test", name="A", roles=[], is_active=True))
        session.add(User(email="same@example.test", name="B", roles=[], is_active=True))
        return {"ok": True}

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/_dup")
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "conflict"


def test_out_of_range_ids_are_4xx_never_500(client: TestClient, make_user) -> None:
    """Ids beyond a 32-bit column (PostgreSQL) or a 64-bit integer (SQLite) are bad input."""
    user = make_user("business_unit", "cdop_coordinator", "admin")
    for big in (2**31 + 5, 2**63 + 5, 10**30):
        for path in (f"/api/v1/case-reviews/{big}", f"/api/v1/child-deaths/{big}",
                     f"/api/v1/users/{big}", f"/api/v1/meetings/{big}"):
            r = client.get(path, headers=user.headers)
            assert 400 <= r.status_code < 500, (path, r.status_code, r.text)


def test_405_names_every_method_of_the_path(client) -> None:
    """Allow lists what the path serves, not only the methods of the first route that matched it."""
    for path, allowed in (("/api/v1/meetings", "GET, POST"), ("/api/v1/users", "GET, POST"),
                          ("/api/v1/users/1", "GET, PATCH")):
        r = client.request("OPTIONS", path)
        assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
        assert r.headers["allow"] == allowed
