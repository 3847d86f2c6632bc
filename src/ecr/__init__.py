"""Domain module ecr: registered into the app by core.app.create_app (ECR_MODULES)."""

from __future__ import annotations

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
