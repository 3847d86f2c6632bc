"""The clock and the settings the module runs with (tests replace ``now``/``today``)."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar

from fastapi import Request

from core.db.base import utcnow
from core.settings import Settings, get_settings

_settings: ContextVar[Settings | None] = ContextVar("cdop_settings", default=None)


def now() -> dt.datetime:
    return utcnow()


def today() -> dt.date:
    return dt.date.today()


def settings() -> Settings:
    """The running app's settings when inside a request, else the process settings."""
    return _settings.get() or get_settings()


async def use_settings(request: Request) -> Settings:
    """A dependency (async, so the value reaches the endpoint's thread): makes the app's
    settings visible to workflow effects."""
    value: Settings = request.app.state.settings
    _settings.set(value)
    return value
