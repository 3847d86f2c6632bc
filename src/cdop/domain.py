"""Fixed vocabularies and pure rules of child death review (no database, no HTTP)."""

from __future__ import annotations

import datetime as dt
import re

SUBJECT = "child_death"  # audit, history, agenda and agency request subject type
FORM_KIND = "reporting_form"  # core agency request kind
WORKFLOW_NAME = "child-death"
MEETING_KIND = "cdop_panel"

STATES = (
    "notified", "information_gathering", "on_hold", "ready_for_panel", "scheduled_for_panel",
    "reviewed", "closed", "withdrawn", "transferred_out",
)
TERMINAL_STATES = ("closed", "withdrawn", "transferred_out")
# the states in which reporting forms may still be requested
OPEN_FOR_FORMS = ("notified", "information_gathering", "on_hold", "ready_for_panel")
OUTSTANDING_EXCLUDED = TERMINAL_STATES

# roles that read every child death (DOMAIN.md, Roles); the rest read none
READER_ROLES = frozenset({"cdop_coordinator", "cdop_chair"})
COORDINATOR = "cdop_coordinator"

HOLD_REASONS = ("inquest", "criminal_proceedings", "case_review", "other")
MODIFIABLE = ("yes", "no", "insufficient_information")
HOLD_REASON_LABELS = {
    "inquest": "Inquest",
    "criminal_proceedings": "Criminal proceedings",
    "case_review": "Case review",
    "other": "Other",
}
MODIFIABLE_LABELS = {"yes": "Yes", "no": "No", "insufficient_information": "Insufficient information"}

# The panel's analysis (CDR statutory guidance 2018, the analysis form): factors in four
# domains, each factor and each domain scored 0 to 2. These words are the one source of the
# scores' meaning (the API's field descriptions, the workflow's labels, the export's schema).
ANALYSIS_DOMAINS = {
    "A": "Factors intrinsic to the child",
    "B": "Factors in the social environment, including family and parenting capacity",
    "C": "Factors in the physical environment",
    "D": "Factors in service provision",
}
SCORE_LABELS = {
    0: "Information not available",
    1: "No factors identified, or factors identified but unlikely to have contributed to the death",
    2: "Factors identified that may have contributed to the death",
}
SCORES_TEXT = "; ".join(f"{k} = {v.lower()}" for k, v in SCORE_LABELS.items())
# the actions agreed at the panel, tracked to completion (cdop_actions)
ACTION_STATUSES = ("open", "completed", "cancelled")


def action_deadline_kind(action_id: int) -> str:
    """The kind of an action's stored deadline (``core_deadlines``, subject the child death)."""
    return f"cdop_action:{action_id}"
SEXES = ("female", "male", "indeterminate", "not_known")
PLACES_OF_DEATH = ("hospital", "home", "hospice", "other_residence", "public_place", "abroad", "other")

# Category of death (CDOP analysis form).
CATEGORIES = {
    1: "Deliberately inflicted injury, abuse or neglect",
    2: "Suicide or deliberate self-inflicted harm",
    3: "Trauma and other external factors, including medical/surgical complications or error",
    4: "Malignancy",
    5: "Acute medical or surgical condition",
    6: "Chronic medical condition",
    7: "Chromosomal, genetic and congenital anomalies",
    8: "Perinatal/neonatal event",
    9: "Infection",
    10: "Sudden unexpected, unexplained death",
}

# The sections of a reporting form. Each is answered (free text) or marked "not known".
REPORTING_FORM_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("agency_involvement", "Agency involvement",
     "How and when your agency knew the child and family; services provided."),
    ("health", "Health",
     "Health of the child: conditions, treatment, development, immunisations."),
    ("family_and_environment", "Family and environment",
     "Household, housing, social circumstances and physical environment."),
    ("parenting_capacity", "Parenting capacity",
     "Care of the child: supervision, engagement with services, concerns."),
    ("service_provision", "Service provision",
     "Whether services were accessible and delivered as intended; any gaps."),
    ("other_information", "Other information",
     "Anything else the panel should know."),
)
SECTION_KEYS = tuple(k for k, _, _ in REPORTING_FORM_SECTIONS)

# Outstanding summary: time since death.
SINCE_DEATH_BANDS = ("0-3m", "3-6m", "6-12m", "12m+")
# Annual statistics: age at death.
AGE_BANDS = ("under_28_days", "28_364_days", "1_4_years", "5_9_years", "10_14_years", "15_17_years")

