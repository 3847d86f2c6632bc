"""Settings of the child death review module (environment variables with the prefix ``ECR_``,
the names they always had), the clock, and the running app's settings for workflow effects.

Tests replace ``now``/``today`` (monkeypatch) to fix the clock.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from functools import lru_cache

from fastapi import Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.db.base import utcnow
from core.settings import Settings, get_settings


class ChildDeathSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECR_", env_file=None, extra="ignore")

    # a reporting form is due this many working days after it is requested
    reporting_form_due_working_days: int = Field(default=15, ge=1, le=100)
    # a single-use reporting form link works for this many days
    reporting_form_link_days: int = Field(default=28, ge=1, le=365)


@lru_cache
def get_config() -> ChildDeathSettings:
    return ChildDeathSettings()


def now() -> dt.datetime:
    return utcnow()


def today() -> dt.date:
    return dt.date.today()


_settings: ContextVar[Settings | None] = ContextVar("cdop_settings", default=None)


def settings() -> Settings:
    """The running app's settings when inside a request, else the process settings."""
    return _settings.get() or get_settings()


async def use_settings(request: Request) -> Settings:
    """A dependency (async, so the value reaches the endpoint's thread): makes the app's
    settings visible to workflow effects."""
    value: Settings = request.app.state.settings
    _settings.set(value)
    return value
