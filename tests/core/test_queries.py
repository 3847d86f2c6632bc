"""core.db.queries.like_contains: a LIKE pattern that matches the text literally."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal, select

from core.db.queries import like_contains


def test_pattern_is_lower_cased_escaped_and_wrapped() -> None:
    assert like_contains("Smith") == "%smith%"
    assert like_contains("50%_off\\") == "%50\\%\\_off\\\\%"


@pytest.mark.parametrize(
    ("haystack", "needle", "found"),
    [
        ("Jo Smith-Jones", "SMITH", True),
        ("100% sure", "0%", True),
        ("1000 sure", "0%", False),  # % is a literal percent sign, not a wildcard
        ("a_b", "a_b", True),
        ("axb", "a_b", False),  # _ is a literal underscore
        ("c:\\temp", "\\t", True),
        ("c:temp", "\\t", False),
    ],
)
def test_matches_literally_in_the_database(db, haystack: str, needle: str, found: bool) -> None:
    stmt = select(func.lower(literal(haystack)).like(like_contains(needle), escape="\\"))
    assert bool(db.scalar(stmt)) is found
