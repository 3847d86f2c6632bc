"""Server-rendered public pages: layout, CSS, CSRF, honeypot, form errors, static files.

Domain modules build their pages with :class:`PageRenderer` (their templates first, then the
shared layout ``web/base.html`` and macros ``web/macros.html``), declare forms with
:class:`FormSpec`, read posts with the :data:`CheckedForm` dependency (size limit + CSRF) and
call the same schemas and services as the API. ``install_web(app)`` (called by create_app)
serves ``/static``, the start page ``/notify``, the HTML error pages for page paths and the
staff app's build at ``/app/`` (core.web.spa, ECR_WEB_DIST).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.staticfiles import StaticFiles

from core.web.forms import BoundForm, Field, Fieldset, FormSpec, ParsedForm, Repeat
from core.web.notification import NotificationPage
from core.web.security import honeypot_triggered, read_signed_cookie, set_signed_cookie, verify_csrf
from core.web.templating import STATIC_DIR, PageRenderer, core_pages, read_form

__all__ = [
    "BoundForm", "CheckedForm", "Field", "Fieldset", "FormSpec", "NotificationPage", "PageRenderer", "ParsedForm",
    "Repeat", "StartLink", "add_start_link", "checked_form", "core_pages", "honeypot_triggered",
    "install_web", "read_signed_cookie", "set_signed_cookie",
]


@dataclass(frozen=True)
class StartLink:
    href: str
    title: str
    description: str


START_LINKS: list[StartLink] = []


def add_start_link(href: str, title: str, description: str) -> None:
    """A form listed on the start page /notify (called by the domain modules' pages)."""
    if not any(link.href == href for link in START_LINKS):
        START_LINKS.append(StartLink(href, title, description))


async def checked_form(request: Request) -> FormData:
    """The posted form: within the public size limit and with a valid CSRF token."""
    form = await read_form(request)
    verify_csrf(request, form)
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def install_web(app: FastAPI) -> None:
    from core.web.errors import install_page_errors
    from core.web.router import router
    from core.web.spa import install_staff_app

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_staff_app(app, app.state.settings.web_dist)
    install_page_errors(app)
