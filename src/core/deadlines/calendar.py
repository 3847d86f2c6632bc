"""Working days exclude weekends and England and Wales bank holidays (the `holidays` package)."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache
from typing import Literal

import holidays

Unit = Literal["working_days", "calendar_days", "months"]


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


@lru_cache(maxsize=4096)
def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (the start day itself is not counted).
    Cached: every notification received on a day asks for the same dates."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def add_months(start: dt.date, months: int) -> dt.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_date(start: dt.date, amount: int, unit: Unit) -> dt.date:
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "calendar_days":
        return start + dt.timedelta(days=amount)
    if unit == "months":
        return add_months(start, amount)
    raise ValueError(f"unknown unit {unit}")