NHS_NOT_AVAILABLE = "not available"
NHS_NON_RESIDENT = "non-resident in England"
NHS_STATUSES = ("provided", "not_available", "non_resident_in_england", "not_given")
_NHS_SEPARATORS = re.compile(r"[ ]+")


def nhs_check_digit_ok(digits: str) -> bool:
    """Modulus 11: weights 10..2 on the first nine digits; 11 -> 0; 10 is never valid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def parse_nhs_number(value: str) -> tuple[str | None, str]:
    """``(digits or None, nhs_number_status)``; raises ValueError with a message for the user."""
    cleaned = value.strip()
    lowered = " ".join(cleaned.lower().split())
    if lowered == NHS_NOT_AVAILABLE:
        return None, "not_available"
    if lowered in (NHS_NON_RESIDENT.lower(), "non-resident in england", "non resident in england"):
        return None, "non_resident_in_england"
    digits = _NHS_SEPARATORS.sub("", cleaned)
    if not digits.isdigit() or len(digits) != 10:
        raise ValueError(
            "an NHS number is 10 digits (spaces allowed), or 'not available', or "
            "'non-resident in England'"
        )
    if not nhs_check_digit_ok(digits):
        raise ValueError("this is not a valid NHS number (the check digit does not match)")
    return digits, "provided"


def age_in_years(born: dt.date, on: dt.date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def age_in_months(born: dt.date, on: dt.date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    if on.day < born.day:
        months -= 1
    return months


def age_at_death(born: dt.date, died: dt.date) -> dict[str, object]:
    """For the panel: days if under 28 days, months if under 2 years, else years."""
    days = (died - born).days
    if days < 28:
        value, unit = days, "days"
    elif age_in_years(born, died) < 2:
        value, unit = age_in_months(born, died), "months"
    else:
        value, unit = age_in_years(born, died), "years"
    label = unit[:-1] if value == 1 else unit
    return {"value": value, "unit": unit, "text": f"{value} {label}"}


def age_band(days: int, years: int) -> str:
    """The annual statistics' age band."""
    if days < 28:
        return "under_28_days"
    if years < 1:
        return "28_364_days"
    if years < 5:
        return "1_4_years"
    if years < 10:
        return "5_9_years"
    if years < 15:
        return "10_14_years"
    return "15_17_years"


AGE_BAND_LABELS = {
    "under_28_days": "under 28 days",
    "28_364_days": "28 to 364 days",
    "1_4_years": "1 to 4 years",
    "5_9_years": "5 to 9 years",
    "10_14_years": "10 to 14 years",
    "15_17_years": "15 to 17 years",
}


# ---- responsibility and other areas (API.md "Responsibility and other areas") ----

EXTERNAL_OUTCOME_KIND = "external_outcome"  # the stored deadline of a death transferred out
AREA_MAX_LENGTH = 200


def area_key(name: str) -> str:
    """How two names of a local authority are compared: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def parse_areas(value: str) -> tuple[str, ...]:
    """The local authorities of ``ECR_CDOP_AREAS`` (comma-separated): each name trimmed (inner
    spaces collapsed), a name given again in any case counted once (the first spelling kept).
    Raises ValueError for an empty entry or a name over 200 characters. ``""``: none."""
    if not value.strip():
        return ()
    names: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(value.split(","), start=1):
        name = " ".join(raw.split())
        if not name:
            raise ValueError(f"entry {i} of the list of areas is empty (separate names with one comma)")
        if len(name) > AREA_MAX_LENGTH:
            raise ValueError(f"entry {i} of the list of areas is longer than {AREA_MAX_LENGTH} characters")
        if area_key(name) not in seen:
            seen.add(area_key(name))
            names.append(name)
    return tuple(names)


def responsible_area(local_authority: str | None, looked_after: bool | None,
                     looked_after_by: str | None) -> str | None:
    """The area whose panel reviews the death: where the child normally lived, or for a
    looked-after child the area looking after them. None when it is not known (no local
    authority recorded, or a looked-after child without the area looking after them)."""
    if looked_after:
        return looked_after_by.strip() if looked_after_by and looked_after_by.strip() else None
    return local_authority.strip() if local_authority and local_authority.strip() else None


def in_our_area(area: str | None, our_areas: tuple[str, ...]) -> bool | None:
    """Whether ``area`` is one the panel covers; None when either is not known (no areas
    configured, or no responsible area)."""
    if not our_areas or area is None:
        return None
    return area_key(area) in {area_key(a) for a in our_areas}
