"""The staff app (``web/``, built by Vite into ``web/dist``) served by the service at ``/app/``.

- ``/app`` redirects to ``/app/`` (the query string kept);
- ``/app/assets/...``: the bundles, named by their content's hash, cached for a year; a missing
  one is a plain 404, never the app's page (a page still open from an older build must fail on
  a missing bundle, not run HTML as a script);
- any other file of the build (a favicon, what Vite copies from ``web/public``): cached a day;
- every other path is an address of the app (``/app/case-reviews/123?status=x``; its router
  reads it): ``index.html``, never cached, so that a new build is picked up at the next load;
- no build: 503 with a one-line page saying how to build it.

The build is looked up on each request (a stat or two): a build made while the service runs is
served without a restart. Paths with ``..``, ``.`` or hidden segments (decoded, so ``%2e%2e``
too) are 404 before any file is touched. The Content-Security-Policy for ``/app`` (no inline
script) is set with the other security headers in core.http.middleware (``CSP_APP``).
The routes are not part of the API: they are left out of the OpenAPI document.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

PREFIX = "/app"
ASSETS_CACHE = "public, max-age=31536000, immutable"
FILE_CACHE = "public, max-age=86400"
PAGE_CACHE = "no-store"
NOT_BUILT = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Staff app not built</title></head>\n'
    "<body><p>The staff app has not been built. Run make run.</p></body></html>\n"
)
# Not left to the platform's mime.types (a slim image has none): with `nosniff` a script or a
# style sheet served under the wrong type is refused by the browser.
MEDIA_TYPES = {
    ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".html": "text/html",
    ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml",
    ".png": "image/png", ".ico": "image/x-icon", ".woff2": "font/woff2", ".woff": "font/woff",
    ".txt": "text/plain", ".webmanifest": "application/manifest+json",
}


def install_staff_app(app: FastAPI, dist: Path | None) -> None:
    """Serve the build in ``dist`` at /app/ (``None``: /app/ is not served)."""
    if dist is None:
        return
    site = StaffApp(dist)
    app.router.routes.append(_Route(PREFIX, site.redirect, methods=["GET"], include_in_schema=False))
    app.router.routes.append(_Route(PREFIX + "/{path:path}", site.serve, methods=["GET"], include_in_schema=False))


class _Route(Route):
    """A route that names itself in the scope as FastAPI's do: the request metrics and the access
    log label its requests with its template instead of "unmatched"."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match != Match.NONE:
            child_scope["route"] = self
        return match, child_scope


class StaffApp:
    def __init__(self, dist: Path) -> None:
        # Resolved on each request, not here: a symbolic link swapped to a new build is followed.
        self.dist = Path(dist).absolute()

    async def redirect(self, request: Request) -> Response:
        query = request.url.query
        return RedirectResponse(PREFIX + "/" + (f"?{query}" if query else ""), status_code=308)

    async def serve(self, request: Request) -> Response:
        parts = safe_parts(request.path_params["path"])
        if parts is None:
            return _not_found()
        index = self.dist / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": PAGE_CACHE})
        if parts[:1] == ("assets",):
            found = self._find(parts)
            return _file(found, ASSETS_CACHE) if found else _not_found()
        if parts and parts != ("index.html",):
            found = self._find(parts)
            if found:
                return _file(found, FILE_CACHE)
        return _file(index, PAGE_CACHE)

    def _find(self, parts: tuple[str, ...]) -> Path | None:
        candidate = self.dist.joinpath(*parts)
        if not candidate.is_file():
            return None
        resolved = candidate.resolve()
        return resolved if resolved.is_relative_to(self.dist.resolve()) else None


def safe_parts(path: str) -> tuple[str, ...] | None:
    """The path's segments, or None when one could step outside the build or name a hidden file."""
    if "\\" in path or "\x00" in path:
        return None
    parts = tuple(part for part in path.split("/") if part)
    if any(part.startswith(".") for part in parts):  # "..", "." and hidden files
        return None
    return parts


def _file(path: Path, cache_control: str) -> Response:
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix.lower()),
                        headers={"Cache-Control": cache_control})


def _not_found() -> Response:
    return PlainTextResponse("Not found\n", status_code=404)
