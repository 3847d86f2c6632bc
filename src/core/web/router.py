"""Pages of core.web itself: the start page and the privacy summary."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from core.auth.deps import public

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])


@router.get("/notify", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    from core.web import START_LINKS, core_pages

    return core_pages.render(request, "web/start.html", {"links": START_LINKS})


@router.get("/notify/privacy", response_class=HTMLResponse)
def privacy_page(request: Request) -> HTMLResponse:
    from core.web import core_pages

    return core_pages.render(request, "web/privacy.html")
