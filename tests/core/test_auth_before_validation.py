"""Authentication and the route's permission come first: a 401 or 403 answers before a 422 for
the request's parameters or body, so an unauthorised caller learns nothing about what a valid
request looks like. The principal is a plain dependency, read in the request's session."""

from fastapi.testclient import TestClient

BAD_BODY = {"kind": 5, "scheduled_for": "not a date"}


def test_the_endpoint_gets_the_real_principal(client: TestClient, make_user) -> None:
    bu = make_user("business_unit")
    r = client.post("/api/v1/meetings", json=BAD_BODY, headers=bu.headers)
    assert r.status_code == 422  # a permitted principal reached the body's checks
    r = client.get("/api/v1/me", headers=bu.headers)
    assert r.status_code == 200 and r.json()["id"] == bu.id


def test_a_role_lacking_the_permission_is_403_before_a_bad_body(client: TestClient, make_user) -> None:
    chair = make_user("crg_chair")  # reads meetings, cannot create them
    r = client.post("/api/v1/meetings", json=BAD_BODY, headers=chair.headers)
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"


def test_a_role_lacking_the_permission_is_403_before_a_bad_parameter(client: TestClient, make_user) -> None:
    author = make_user("agency_author")  # holds no meeting permission
    r = client.get("/api/v1/meetings?limit=0", headers=author.headers)
    assert r.status_code == 403, r.text
    r = client.get("/api/v1/meetings/not-a-number", headers=author.headers)
    assert r.status_code == 403, r.text


def test_a_deactivated_user_is_401_at_once_and_before_a_bad_body(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    user = make_user("business_unit")
    assert client.get("/api/v1/meetings", headers=user.headers).status_code == 200
    r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers)
    assert r.status_code == 200
    r = client.post("/api/v1/meetings", json=BAD_BODY, headers=user.headers)
    assert r.status_code == 401, r.text
    assert r.json()["code"] == "unauthorized"
    assert client.get("/api/v1/meetings", headers=user.headers).status_code == 401


def test_a_changed_role_takes_effect_at_once(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    user = make_user("business_unit")
    assert client.get("/api/v1/meetings", headers=user.headers).status_code == 200
    r = client.patch(f"/api/v1/users/{user.id}", json={"roles": ["agency_author"]}, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/meetings", headers=user.headers).status_code == 403


def test_a_bad_token_is_401_before_a_bad_parameter(client: TestClient) -> None:
    r = client.get("/api/v1/meetings?limit=0", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401, r.text
    r = client.get("/api/v1/meetings?limit=0")
    assert r.status_code == 401, r.text
    r = client.get("/api/v1/meetings", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401, r.text


def test_a_permitted_user_with_a_bad_body_gets_the_422(client: TestClient, make_user) -> None:
    bu = make_user("business_unit")
    r = client.post("/api/v1/meetings", json=BAD_BODY, headers=bu.headers)
    assert r.status_code == 422, r.text
    assert {tuple(e["loc"][:2]) for e in r.json()["errors"]} >= {("body", "kind"), ("body", "scheduled_for")}
