"""Query helpers both domains use."""

from __future__ import annotations

LIKE_ESCAPE = "\\"


def like_contains(text: str) -> str:
    """A case-insensitive "contains" pattern for ``func.lower(column).like(pattern, escape="\\\\")``:
    lower-cased, with ``%``, ``_`` and the escape character itself escaped, wrapped in ``%``."""
    escaped = (text.lower().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"
