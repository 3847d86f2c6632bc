"""Per-request metadata (request id, client address) for logs and the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_meta: ContextVar[dict[str, Any] | None] = ContextVar("request_meta", default=None)


def set_request_meta(**values: Any) -> None:
    _meta.set(dict(values))


def current_request_meta() -> dict[str, Any]:
    return _meta.get() or {}
