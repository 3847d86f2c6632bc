"""When something owed by a date is reminded: one rule for every domain's reminders.

A row owed by ``due_on`` (an agency request awaited, an action of a review open) is reminded
once when it falls due within ``REMIND_BEFORE_DAYS`` (never reminded before), and, once past its
due date, again every ``REMIND_EVERY_DAYS_WHEN_OVERDUE`` days. The condition is SQL on the
row's own columns (``due_on``, ``reminders_sent``, ``last_reminder_at``), so a daily job finds
its rows with one indexed query and a second run on the same day finds nothing again: a
reminder is sent once per period, never twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, or_

REMIND_BEFORE_DAYS = 3
REMIND_EVERY_DAYS_WHEN_OVERDUE = 7


def reminder_due(due_on: Any, reminders_sent: Any, last_reminder_at: Any, today: dt.date) -> ColumnElement[bool]:
    """Due within REMIND_BEFORE_DAYS and never reminded, or overdue and not reminded in the last
    REMIND_EVERY_DAYS_WHEN_OVERDUE days (the columns of the caller's table)."""
    soon = today + dt.timedelta(days=REMIND_BEFORE_DAYS)
    stale = dt.datetime.combine(today - dt.timedelta(days=REMIND_EVERY_DAYS_WHEN_OVERDUE), dt.time(), dt.UTC)
    return or_(
        (due_on >= today) & (due_on <= soon) & (reminders_sent == 0),
        (due_on < today) & (last_reminder_at.is_(None) | (last_reminder_at < stale)),
    )
