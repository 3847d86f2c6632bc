"""Jinja2 rendering for the public pages: layout, board settings, CSRF cookie, reading forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from core.web.forms import BoundForm, Field, Fieldset, Repeat
from core.web.security import CSRF_FIELD, HONEYPOT_FIELD, apply_cookies, csrf_token

WEB_DIR = Path(__file__).parent
CORE_TEMPLATES = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
MAX_FORM_FIELDS = 300


@dataclass(frozen=True)
class Board:
    name: str
    logo_text: str
    privacy_notice_url: str
    contact_email: str


def board_for(request: Request) -> Board:
    s = request.app.state.settings
    return Board(name=s.board_name, logo_text=s.board_logo_text,
                 privacy_notice_url=s.privacy_notice_url, contact_email=s.contact_email)


class PageRenderer:
    """Templates from the given folders first, then the shared layout of core.web."""

    def __init__(self, *template_dirs: str | Path) -> None:
        loaders = [FileSystemLoader(str(d)) for d in template_dirs] + [FileSystemLoader(str(CORE_TEMPLATES))]
        self.env = Environment(loader=ChoiceLoader(loaders), autoescape=True, trim_blocks=True,
                               lstrip_blocks=True, undefined=StrictUndefined)
        self.env.globals.update(CSRF_FIELD=CSRF_FIELD, HONEYPOT_FIELD=HONEYPOT_FIELD)
        self.env.tests.update(repeat=lambda x: isinstance(x, Repeat), field=lambda x: isinstance(x, Field),
                              fieldset=lambda x: isinstance(x, Fieldset))

    def render(self, request: Request, template: str, context: Mapping[str, Any] | None = None, *,
               status_code: int = 200, headers: Mapping[str, str] | None = None) -> HTMLResponse:
        ctx: dict[str, Any] = {"form": None, "back_link": None, "robots": None}
        ctx.update(context or {})
        form = ctx.get("form")
        ctx.setdefault("has_errors", bool(isinstance(form, BoundForm) and form.has_errors))
        ctx.update(request=request, board=board_for(request), csrf_token=csrf_token(request),
                   path=request.url.path)
        html = self.env.get_template(template).render(ctx)
        response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
        apply_cookies(request, response)
        return response


core_pages = PageRenderer()


async def read_form(request: Request) -> FormData:
    """The posted form, within the public size limit (413 beyond it)."""
    limit = int(request.app.state.settings.max_public_body_bytes)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the form is larger than {limit} bytes")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise UnsupportedMediaType("send the form as application/x-www-form-urlencoded")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise PayloadTooLarge(f"the form is larger than {limit} bytes")
    request._body = bytes(body)  # noqa: SLF001  (Starlette's own cache: form() reads it)
    try:
        return await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    except Exception as exc:  # malformed multipart, too many fields
        raise BadRequest("the form could not be read") from exc
