"""Annotated types shared by the routers' request models and parameters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Strict

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _date_time_text(value: Any) -> Any:
    """A date-time is text in ISO 8601 (as ``format: date-time`` says), not a number of
    seconds since 1970, which pydantic would otherwise accept (also as a numeric string)."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        raise ValueError("expected a date-time such as 2027-02-03T10:00:00Z")
    return value


# A date-time with its offset (request bodies; strict models still take it as text).
AwareDateTimeText = Annotated[AwareDatetime, Strict(False), BeforeValidator(_date_time_text)]
# A date-time query parameter (no offset: taken as UTC by the route).
DateTimeText = Annotated[dt.datetime, BeforeValidator(_date_time_text)]
