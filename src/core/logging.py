"""JSON logs through structlog, with the request id; never case content or tokens."""

from __future__ import annotations

import logging
import sys

import structlog

from core.context import current_request_meta

_SENSITIVE = {"authorization", "password", "token", "access_token", "status_token", "email", "name"}


def _add_request_meta(_logger: object, _method: str, event: dict) -> dict:
    meta = current_request_meta()
    if meta.get("request_id") and "request_id" not in event:
        event["request_id"] = meta["request_id"]
    return event


def _drop_sensitive(_logger: object, _method: str, event: dict) -> dict:
    for key in list(event):
        if key.lower() in _SENSITIVE:
            event[key] = "[redacted]"
    return event


def configure_logging(level: str = "INFO") -> None:
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_meta,
        _drop_sensitive,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name("ecr-json")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "ecr-json"]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn.access",):
        logging.getLogger(name).disabled = True  # our own access log carries the request id
