"""Rows aggregated by the database into one JSON text, read back with their column types.

Lets one statement bring a record with its collections (e.g. a child death with its holds and
reporting forms) on SQLite and PostgreSQL alike. Used by both domains' repositories.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from pydantic_core import from_json
from sqlalchemy import JSON, ColumnElement, Date, Text, cast, func, select

from core.db.base import UTCDateTime


def json_rows_text(postgresql: bool, columns: Sequence[Any], *conditions: ColumnElement[bool]) -> Any:
    """A scalar subquery: ``columns`` of the rows matching ``conditions`` as the JSON text of an
    array of arrays (NULL or ``[]`` for none; in no particular order)."""
    if postgresql:
        agg = func.json_agg(func.json_build_array(*columns))
    else:  # SQLite stores JSON columns as text: json() embeds them as JSON, not as strings
        agg = func.json_group_array(func.json_array(*[func.json(c) if isinstance(c.type, JSON) else c
                                                      for c in columns]))
    return select(cast(agg, Text)).where(*conditions).scalar_subquery()


def utc_from_iso(value: str) -> dt.datetime:
    """A time as JSON built by the database carries it (PostgreSQL: ISO with an offset; SQLite:
    the stored naive UTC text) as the aware UTC datetime ``UTCDateTime`` gives."""
    t = dt.datetime.fromisoformat(value)
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


class JsonRows:
    """Rows of ``columns`` aggregated by the database into one JSON text (an array of arrays),
    read back as named tuples with the values the columns would have given: dates, aware UTC
    times, parsed JSON columns."""

    def __init__(self, name: str, columns: Sequence[Any]) -> None:
        self.columns = tuple(columns)
        self.row = namedtuple(name, [c.name for c in columns])  # type: ignore[misc]
        self._convert = [
            dt.date.fromisoformat if isinstance(c.type, Date)
            else utc_from_iso if isinstance(c.type, UTCDateTime) else None
            for c in columns
        ]

    def aggregate(self, postgresql: bool, *conditions: ColumnElement[bool]) -> Any:
        """A scalar subquery: the JSON text of the rows matching ``conditions`` (NULL or ``[]``
        for none; in no particular order)."""
        return json_rows_text(postgresql, self.columns, *conditions)

    def parse(self, text: str | None) -> list[Any]:
        """The rows, ordered by their first column (the id)."""
        if not text:
            return []
        convert = self._convert
        rows = [self.row(*[v if f is None or v is None else f(v) for f, v in zip(convert, values, strict=True)])
                for values in from_json(text)]
        rows.sort(key=itemgetter(0))
        return rows
