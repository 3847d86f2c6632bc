"""Domain module ecr (case review): registered into the app by core.app.create_app
(ECR_MODULES). Never imports ``cdop``: referrals from it arrive through core.interop.

The modules, from the top layer down: ``router``, ``public`` and ``pages`` (HTTP) →
``service`` (use cases; the only caller of the workflow engine and of the audit log) →
``workflow`` (the tables, guards and effects) → ``emails`` and ``views`` → ``repository`` and
``reports`` (queries) → ``models``; ``domain``, ``config`` and ``schemas`` stand outside the
layers and import none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.registry import AppRegistry


def register(registry: "AppRegistry") -> None:
    from core import interop
    from core.meetings import MeetingKind, register_meeting_kind
    from ecr import models, pages, public, router, service, workflow  # noqa: F401  (tables on Base.metadata)
    from ecr.domain import FULL_READERS, MEETING_KIND, MEETING_MEMBER_ROLE, SUBJECT

    workflow.register()
    register_meeting_kind(MeetingKind(
        kind=MEETING_KIND,
        subject_type=SUBJECT,
        manager_roles=frozenset({"business_unit"}),
        reader_roles=FULL_READERS,
        # a member of a CRG meeting sees its agenda lines and minutes only with a case review
        # role (DOMAIN.md, Roles): a cdop_panel_member on the list does not
        member_roles=frozenset({MEETING_MEMBER_ROLE}),
        describe=service.describe_for_meeting,
        can_add=service.can_add_to_meeting,
        standing_items=service.tracker,
        candidate_roles=frozenset({"crg_member", "crg_chair", "independent_chair"}),
    ))
    interop.provide("case_review.create_referral", service.create_referral)
    interop.provide("case_review.status", service.referral_status)
    registry.add_api_router(public.router)
    registry.add_api_router(router.router)
    registry.add_periodic_job("ecr.agency_report_reminders", service.send_agency_report_reminders)
    registry.add_root_router(pages.router)  # the public HTML pages
