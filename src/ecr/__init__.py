"""Domain module ecr (case review): registered into the app by core.app.create_app
(ECR_MODULES). Never imports ``cdop``: referrals from it arrive through core.interop."""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.registry import AppRegistry


def register(registry: "AppRegistry") -> None:
    from ecr import interop, meetings, models, workflow  # noqa: F401  (tables on Base.metadata)
    from ecr.reviews import send_agency_report_reminders
    from ecr.router import public_router, router

    workflow.register()
    meetings.register()
    interop.register()
    registry.add_api_router(public_router)
    registry.add_api_router(router)
    registry.add_periodic_job("ecr.agency_report_reminders", send_agency_report_reminders)
    # Server-rendered public pages (the notification form, the status lookup), owned by the
    # pages work; optional so the API runs without them.
    if importlib.util.find_spec("ecr.pages") is not None:
        pages = importlib.import_module("ecr.pages")
        if hasattr(pages, "register"):
            pages.register(registry)
        elif hasattr(pages, "router"):
            registry.add_root_router(pages.router)
