"""Walk every route of the app, including those of included routers.

FastAPI >= 0.16x keeps included routers as branches in ``app.routes``; older versions copy
their routes in. This yields ``(full_path, route)`` for both shapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def iter_routes(routes: list[Any]) -> Iterator[tuple[str, Any]]:
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):
            yield from _iter_candidates(candidates())
        else:
            yield getattr(route, "path", ""), route


def _iter_candidates(candidates: list[Any]) -> Iterator[tuple[str, Any]]:
    for c in candidates:
        nested = getattr(c, "effective_candidates", None)
        if callable(nested):
            yield from _iter_candidates(nested())
        else:
            yield c.path, c.original_route
