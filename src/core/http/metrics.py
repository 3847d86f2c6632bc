"""Prometheus metrics observed in the request middleware, labelled by route template.

The route template comes from ``scope["route"]``, which the router sets when it matches, so no
second route lookup is made per request (prometheus-fastapi-instrumentator matched every
request against every route again, before the app, to find its label).
"""

from __future__ import annotations

import weakref
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

EXCLUDED = frozenset({"/metrics", "/livez", "/readyz"})

REQUESTS = Counter(
    "http_requests_total", "HTTP requests by route template, method and status.",
    ("handler", "method", "status"),
)
DURATION = Histogram(
    "http_request_duration_seconds", "Time from the request's arrival to the end of its response.",
    ("handler", "method"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


_FULL_PATHS: weakref.WeakKeyDictionary[Any, dict[int, str]] = weakref.WeakKeyDictionary()
# app -> id(route) -> its template with the prefixes (an app's routes live as long as the app)


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's full template (``/api/v1/users/{user_id}``), else "unmatched".

    FastAPI >= 0.16x puts the innermost route in ``scope["route"]``, whose own ``path`` lacks the
    prefixes of the routers it was included through: the full template comes from a map built
    once per app by walking its routes (core.routes.iter_routes).
    """
    route = scope.get("route")
    if route is None:
        path = scope.get("path", "")
        return path if path in EXCLUDED else "unmatched"
    app = scope.get("app")
    paths = _FULL_PATHS.get(app) if app is not None else None
    if paths is None and app is not None:
        from core.routes import iter_routes

        paths = {id(r): full for full, r in iter_routes(getattr(app, "routes", []))}
        _FULL_PATHS[app] = paths
    return (paths or {}).get(id(route)) or getattr(route, "path", None) or "unmatched"


def observe(handler: str, method: str, status: int, seconds: float) -> None:
    if handler in EXCLUDED:
        return
    REQUESTS.labels(handler, method, str(status)).inc()
    DURATION.labels(handler, method).observe(seconds)


def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
