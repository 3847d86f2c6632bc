"""Prometheus metrics observed in the request middleware, labelled by route template.

The route template comes from ``scope["route"]``, which the router sets when it matches, so no
second route lookup is made per request (prometheus-fastapi-instrumentator matched every
request against every route again, before the app, to find its label).
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("core.metrics")
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


AUDIT_UNSEALED = Gauge(
    "ecr_audit_unsealed_events", "Audit events recorded but not yet chained by the sealer (the worker).")
AUDIT_UNSEALED_AGE = Gauge(
    "ecr_audit_oldest_unsealed_age_seconds",
    "Age of the oldest audit event waiting for the sealer; growing means no worker is sealing.")


def _observe_audit_backlog(request: Request) -> None:
    """Read at scrape time (the partial index on unsealed events makes it cheap). A database
    that cannot be reached leaves the gauges as they were: /readyz reports that."""
    from core.audit.service import unsealed
    from core.db.session import session_factory

    try:
        with session_factory(request)() as session:
            count, oldest = unsealed(session)
    except Exception:  # noqa: BLE001 - metrics must answer even when the database does not
        log.warning("could not read the audit sealing backlog for /metrics")
        return
    AUDIT_UNSEALED.set(count)
    AUDIT_UNSEALED_AGE.set(0 if oldest is None else max(0.0, (dt.datetime.now(dt.UTC) - oldest).total_seconds()))


def metrics_endpoint(request: Request) -> Response:
    _observe_audit_backlog(request)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
