"""Domain module cdop (child death review): registered into the app by core.app.create_app
(ECR_MODULES). Never imports ``ecr``: the referral to case review goes through core.interop."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.registry import AppRegistry


def register(registry: "AppRegistry") -> None:
    from core import interop
    from cdop import models  # noqa: F401  (tables on Base.metadata)
    from cdop import forms, papers, service, workflow
    from cdop.public import router as public_router
    from cdop.router import router

    workflow.register()
    papers.register()
    interop.provide("child_death.status", service.status_for_interop)
    registry.add_periodic_job("cdop.reporting_form_reminders", forms.reminder_job)
    registry.add_api_router(public_router)
    registry.add_api_router(router)
    # Server-rendered public pages, owned by the pages work (optional).
    if importlib.util.find_spec("cdop.pages") is not None:
        pages = importlib.import_module("cdop.pages")
        if hasattr(pages, "register"):
            pages.register(registry)
        elif hasattr(pages, "router"):
            registry.add_root_router(pages.router)
