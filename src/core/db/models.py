"""Import every model module so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib

from core.db.base import Base

CORE_MODEL_MODULES = (
    "core.auth.models",
    "core.audit.models",
    "core.workflow.models",
    "core.deadlines.models",
    "core.outbox.models",
    "core.meetings.models",
    "core.agency_requests.models",
    "core.idempotency.models",
    "core.references",
)


def load_all_models(domain_modules: list[str] | None = None):
    for name in CORE_MODEL_MODULES:
        importlib.import_module(name)
    if domain_modules is None:
        from core.settings import get_settings

        domain_modules = get_settings().modules
    for name in domain_modules:
        importlib.import_module(f"{name}.models")
    return Base.metadata
