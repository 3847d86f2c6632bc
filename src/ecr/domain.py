"""The vocabulary of case reviews (DOMAIN.md, API.md): names, codes and pure rules.

Imports no other module of ``ecr``: every layer may use it.
"""

from __future__ import annotations

import re
from typing import Any

SUBJECT = "case_review"
WORKFLOW_NAME = "case-review"

# the outcomes the CRG (or, for an SCR, the Independent Chair) can reach; codes are fixed,
# labels configurable (config.py)
DECISIONS = (
    "scr",
    "lcspr",
    "national_review",
    "management_review",
    "single_agency_review",
    "learning_event",
    "other_la_review",
    "nfa",
)
DEFAULT_DECISION_LABELS = {
    "scr": "Serious Case Review",
    "lcspr": "Local child safeguarding practice review",
    "national_review": "National review by the Child Safeguarding Practice Review Panel",
    "management_review": "Management review",
    "single_agency_review": "Single agency review",
    "learning_event": "Learning event",
    "other_la_review": "Review by another local authority",
    "nfa": "No further action",
}
# reviews the board runs itself, whose type may be corrected by PATCH
REVIEWS_RUN_LOCALLY = ("management_review", "single_agency_review", "learning_event")

CLOSED_STATES = ("closed", "withdrawn")
# states in which recommendations and their action plans are recorded
RECOMMENDATION_STATES = (
    "review_in_progress", "monitoring_other_la_review", "monitoring_national_review", "report_submitted", "report_approved",
    "publication_deferred", "published",
)
OPEN_ITEM_STATUSES = ("open", "in_progress")
ITEM_STATUSES = ("open", "in_progress", "completed", "carried_forward")

INCIDENT_TYPES = ("death", "serious_harm", "other")
SEXES = ("female", "male", "other", "unknown")
SOURCES = ("public", "staff", "cdop_referral")
PUBLIC_STAGES = ("received", "under_consideration", "decision_made", "closed")

# roles that read every case review; a crg_member reads the cases on agendas of its meetings
FULL_READERS = frozenset({"business_unit", "crg_chair", "independent_chair"})
MEETING_MEMBER_ROLE = "crg_member"
MEETING_KIND = "crg"

# agency reports: the core agency request kind, the sections of the form, who handles any
AGENCY_REPORT_KIND = "agency_report"
SECTIONS = ("chronology", "analysis", "learning", "recommendations")
AGENCY_REPORT_STAFF = frozenset({"business_unit"})

# deadline kinds (the rules with their lengths are the regime's, in workflow.py)
SCREENING = "screening"
DECISION = "decision"
SCR_COMPLETION = "scr_completion"
NATIONAL_PANEL_NOTICE = "national_panel_notice"  # the decision not to hold an SCR
NATIONAL_PANEL_NOT_PUBLISHED = "national_panel_not_published"  # the decision not to publish
PRE_PUBLICATION = "pre_publication"  # an SCR report to the national panel before publication
PUBLICATION_REVIEW = "publication_review"
# the statutory clocks of regime CSPR (API.md "Regime CSPR")
SERIOUS_INCIDENT_NOTIFICATION = "serious_incident_notification"  # 5 working days
RAPID_REVIEW = "rapid_review"  # 15 working days from the notification to the national panel
LCSPR_PUBLICATION = "lcspr_publication"  # published within 6 months of the commission
FINAL_REPORT = "final_report"  # sent at least 7 working days before publication
PANEL_TOLD_NOT_PUBLISHED = "panel_told_not_published"  # the decision not to publish told
DEADLINE_KINDS = (SCREENING, DECISION, SCR_COMPLETION, NATIONAL_PANEL_NOTICE,
                  NATIONAL_PANEL_NOT_PUBLISHED, PRE_PUBLICATION, PUBLICATION_REVIEW,
                  SERIOUS_INCIDENT_NOTIFICATION, RAPID_REVIEW, LCSPR_PUBLICATION, FINAL_REPORT,
                  PANEL_TOLD_NOT_PUBLISHED)
REGIME_CODES = ("WT2015", "CSPR")
# the recommendation of a rapid review (API.md)
RAPID_REVIEW_RECOMMENDATIONS = ("lcspr", "no_lcspr", "national_review_suggested")
# the serious incident criteria captured on screening (Working Together 2023, chapter 5)
SERIOUS_INCIDENT_CRITERIA = ("abuse_or_neglect_known_or_suspected", "child_died_or_seriously_harmed",
                             "looked_after_child", "death_in_custody_secure_setting_or_mha")
# what the annual report counts for each deadline (core.deadlines.deadline_outcome_case)
TIMELINESS_KEYS = ("met_on_time", "met_late", "missed", "waived", "open_overdue",
                   "open_not_yet_due")

REFERENCE_RE = re.compile(r"^CR-\d{4}-\d{4,6}$")


def is_scr(case: Any) -> bool:
    return getattr(case, "decision", None) == "scr"


def is_lcspr(case: Any) -> bool:
    return getattr(case, "decision", None) == "lcspr"


def is_statutory_review(case: Any) -> bool:
    """An SCR (WT2015) or an LCSPR (CSPR): signed off and published by the Independent Chair."""
    return getattr(case, "decision", None) in ("scr", "lcspr")


def needs_ofsted_and_secretary_of_state(case: Any) -> bool:
    """A looked-after child's death: Ofsted and the Secretary of State are told too (the local
    authority's duty, Working Together 2023), besides the national panel."""
    return bool(getattr(case, "looked_after_child", None)) and getattr(case, "incident_type", None) == "death"


# the staff app's page where an agency author finds the forms assigned to them (DESIGN.md
# "The staff app": stable addresses)
MY_FORMS_PATH = "/app/my-forms"
