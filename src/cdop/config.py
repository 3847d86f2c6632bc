"""Settings of the child death review module (environment variables with the prefix ``ECR_``,
the names they always had), the clock, and the running app's settings for workflow effects.

Tests replace ``now``/``today`` (monkeypatch) to fix the clock.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from functools import lru_cache

from fastapi import Request
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cdop.domain import parse_areas
from core.db.base import utcnow
from core.settings import Settings, get_settings


class ChildDeathSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECR_", env_file=None, extra="ignore")

    # a reporting form is due this many working days after it is requested
    reporting_form_due_working_days: int = Field(default=15, ge=1, le=100)
    # a single-use reporting form link works for this many days
    reporting_form_link_days: int = Field(default=28, ge=1, le=365)
    # The clocks of the 2018 statutory guidance (cdop.clocks), local defaults:
    # ECR_CDOP_NOTIFICATION_DAYS: a death is notified within this many CALENDAR days of the
    # death (the guidance: "within 24 hours"). Calendar days, not working days: deaths happen
    # and are notified on every day of the week, and the duty to notify does not wait for a
    # weekend or a bank holiday to pass, so a death on a Friday notified on the Monday is late
    # (tests/cdop/test_clocks.py). Met on the day the notification was received.
    cdop_notification_days: int = Field(default=1, ge=0, le=14)
    # ECR_CDOP_CDRM_MONTHS: the child death review meeting is held within this many months of
    # the death (met on the day a ``cdrm`` was held).
    cdop_cdrm_months: int = Field(default=3, ge=1, le=24)
    # ECR_CDOP_PANEL_MONTHS: the panel reviews the death within this many months of it, plus
    # the days the case spent on hold (met when the panel's analysis is recorded).
    cdop_panel_months: int = Field(default=6, ge=1, le=36)
    # ECR_CDOP_AREAS: the local authorities the panel covers, comma-separated, e.g.
    # "Testshire, Exampleton City". Names are trimmed and matched case-insensitively; a name
    # given twice counts once; an empty entry ("A,,B") is refused. Empty: not configured (no
    # case is then said to be in or out of our area, and no transfer is suggested).
    cdop_areas: str = Field(default="", max_length=5000)
    # a death transferred out expects the home panel's outcome within this many months
    cdop_external_outcome_months: int = Field(default=6, ge=1, le=60)

    @field_validator("cdop_areas")
    @classmethod
    def _valid_areas(cls, value: str) -> str:
        return ", ".join(parse_areas(value))  # raises ValueError naming the problem

    @property
    def areas(self) -> tuple[str, ...]:
        """The panel's local authorities (``ECR_CDOP_AREAS``), in the order given."""
        return parse_areas(self.cdop_areas)


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
