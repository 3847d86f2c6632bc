"""Roles of API.md and the permission map. A person may hold several roles."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    business_unit = "business_unit"
    crg_member = "crg_member"
    crg_chair = "crg_chair"
    independent_chair = "independent_chair"
    agency_author = "agency_author"
    cdop_coordinator = "cdop_coordinator"
    cdop_chair = "cdop_chair"
    cdop_panel_member = "cdop_panel_member"
    admin = "admin"


ALL_ROLES = frozenset(r.value for r in Role)

# permission -> roles holding it. Object-level limits (crg_member sees only agenda cases,
# agency_author only assigned forms, cdop_panel_member only anonymised papers) are applied by
# each domain's repository "readable by" query on top of this.
PERMISSIONS: dict[str, frozenset[str]] = {
    "users:manage": frozenset({"admin"}),
    "audit:read": frozenset({"admin"}),
    "case_review:read": frozenset({"business_unit", "crg_chair", "independent_chair", "crg_member"}),
    "case_review:create": frozenset({"business_unit"}),
    "case_review:update": frozenset({"business_unit"}),
    "case_review:transition": frozenset({"business_unit", "crg_chair", "independent_chair"}),
    "case_review:manage_reviews": frozenset({"business_unit"}),
    "case_review:report": frozenset({"business_unit", "crg_chair", "independent_chair"}),
    "agency_report:submit": frozenset({"agency_author", "business_unit"}),
    "agency_report:read": frozenset(
        {"agency_author", "business_unit", "crg_chair", "independent_chair", "crg_member"}
    ),
    "child_death:read": frozenset({"cdop_coordinator", "cdop_chair"}),
    "child_death:create": frozenset({"cdop_coordinator"}),
    "child_death:update": frozenset({"cdop_coordinator"}),
    "child_death:transition": frozenset({"cdop_coordinator", "cdop_chair"}),
    "child_death:report": frozenset({"cdop_coordinator", "cdop_chair"}),
    # the national data export (NCMD): identifiable data, the coordinator only
    "child_death:export": frozenset({"cdop_coordinator"}),
    "reporting_form:manage": frozenset({"cdop_coordinator"}),
    "reporting_form:submit": frozenset({"agency_author", "cdop_coordinator"}),
    # the shipped form definitions (no case data): whoever reads or completes reporting forms
    "form_definition:read": frozenset({"agency_author", "cdop_coordinator", "cdop_chair"}),
    "meeting:manage": frozenset({"business_unit", "cdop_coordinator"}),
    "meeting:read": frozenset(
        {"business_unit", "crg_chair", "independent_chair", "crg_member",
         "cdop_coordinator", "cdop_chair", "cdop_panel_member"}
    ),
    "meeting:papers": frozenset({"cdop_panel_member", "cdop_coordinator", "cdop_chair"}),
    "outbox:read": frozenset({"admin", "business_unit", "cdop_coordinator"}),
}


def roles_with(permission: str) -> frozenset[str]:
    try:
        return PERMISSIONS[permission]
    except KeyError:  # a typo in a route must fail at import time, not grant access
        raise KeyError(f"unknown permission {permission!r}") from None


def has_permission(roles: frozenset[str] | set[str], permission: str) -> bool:
    return bool(roles_with(permission) & set(roles))
