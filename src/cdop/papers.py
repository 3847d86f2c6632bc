"""The CDOP panel meeting kind and its anonymised papers.

Panel members see, per case on the agenda: the CDOP reference, the age at death (days under 28
days, months under 2 years, else years), sex, whether the death was expected, the
coordinator's case summary and the agency reporting forms, with every known identifier
(child's names, NHS number, date of birth in common formats, address and its parts, the
notifier's name, email and phone) removed from the free text, case-insensitively. Never the
name, address, NHS number, exact date of birth or notifier details.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.agency_requests import service as requests
from core.audit import record
from core.auth.principal import Principal
from core.meetings import MeetingKind, register_meeting_kind
from cdop.domain import MEETING_KIND, SECTION_KEYS, SUBJECT_TYPE, age_at_death
from cdop.models import ChildDeath

REDACTED = "[redacted]"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)


def _flexible(literal: str) -> str:
    """A literal with any run of spaces, hyphens or dots between words matched loosely."""
    parts = [re.escape(p) for p in re.split(r"[\s]+", literal.strip()) if p]
    return r"[\s,.-]*".join(parts)


def _digits(value: str) -> str:
    """Digits with optional spaces or hyphens between them (e.g. NHS or phone numbers)."""
    return r"[\s-]*".join(re.escape(d) for d in value if d.isdigit())


def _date_patterns(d: Any) -> list[str]:
    day, month, year = d.day, d.month, d.year
    dd = rf"0?{day}"
    mm = rf"0?{month}"
    yy = rf"(?:{year}|{year % 100:02d})"
    sep = r"\s*[/.\-\s]\s*"
    mname = MONTHS[month - 1]
    mword = rf"(?:{mname}|{mname[:3]}\.?{'|sept' if month == 9 else ''})"
    ordinal = r"(?:st|nd|rd|th)?"
    return [
        rf"{dd}{sep}{mm}{sep}{yy}",                      # 15/03/2021, 15.3.21, 15-03-2021
        rf"{year}{sep}{mm}{sep}{dd}",                    # 2021-03-15, 2021/3/15
        rf"{mm}{sep}{dd}{sep}{year}",                    # 03/15/2021 (US order)
        rf"{year}{month:02d}{day:02d}",                  # 20210315
        rf"{day:02d}{month:02d}{year}",                  # 15032021
        rf"{dd}{ordinal}\s*(?:of\s+)?{mword}[\s,]*{yy}",  # 15 March 2021, 15th of Mar 21
        rf"{mword}\s*{dd}{ordinal}[\s,]*{yy}",           # March 15, 2021
    ]


class Scrubber:
    """Removes one case's identifiers from free text (case-insensitive, longest first)."""

    def __init__(self, case: ChildDeath) -> None:
        literals: list[str] = []
        patterns: list[str] = []
        names = [case.first_name, case.last_name, f"{case.first_name} {case.last_name}",
                 case.notifier_name]
        for name in names:
            if not name:
                continue
            literals.append(name)
            literals += [p for p in re.split(r"[\s\-']+", name) if len(p) >= 2]
        if case.address:
            literals.append(case.address)
            literals += [p.strip() for p in re.split(r"[,\n;]+", case.address) if len(p.strip()) >= 3]
            for m in _POSTCODE.finditer(case.address):
                patterns.append(rf"{re.escape(m.group(1))}\s*{re.escape(m.group(2))}")
        if case.notifier_email:
            literals.append(case.notifier_email)
        word_patterns = [rf"(?<!\w){_flexible(s)}(?!\w)" for s in
                         sorted(set(literals), key=len, reverse=True)]
        number_patterns = []
        if case.nhs_number:
            number_patterns.append(rf"(?<!\d){_digits(case.nhs_number)}(?!\d)")
        if case.notifier_phone and sum(c.isdigit() for c in case.notifier_phone) >= 6:
            number_patterns.append(rf"(?<!\d){_digits(case.notifier_phone)}(?!\d)")
        date_patterns = [rf"(?<![\w]){p}(?!\d)" for p in _date_patterns(case.date_of_birth)]
        self._regex = re.compile("|".join(number_patterns + date_patterns + patterns + word_patterns),
                                 re.IGNORECASE)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        return self._regex.sub(REDACTED, text)


def _case_pack(case: ChildDeath, forms: list[Any]) -> dict[str, Any]:
    scrub = Scrubber(case)
    return {
        "reference": case.reference,
        "age_at_death": age_at_death(case.date_of_birth, case.date_of_death),
        "sex": case.sex,
        "expected": case.expected,
        "status": case.status,
        "case_summary": scrub(case.case_summary),
        "reporting_forms": [
            {
                "agency": r.agency,
                "status": r.status,
                "answers": {k: scrub(str(v)) for k, v in (r.answers or {}).items() if k in SECTION_KEYS},
                "not_known": [k for k in (r.not_known or []) if k in SECTION_KEYS],
            }
            for r in forms if r.status == "submitted"
        ],
        "reporting_forms_waived": [r.agency for r in forms if r.status == "waived"],
        "reporting_forms_outstanding": [r.agency for r in forms if r.status == "requested"],
    }


def papers(session: Session, meeting: Any, principal: Principal) -> dict[str, Any]:
    ids = [a.subject_id for a in meeting.agenda if a.subject_type == SUBJECT_TYPE]
    cases = {c.id: c for c in session.execute(select(ChildDeath).where(ChildDeath.id.in_(ids))).scalars()}
    forms = requests.list_for(session, SUBJECT_TYPE, list(cases))
    record(session, actor=principal.actor, action="child_death.papers", subject_type="meeting",
           subject_id=meeting.id, data={"case_ids": ids})
    return {
        "meeting_id": meeting.id,
        "kind": meeting.kind,
        "scheduled_for": meeting.scheduled_for,
        "anonymised": True,
        "cases": [_case_pack(cases[i], forms.get(i, [])) for i in ids if i in cases],
    }


def describe(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Agenda lines for coordinators and the chair: reference and status only."""
    if not ids:
        return {}
    rows = session.execute(
        select(ChildDeath.id, ChildDeath.reference, ChildDeath.status).where(ChildDeath.id.in_(list(ids)))
    ).all()
    return {i: {"id": i, "reference": ref, "status": status} for i, ref, status in rows}


def can_add(session: Session, case_id: int) -> str | None:
    return ("a child death is put on a panel agenda with its schedule_for_panel action "
            "(POST /child-deaths/{id}/transitions), which checks it is ready for panel")


def register() -> None:
    register_meeting_kind(MeetingKind(
        kind=MEETING_KIND,
        subject_type=SUBJECT_TYPE,
        manager_roles=frozenset({"cdop_coordinator"}),
        reader_roles=frozenset({"cdop_coordinator", "cdop_chair"}),
        describe=describe,
        can_add=can_add,
        papers=papers,
    ))
