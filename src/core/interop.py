"""Deliberate cross-module calls without cross-imports.

A domain *provides* a named operation at registration (e.g. ecr provides
``case_review.create_referral``); another domain *calls* it by name in the same transaction.
There is no foreign key between the modules' tables: each side stores the other's reference.
Every call is audited by the provider as an ordinary write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Provider = Callable[[Session, dict[str, Any]], dict[str, Any] | None]
_PROVIDERS: dict[str, Provider] = {}


class NotProvided(RuntimeError):
    """No enabled module provides this operation (e.g. ECR_MODULES excludes it)."""


def provide(name: str, fn: Provider) -> None:
    _PROVIDERS[name] = fn


def is_provided(name: str) -> bool:
    return name in _PROVIDERS


def call(session: Session, name: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    try:
        fn = _PROVIDERS[name]
    except KeyError:
        raise NotProvided(name) from None
    return fn(session, payload)
