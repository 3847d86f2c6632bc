"""How domain packages plug into the app without core importing them.

Each module named in ``ECR_MODULES`` exposes ``register(registry)`` and adds its routers,
workflows, meeting kinds and startup hooks here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import datetime as dt

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session

PeriodicJob = Callable[[Session, dt.date], int]
PERIODIC_JOBS: dict[str, PeriodicJob] = {}
# Contract documents a module publishes in openapi/ beside the OpenAPI schema (file name ->
# a function giving its text), written by `ecr openapi` and checked by `ecr openapi --check`.
CONTRACT_DOCUMENTS: dict[str, Callable[[], str]] = {}


@dataclass
class AppRegistry:
    app: FastAPI
    api_routers: list[APIRouter] = field(default_factory=list)
    root_routers: list[APIRouter] = field(default_factory=list)
    startup: list[Callable[[FastAPI], None]] = field(default_factory=list)

    def add_periodic_job(self, name: str, job: "PeriodicJob") -> None:
        """A job the worker runs every pass (e.g. agency reminders): job(session, today)."""
        PERIODIC_JOBS[name] = job

    def add_contract_document(self, name: str, render: Callable[[], str]) -> None:
        """A document of the API's contract (e.g. an export's JSON Schema), kept in openapi/."""
        CONTRACT_DOCUMENTS[name] = render

    def add_api_router(self, router: APIRouter) -> None:
        """Mounted under /api/v1."""
        self.api_routers.append(router)

    def add_root_router(self, router: APIRouter) -> None:
        """Mounted at the root (server-rendered pages)."""
        self.root_routers.append(router)
