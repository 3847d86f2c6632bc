"""Keyset pagination: opaque cursors carrying the last row's sort key."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from core.errors import ValidationFailed

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"  # what encode_cursor gives: base64url without padding

# The ``cursor`` query parameter of a list: the ``next_cursor`` of the page before.
CursorQuery = Annotated[str | None, Query(max_length=200, pattern=CURSOR_PATTERN,
                                          description="the next_cursor of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError
        return values
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed.field(["query", "cursor"], "invalid cursor") from None


MAX_INT_ID = 2**31 - 1  # Integer primary keys (PostgreSQL int4)
MAX_BIGINT_ID = 2**63 - 1


def decode_id_cursor(cursor: str, max_value: int = MAX_INT_ID) -> int:
    """A cursor holding one row id (the common case); anything else is a 422, never a 500."""
    (value,) = decode_cursor(cursor, 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= max_value:
        raise ValidationFailed.field(["query", "cursor"], "invalid cursor")
    return value
