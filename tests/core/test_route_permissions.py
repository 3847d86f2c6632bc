"""Deny by default: every route declares a permission or is explicitly public."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from core.routes import iter_routes

# Routes outside the API that FastAPI/instrumentation add themselves (no data).
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/metrics"}
# The staff app's build (core.web.spa): files with no data, like /static; the app reads
# everything through the API, whose routes are checked here.
STAFF_APP_ROUTES = {"/app", "/app/{path:path}"}


def _markers(dependant) -> set[str]:
    found: set[str] = set()
    for dep in dependant.dependencies:
        call = dep.call
        if getattr(call, "__public__", False):
            found.add("public")
        perm = getattr(call, "__permission__", None)
        if perm:
            found.add(perm)
        found |= _markers(dep)
    return found


def test_every_route_declares_permission_or_public(app: FastAPI) -> None:
    missing = []
    for path, route in iter_routes(app.routes):
        if path in FRAMEWORK_ROUTES or path.startswith("/static"):
            continue
        if path in STAFF_APP_ROUTES and not isinstance(route, APIRoute):
            continue
        if not isinstance(route, APIRoute):
            missing.append(f"{path} (not an APIRoute)")
            continue
        if not _markers(route.dependant):
            missing.append(f"{sorted(route.methods)} {path}")
    assert not missing, "routes without a permission or public marker:\n" + "\n".join(missing)


def test_public_routes_are_the_expected_ones(app: FastAPI) -> None:
    public = sorted(
        path for path, r in iter_routes(app.routes)
        if isinstance(r, APIRoute) and "public" in _markers(r.dependant)
    )
    assert "/livez" in public
    for path in public:
        assert path in {"/livez", "/readyz", "/api/v1/auth/token", "/api/v1/auth/session", "/api/v1/auth/options",
                        "/api/v1/auth/oidc/login", "/api/v1/auth/oidc/callback"} or path.startswith(
            ("/api/v1/public/", "/notify", "/forms/")
        ), f"unexpected public route {path}"
