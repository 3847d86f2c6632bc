"""A form page's hidden submission id used as its Idempotency-Key: a double click or a resent
form creates nothing new, exactly as a replayed API POST does."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from core.idempotency.service import Idempotency

SUBMISSION_ID = "submission_id"
_SUBMISSION_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def submission_id(form: Any) -> str | None:
    value = form.get(SUBMISSION_ID)
    return value if isinstance(value, str) and _SUBMISSION_RE.fullmatch(value) else None


def new_submission_id() -> str:
    return secrets.token_urlsafe(24)


def create_once(request: Request, session: Session, body: BaseModel, key: str | None,
                create: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``create`` in a savepoint (a refusal leaves nothing behind) unless this submission
    was already stored; returns the receipt (the API's 201 body)."""
    idem = Idempotency(request, session)
    idem.key = key
    if key is not None:
        try:
            replay = idem.replay(body)
        except ValidationFailed:
            idem.key = None  # the same page sent again with other answers: a new notification
            replay = None
        if replay is not None:
            return dict(json.loads(bytes(replay.body)))
    with session.begin_nested():
        receipt = create()
    idem.remember(201, receipt)
    return receipt
