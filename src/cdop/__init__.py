"""Domain module cdop (child death review): registered into the app by core.app.create_app
(ECR_MODULES). Never imports ``ecr``: the referral to case review goes through core.interop."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.registry import AppRegistry


def register(registry: "AppRegistry") -> None:
    from core import interop
    from core.meetings import MeetingKind, register_meeting_kind
    from cdop import models  # noqa: F401  (tables on Base.metadata)
    from cdop import ncmd, pages, repository, service, workflow
    from cdop.domain import MEETING_KIND, SUBJECT
    from cdop.public import router as public_router
    from cdop.router import router

    from cdop.config import get_config

    get_config()  # the module's settings are checked at start: a bad ECR_CDOP_AREAS stops it here
    workflow.register()
    register_meeting_kind(MeetingKind(
        kind=MEETING_KIND,
        subject_type=SUBJECT,
        manager_roles=frozenset({"cdop_coordinator"}),
        reader_roles=frozenset({"cdop_coordinator", "cdop_chair"}),
        # a panel member reads the anonymised papers, not the agenda lines or the minutes
        member_roles=frozenset(),
        # the coordinator chooses a panel's members among the CDOP roles (ids, names, these roles)
        candidate_roles=frozenset({"cdop_panel_member", "cdop_chair", "cdop_coordinator"}),
        describe=repository.agenda_lines,
        can_add=service.can_add_to_agenda,
        on_agenda_remove=service.remove_from_agenda,
    ))
    interop.provide("child_death.status", service.status_for_interop)
    registry.add_periodic_job("cdop.reporting_form_reminders", service.reminder_job)
    registry.add_periodic_job("cdop.action_reminders", service.action_reminder_job)
    registry.add_periodic_job("cdop.hold_overdue_emails", service.hold_overdue_job)
    registry.add_contract_document(ncmd.SCHEMA_FILE.removeprefix("openapi/"), ncmd.schema_text)
    registry.add_api_router(public_router)
    registry.add_api_router(router)
    registry.add_root_router(pages.router)
