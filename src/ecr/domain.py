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
    "management_review",
    "single_agency_review",
    "learning_event",
    "other_la_review",
    "nfa",
)
DEFAULT_DECISION_LABELS = {
    "scr": "Serious Case Review",
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
    "review_in_progress", "monitoring_other_la_review", "report_submitted", "report_approved",
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
DEADLINE_KINDS = (SCREENING, DECISION, SCR_COMPLETION, NATIONAL_PANEL_NOTICE,
                  NATIONAL_PANEL_NOT_PUBLISHED, PRE_PUBLICATION, PUBLICATION_REVIEW)
# what the annual report counts for each deadline (core.deadlines.deadline_outcome_case)
TIMELINESS_KEYS = ("met_on_time", "met_late", "missed", "waived", "open_overdue",
                   "open_not_yet_due")

REFERENCE_RE = re.compile(r"^CR-\d{4}-\d{4,6}$")


def is_scr(case: Any) -> bool:
    return getattr(case, "decision", None) == "scr"


# the staff app's page where an agency author finds the forms assigned to them (DESIGN.md
# "The staff app": stable addresses)
MY_FORMS_PATH = "/app/my-forms"
