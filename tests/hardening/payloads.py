"""Valid bodies for the two public notification endpoints (synthetic people only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

CASE_REVIEW_PATH = "/api/v1/public/case-review-notifications"
CHILD_DEATH_PATH = "/api/v1/public/child-death-notifications"


def case_review_body(*, first: str = "Zephyrine", last: str | None = None,
                     email: str | None = None) -> dict[str, Any]:
    today = dt.date.today()
    return {
        "notifier": {"name": "Hortensia Quillfeather", "agency": "Example Police",
                     "email": email or f"notifier-{uuid.uuid4().hex[:8]}@example.org"},
        "child": {"first_name": first, "last_name": last or f"Testchild{uuid.uuid4().hex[:6]}",
                  "date_of_birth": (today - dt.timedelta(days=3000)).isoformat()},
        "incident": {"date": (today - dt.timedelta(days=3)).isoformat(), "type": "serious_harm",
                     "description": "A synthetic incident used by the hardening tests."},
        "rationale": "Agencies may not have worked together well (synthetic).",
        "abuse_or_neglect_suspected": True,
        "agencies_involved": ["Example Police", "Example Health"],
    }


def child_death_body(*, first: str = "Quintessa", last: str | None = None,
                     email: str | None = None) -> dict[str, Any]:
    today = dt.date.today()
    return {
        "notifier": {"name": "Bartholomew Inkwell", "agency": "Example Hospital",
                     "email": email or f"notifier-{uuid.uuid4().hex[:8]}@example.org"},
        "child": {"first_name": first, "last_name": last or f"Testchild{uuid.uuid4().hex[:6]}",
                  "date_of_birth": (today - dt.timedelta(days=900)).isoformat()},
        "death": {"date": (today - dt.timedelta(days=2)).isoformat(), "place": "hospital",
                  "expected": False},
        "agencies": [{"name": "Example GP", "contact_email": "gp@example.org"}],
    }


PUBLIC_ENDPOINTS = {
    "case_review": (CASE_REVIEW_PATH, case_review_body),
    "child_death": (CHILD_DEATH_PATH, child_death_body),
}

TABLES = {"case_review": "ecr_case_reviews", "child_death": "cdop_child_deaths"}
