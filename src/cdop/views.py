"""Rows to response shapes. Every view is a plain dict whose keys are exactly the fields of its
response model (schemas.py), in its field order and with its types, so the routers can send it
without validating it again (tests/cdop/test_views.py holds them to the models), except the
panel papers, built as the ``PanelPapers`` model itself: an allow-list of fields.

The papers' free text (case summaries, reporting form answers, the meeting's minutes) is also
scrubbed of every agenda case's identifiers (:class:`Scrubber`): the child's names (each part
of a hyphenated or double name, the parts joined, the first name alone), NHS number (any
spacing), date of birth (with or without its year, numeric or with the month's name), address
(whole, each part, the street with or without its number and with its type abbreviated,
postcode with or without its space), and the notifier's name, email and phone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic_core import from_json
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from core import interop
from core.agency_requests import service as requests
from core.agency_requests.models import AgencyRequest
from core.db.json_rows import utc_from_iso
from core.deadlines import open_deadlines_for
from cdop import clocks, config
from cdop import forms as form_defs
from cdop import repository as repo
from cdop.domain import (
    AGE_BAND_LABELS,
    CATEGORIES,
    REPORTING_FORM_SECTIONS,
    SECTION_KEYS,
    EXTERNAL_OUTCOME_KIND,
    SINCE_DEATH_BANDS,
    SUBJECT,
    age_at_death,
    age_band,
    in_our_area,
    responsible_area,
)
from cdop.models import ChildDeath
from cdop.schemas import (
    AgeAtDeath,
    PanelAnswer,
    PanelCase,
    PanelForm,
    PanelPapers,
    PanelSupplementaryForm,
)

# ---- the case: list lines and detail ----


def _hold_out(h: Any) -> dict[str, Any]:
    return {"id": h.id, "reason": h.reason, "expected_on": h.expected_on, "note": h.note,
            "placed_at": h.placed_at, "placed_by": h.placed_by, "released_at": h.released_at,
            "released_by": h.released_by}


def _hold_text(reason: str, expected_on: str) -> str:
    return f"on hold: {reason.replace('_', ' ')} (expected {expected_on})"


def _due_text(agency: str, due_on: str) -> str:
    return f"{agency} (due {due_on})"


def _awaited_outcome(status: str, home_area: str | None, outcome_received_on: Any) -> str | None:
    """The home area whose panel's outcome a death transferred out still waits on, or None."""
    return home_area if status == "transferred_out" and home_area and outcome_received_on is None else None


def _waiting_on(status: str, holds: list[str], overdue: list[str], pending: list[str],
                panel_meeting_id: int | None, meeting_at: dt.datetime | None,
                outcome_from: str | None = None) -> list[str]:
    out: list[str] = []
    if outcome_from:
        out.append(f"the outcome of {outcome_from}'s child death overview panel (transferred out)")
    if status == "notified":
        out.append("information gathering has not started")
    out += holds
    if overdue:
        out.append("overdue reporting forms: " + ", ".join(overdue))
    if pending:
        out.append("reporting forms awaited: " + ", ".join(pending))
    if not overdue and not pending and status == "information_gathering":
        out.append("all reporting forms are in: to be marked ready for the panel (with a child death "
                   "review meeting recorded, or why none is needed)")
    if status == "ready_for_panel":
        out.append("to be scheduled for a panel meeting")
    elif status == "scheduled_for_panel":
        when = f" on {meeting_at.date().isoformat()}" if meeting_at else ""
        out.append(f"panel meeting {panel_meeting_id}{when}")
    elif status == "reviewed":
        out.append("analysis recorded: to be closed")
    return out


def waiting_on(case: Any, open_holds: list[Any], open_forms: list[Any], today: dt.date,
               meeting_at: dt.datetime | None) -> list[str]:
    """Why the case is outstanding, in words for the coordinator (the overdue and awaited forms
    in the order of ``open_forms``)."""
    overdue: list[str] = []
    pending: list[str] = []
    for r in open_forms:
        (overdue if r.due_on < today else pending).append(_due_text(r.agency, r.due_on.isoformat()))
    return _waiting_on(case.status, [_hold_text(h.reason, h.expected_on.isoformat()) for h in open_holds],
                       overdue, pending, case.panel_meeting_id, meeting_at,
                       _awaited_outcome(case.status, case.home_area, case.external_outcome_received_on))


def _child(case: Any) -> dict[str, Any]:
    return {
        "first_name": case.first_name, "last_name": case.last_name,
        "date_of_birth": case.date_of_birth, "sex": case.sex, "ethnicity": case.ethnicity,
        "nhs_number": case.nhs_number, "nhs_number_status": case.nhs_number_status,
        "address": case.address, "local_authority": case.local_authority,
        "looked_after": case.looked_after, "looked_after_by": case.looked_after_by,
    }


def external_outcome_view(case: Any) -> dict[str, Any] | None:
    """An ``ExternalOutcomeOut``: the home area's panel outcome, once recorded."""
    if case.external_outcome_received_on is None:
        return None
    return {"received_on": case.external_outcome_received_on, "category": case.external_category,
            "category_label": CATEGORIES.get(case.external_category or 0, ""),
            "modifiable": case.external_modifiable, "note": case.external_outcome_note,
            "recorded_at": case.external_outcome_recorded_at, "recorded_by": case.external_outcome_recorded_by}


def out_of_area_view(session: Session, case: Any, today: dt.date) -> dict[str, Any] | None:
    """An ``OutOfAreaOut``: the transfer, and the home panel's outcome or when it is due (the
    open stored deadline, read only for a case transferred out and still awaiting it)."""
    if not case.home_area:
        return None
    due_on = None
    if case.status == "transferred_out" and case.external_outcome_received_on is None:
        due_on = next((d["due_on"] for d in open_deadlines_for(session, SUBJECT, [case.id], today)[case.id]
                       if d["kind"] == EXTERNAL_OUTCOME_KIND), None)
    return {
        "home_area": case.home_area, "home_cdop_email": case.home_cdop_email,
        "home_cdop_contact_name": case.home_cdop_contact_name, "home_cdop_phone": case.home_cdop_phone,
        "transferred_on": case.transferred_out_on or (case.status_changed_at.date()
                                                      if case.status == "transferred_out" else None),
        "outcome_due_on": due_on, "outcome_overdue": due_on is not None and due_on < today,
        "outcome": external_outcome_view(case),
    }


def responsibility(case: Any) -> tuple[str | None, bool | None]:
    """The responsible area (API.md) and whether it is one of ``ECR_CDOP_AREAS``."""
    area = responsible_area(case.local_authority, case.looked_after, case.looked_after_by)
    return area, in_our_area(area, config.get_config().areas)


def list_item(case: Row[Any], today: dt.date, today_iso: str, duplicates: list[dict[str, Any]],
              band_limits: tuple[dt.date, dt.date, dt.date] | None = None) -> dict[str, Any]:
    """One ``ChildDeathSummaryItem`` from a row of ``repo.list_page``: ``repo.LIST_COLUMNS``, the
    case's open holds and awaited forms as JSON text (dates in it are ISO text) and its panel
    meeting's date. A date is sent as that same text, and ISO dates compare as text, so only the
    overdue forms' dates and the holds' times are parsed."""
    (case_id, reference, status, first_name, last_name, born, sex, died, received_at, expected,
     meeting_id, case_review_reference, home_area, outcome_received_on, _has_duplicates, open_holds, open_forms,
     meeting_at) = case
    holds_out: list[dict[str, Any]] = []
    hold_texts: list[str] = []
    for hold_id, reason, expected_on, note, placed_at, placed_by in sorted(from_json(open_holds) if open_holds else ()):
        holds_out.append({"id": hold_id, "reason": reason, "expected_on": expected_on, "note": note,
                          "placed_at": utc_from_iso(placed_at), "placed_by": placed_by, "released_at": None,
                          "released_by": None})
        hold_texts.append(_hold_text(reason, expected_on))
    forms = sorted(from_json(open_forms) if open_forms else ())  # soonest due first, then by id
    overdue_out: list[dict[str, Any]] = []
    overdue: list[str] = []
    pending: list[str] = []
    for due_on, form_id, agency in forms:
        if due_on < today_iso:
            overdue_out.append({"id": form_id, "agency": agency, "due_on": due_on,
                                "days_overdue": (today - dt.date.fromisoformat(due_on)).days})
            overdue.append(_due_text(agency, due_on))
        else:
            pending.append(_due_text(agency, due_on))
    return {
        "id": case_id, "reference": reference, "status": status,
        "child": {"first_name": first_name, "last_name": last_name, "date_of_birth": born, "sex": sex},
        "date_of_death": died,
        "days_since_death": (today - died).days,
        "since_death_band": repo.since_death_band(died, today, band_limits),
        "received_at": received_at, "expected": expected,
        "open_holds": holds_out,
        "open_reporting_forms": len(forms),
        "overdue_reporting_forms": overdue_out,
        "possible_duplicates": [d["reference"] for d in duplicates],
        "panel_meeting_id": meeting_id,
        "case_review_reference": case_review_reference,
        "waiting_on": _waiting_on(status, hold_texts, overdue, pending, meeting_id, meeting_at,
                                  _awaited_outcome(status, home_area, outcome_received_on)),
    }


def list_items(session: Session, cases: list[Row[Any]], today: dt.date) -> list[dict[str, Any]]:
    """A page of cases (rows of ``repo.list_page``) with why each is outstanding: a fixed number
    of queries per page (none when no case of the page has duplicate flags)."""
    dups = repo.duplicates_for(session, [c.id for c in cases if c.has_duplicates])
    limits = repo.band_limits(today)
    today_iso = today.isoformat()
    none: list[Any] = []
    return [list_item(c, today, today_iso, dups.get(c.id, none), limits) for c in cases]


def case_review_view(session: Session, case: Any) -> dict[str, Any] | None:
    if not case.case_review_reference:
        return None
    out: dict[str, Any] = {"reference": case.case_review_reference, "id": None, "status": None, "decision": None}
    if interop.is_provided("case_review.status"):
        current = interop.call(session, "case_review.status", {"reference": case.case_review_reference})
        if current:
            out.update(id=current.get("id"), status=current.get("status"), decision=current.get("decision"))
    return out


def action_view(a: Any, today: dt.date) -> dict[str, Any]:
    """An ``ActionOut``: an action agreed at the panel and where it stands."""
    return {
        "id": a.id, "description": a.description, "owner_agency": a.owner_agency,
        "owner_email": a.owner_email, "due_on": a.due_on, "status": a.status,
        "overdue": a.status == "open" and a.due_on is not None and a.due_on < today,
        "completed_on": a.completed_on, "evidence": a.evidence, "cancelled_reason": a.cancelled_reason,
        "closed_at": a.closed_at, "closed_by": a.closed_by, "reminders_sent": a.reminders_sent,
        "last_reminder_at": a.last_reminder_at, "version": a.version,
    }


def _factor_view(f: dict[str, Any]) -> dict[str, Any]:
    return {"domain": f["domain"], "factor": f["factor"], "score": f["score"], "comment": f.get("comment")}


def analysis_view(case: Any, actions: list[Any] | None = None, today: dt.date | None = None) -> dict[str, Any] | None:
    """An ``AnalysisOut``; ``actions``: the case's ``cdop_actions`` rows (repo.actions_of)."""
    if case.analysed_at is None:
        return None
    today = today or config.today()
    return {
        "category": case.category, "category_label": CATEGORIES.get(case.category or 0),
        "modifiable": case.modifiable, "domain_scores": case.domain_scores,
        "factors": [_factor_view(f) for f in case.factors or []],
        "event_leading_to_death": case.event_leading_to_death,
        "learning": case.learning, "learning_points": case.learning_points or [],
        "actions": [action_view(a, today) for a in actions or []],
        "refer_to_case_review": case.refer_to_case_review,
        "recorded_at": case.analysed_at, "recorded_by": case.analysed_by,
    }


def _form_view(r: Any, today: dt.date) -> dict[str, Any]:
    """A ``ReportingFormOut`` from a ``repo.FORM_COLUMNS`` row (what :func:`form_out` shows)."""
    return {
        "id": r.id, "agency": r.agency, "contact_email": r.contact_email,
        "assignee_user_id": r.assignee_user_id, "due_on": r.due_on, "status": r.status,
        "overdue": r.status == "requested" and r.due_on < today,
        "answers": r.answers or {}, "not_known": r.not_known or [],
        "submitted_at": r.submitted_at, "submitted_by": r.submitted_by,
        "waived_reason": r.waived_reason, "waived_at": r.waived_at,
        "reminders_sent": r.reminders_sent, "last_reminder_at": r.last_reminder_at,
        "forms": form_defs.refs_out(r.forms),
    }


_UNKNOWN: Any = object()


def detail(session: Session, case: Any, *, meeting_at: Any = _UNKNOWN, holds: list[Any] | None = None,
           forms: list[Any] | None = None, has_duplicates: bool = True, clock_rows: list[Any] | None = None,
           meeting_rows: list[Any] | None = None) -> dict[str, Any]:
    """The ``ChildDeathOut`` of a case: the entity, or the row of ``repo.get_case_view`` with
    what it already knows (the meeting's date, which collections are empty) passed in, so only
    the collections that have rows are queried."""
    session.flush()  # the collections below are read with Core statements (no autoflush)
    today = config.today()
    if holds is None or forms is None:
        holds, forms, has_duplicates, clock_rows, meeting_rows = repo.case_collections(session, case.id)
    open_forms = [r for r in forms if r.status == "requested"]
    if meeting_at is _UNKNOWN:
        meeting_at = (repo.meetings_for(session, [case.panel_meeting_id]).get(case.panel_meeting_id)
                      if case.panel_meeting_id else None)
    open_holds = [h for h in holds if h.released_at is None]
    area, ours = responsibility(case)
    return {
        "id": case.id, "reference": case.reference, "status": case.status,
        "status_changed_at": case.status_changed_at, "received_at": case.received_at,
        "source": case.source,
        "child": _child(case),
        "death": {
            "date": case.date_of_death, "time": case.time_of_death, "place": case.place_of_death,
            "place_detail": case.place_detail, "expected": case.expected,
            "jar_triggered": case.jar_triggered, "coroner_involved": case.coroner_involved,
            "age_at_death_days": case.age_at_death_days, "age_at_death_years": case.age_at_death_years,
        },
        "notifier": {"name": case.notifier_name, "email": case.notifier_email,
                     "agency": case.notifier_agency, "role": case.notifier_role,
                     "phone": case.notifier_phone},
        "agencies": case.agencies or [],
        "case_summary": case.case_summary,
        "days_since_death": (today - case.date_of_death).days,
        "out_of_area": out_of_area_view(session, case, today),
        "responsible_area": area,
        "in_our_area": ours,
        "transferred_from": ({"area": case.transferred_from_area, "contact_email": case.transferred_from_email,
                              "received_on": case.transferred_from_received_on}
                             if case.transferred_from_area else None),
        "withdrawn_reason": case.withdrawn_reason,
        "panel_meeting_id": case.panel_meeting_id,
        "holds": [_hold_out(h) for h in holds],
        "reporting_forms": [_form_view(r, today) for r in forms],
        "possible_duplicates": repo.duplicates_for(session, [case.id])[case.id] if has_duplicates else [],
        "analysis": analysis_view(case, repo.actions_of(session, [case.id])[case.id]
                                  if case.analysed_at is not None else [], today),
        "case_review": case_review_view(session, case),
        "waiting_on": waiting_on(case, open_holds, open_forms, today, meeting_at),
        "cdrm_not_required_reason": case.cdrm_not_required_reason,
        "review_meetings": (clocks.meeting_views(meeting_rows) if meeting_rows is not None
                            else clocks.meetings_of(session, case.id)),
        "clocks": (clocks.clock_views(clock_rows, today, case.status == "on_hold") if clock_rows is not None
                   else clocks.clocks_of(session, case.id, today, case.status == "on_hold")),
        "closed_at": case.closed_at,
        "created_at": case.created_at, "updated_at": case.updated_at, "version": case.version,
    }


def summary(today: dt.date, counts: Iterable[tuple[str, str, int]], on_hold_by_reason: dict[str, int],
            overdue_by_agency: dict[str, int], holds_overdue_by_reason: dict[str, int] | None = None,
            overdue_clocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ``OutstandingSummary`` from the GROUP BY rows of the repository."""
    by_status: dict[str, dict[str, int]] = {}
    for status, band, n in counts:
        by_status.setdefault(status, dict.fromkeys(SINCE_DEATH_BANDS, 0))[band] = n
    totals = dict.fromkeys(SINCE_DEATH_BANDS, 0)
    for row in by_status.values():
        for b, n in row.items():
            totals[b] += n
    return {
        "as_of": today,
        "bands": list(SINCE_DEATH_BANDS),
        "by_status": by_status,
        "by_band": totals,
        "total": sum(totals.values()),
        "on_hold_by_reason": on_hold_by_reason,
        "holds_past_expected_by_reason": holds_overdue_by_reason or {},
        "overdue_reporting_forms_by_agency": overdue_by_agency,
        "overdue_clocks": overdue_clocks or [],
    }


# ---- reporting forms ----


def sections() -> list[dict[str, str]]:
    return [{"key": k, "title": t, "help": h} for k, t, h in REPORTING_FORM_SECTIONS]


def form_out(req: AgencyRequest, today: dt.date) -> dict[str, Any]:
    """A ``ReportingFormOut`` from the request entity."""
    out = requests.to_dict(req, today)
    out["submitted_by"] = req.submitted_by
    out["forms"] = form_defs.refs_out(req.forms)
    return out


def age_band_text(case: ChildDeath) -> str:
    return AGE_BAND_LABELS[age_band(case.age_at_death_days, case.age_at_death_years)]


def agency_view(case: ChildDeath, req: AgencyRequest, today: dt.date) -> dict[str, Any]:
    """An ``AgencyFormView``: what an agency contact or author sees, no identifier beyond the
    CDOP reference."""
    return {
        "reference": case.reference,
        "form_id": req.id,
        "case_id": case.id,
        "agency": req.agency,
        "due_on": req.due_on,
        "status": req.status,
        "overdue": requests.is_overdue(req, today),
        "child_age_band": age_band_text(case),
        "sections": sections() if form_defs.asks_for_main(req.forms) else [],
        "answers": req.answers or {},
        "not_known": req.not_known or [],
        "submitted_at": req.submitted_at,
        "forms": [d.model_dump(by_alias=True) for d in form_defs.definitions_of(req.forms)],
    }


def public_view(case: ChildDeath, req: AgencyRequest, today: dt.date) -> dict[str, Any]:
    """A ``PublicFormView``: :func:`agency_view` without the form's id."""
    view = agency_view(case, req, today)
    del view["form_id"], view["case_id"]
    return view


def submitted(case: ChildDeath, req: AgencyRequest) -> dict[str, Any]:
    """A ``SubmittedForm``."""
    return {"reference": case.reference, "form_id": req.id, "agency": req.agency, "status": req.status,
            "submitted_at": req.submitted_at}


def public_submitted(case: ChildDeath, req: AgencyRequest) -> dict[str, Any]:
    """A ``PublicSubmittedForm``."""
    return {"reference": case.reference, "agency": req.agency, "status": req.status,
            "submitted_at": req.submitted_at}


# ---- the anonymised panel papers ----

REDACTED = "[redacted]"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
# street types with the abbreviations people write
STREET_TYPES: dict[str, tuple[str, ...]] = {
    "road": ("rd",), "street": ("st",), "avenue": ("ave", "av"), "close": ("cl",), "court": ("ct",),
    "drive": ("dr",), "lane": ("ln",), "crescent": ("cres", "cr"), "place": ("pl",),
    "gardens": ("gdns",), "terrace": ("terr", "tce"), "grove": ("gr",), "square": ("sq",),
    "way": (), "walk": (), "mews": (), "row": (), "hill": (), "park": ("pk",), "green": ("grn",),
}
_STREET_ALIASES = {alias: full for full, aliases in STREET_TYPES.items() for alias in (full, *aliases)}
_STREET = re.compile(r"^(?:(\d+[a-z]?)\s*,?\s+)?(.+?)\s+(" + "|".join(sorted(_STREET_ALIASES, key=len, reverse=True))
                     + r")\.?$", re.IGNORECASE)


def _flexible(literal: str) -> str:
    """A literal whose words may be separated by any run of spaces, commas, dots or hyphens."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", literal.strip()) if p]
    return r"[\s,.\-]*".join(parts)


def _digits(value: str) -> str:
    """Digits with optional spaces or hyphens between them (e.g. NHS or phone numbers)."""
    return r"[\s-]*".join(re.escape(d) for d in value if d.isdigit())


def _date_patterns(d: dt.date) -> list[str]:
    """A date of birth as people write it, with or without the year."""
    day, month, year = d.day, d.month, d.year
    dd = rf"0?{day}"
    mm = rf"0?{month}"
    yy = rf"(?:{year}|{year % 100:02d})"
    sep = r"\s*[/.\-]\s*"
    mname = MONTHS[month - 1]
    mword = rf"(?:{mname}|{mname[:3]}\.?{'|sept' if month == 9 else ''})"
    ordinal = r"(?:st|nd|rd|th)?"
    return [
        rf"{dd}{sep}{mm}(?:{sep}{yy})?(?![\d/.\-]*\d)",   # 15/03/2021, 15.3.21, 15-03, 15/3
        rf"{year}{sep}{mm}{sep}{dd}(?!\d)",               # 2021-03-15, 2021/3/15
        rf"{mm}{sep}{dd}(?:{sep}{year})?(?![\d/.\-]*\d)", # 03/15/2021, 03/15 (US order)
        rf"{year}{month:02d}{day:02d}(?!\d)",             # 20210315
        rf"{day:02d}{month:02d}{year}(?!\d)",             # 15032021
        rf"{dd}{ordinal}\s*(?:of\s+)?{mword}(?:[\s,]*{yy}(?!\d))?(?![a-z])",  # 15 March (2021), 15th of Mar
        rf"{mword}\s*(?:the\s+)?{dd}{ordinal}(?:[\s,]*{yy})?(?!\d)",          # March 15th(, 2021)
    ]


def _name_literals(name: str | None) -> list[str]:
    """A name, each of its parts (hyphenated or double names split), and the parts joined."""
    if not name or not name.strip():
        return []
    parts = [p for p in re.split(r"[\s\-'’]+", name.strip()) if len(p) >= 2]
    out = [name, *parts]
    if len(parts) > 1:
        out += [" ".join(parts), "".join(parts)]
    return out


def _street_patterns(part: str) -> list[str]:
    """A street line ("12 Acacia Avenue") as people shorten it: with or without its number,
    its type written out or abbreviated ("12 Acacia Ave", "Acacia Av."), and "12 Acacia"."""
    m = _STREET.match(part.strip())
    if m is None:
        return []
    number, name, kind = m.group(1), m.group(2), _STREET_ALIASES[m.group(3).lower()]
    kinds = "|".join(re.escape(k) for k in sorted((kind, *STREET_TYPES[kind]), key=len, reverse=True))
    name_re = _flexible(name)
    out = [rf"(?:(?:no\.?\s*)?\d+[a-z]?\s*,?\s*)?{name_re}\s+(?:{kinds})\b\.?"]
    if number:
        out.append(rf"(?:no\.?\s*)?{re.escape(number)}\s*,?\s*{name_re}")
    return out


class Scrubber:
    """Removes the identifiers of these cases from free text (case-insensitive, longest first)."""

    def __init__(self, cases: Iterable[ChildDeath]) -> None:
        literals: list[str] = []
        patterns: list[str] = []
        numbers: list[str] = []
        dates: list[str] = []
        for case in cases:
            first_names = _name_literals(case.first_name)
            last_names = _name_literals(case.last_name)
            literals += first_names + last_names + _name_literals(case.notifier_name)
            if case.first_name and case.last_name:
                literals.append(f"{case.first_name} {case.last_name}")
            if case.address:
                literals.append(case.address)
                for part in re.split(r"[,\n;]+", case.address):
                    part = part.strip()
                    if len(part) >= 3:
                        literals.append(part)
                        patterns += _street_patterns(part)
                for m in _POSTCODE.finditer(case.address):
                    patterns.append(rf"{re.escape(m.group(1))}\s*{re.escape(m.group(2))}")
            if case.notifier_email:
                literals.append(case.notifier_email)
            if case.nhs_number:
                numbers.append(rf"(?<!\d){_digits(case.nhs_number)}(?!\d)")
            if case.notifier_phone and sum(c.isdigit() for c in case.notifier_phone) >= 6:
                numbers.append(rf"(?<!\d){_digits(case.notifier_phone)}(?!\d)")
            if case.date_of_birth:
                dates += [rf"(?<![\w/.\-]){p}" for p in _date_patterns(case.date_of_birth)]
        words = [rf"(?<!\w){_flexible(s)}(?!\w)" for s in sorted(set(literals), key=len, reverse=True)]
        alternatives = numbers + dates + [rf"(?<!\w){p}" for p in patterns] + words
        self._regex = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def __call__(self, text: str | None) -> str | None:
        if text is None or self._regex is None:
            return text
        return self._regex.sub(REDACTED, text)


def _panel_answer(q: Any, value: Any) -> str:
    """An answer in words for the papers (before scrubbing)."""
    labels = {c.value: c.label for c in q.choices}
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return labels.get(value, str(value)) if isinstance(value, str) else str(value)


def _panel_supplementary(req: Any, scrub: Scrubber) -> list[PanelSupplementaryForm]:
    """The supplementary forms' answers, question by question; dates left out."""
    out = []
    for got in form_defs.answers_by_form(req):
        if got["form"] == form_defs.MAIN:
            continue
        d = form_defs.definition(got["form"], got["version"])
        assert d is not None  # answers_by_form only names shipped versions
        rows = []
        for q in d.questions():
            if q.type == "date":
                continue
            if q.key in got["not_known"]:
                rows.append(PanelAnswer(question=q.label, answer="Not known"))
            elif q.key in got["answers"]:
                rows.append(PanelAnswer(question=q.label, answer=scrub(_panel_answer(q, got["answers"][q.key])) or ""))
        out.append(PanelSupplementaryForm(form=d.key, version=d.version, title=d.title, answers=rows))
    return out


def _panel_form(req: Any, scrub: Scrubber) -> PanelForm:
    submitted = req.status == "submitted"
    return PanelForm(
        agency=req.agency,
        status=req.status,
        answers={k: scrub(str(v)) or "" for k, v in (req.answers or {}).items() if submitted and k in SECTION_KEYS},
        not_known=[k for k in (req.not_known or []) if submitted and k in SECTION_KEYS],
        supplementary=_panel_supplementary(req, scrub) if submitted else [],
    )


def _panel_case(case: ChildDeath, forms: Sequence[Any], scrub: Scrubber) -> PanelCase:
    return PanelCase(
        reference=case.reference,
        age_at_death=AgeAtDeath.model_validate(age_at_death(case.date_of_birth, case.date_of_death)),
        sex=case.sex,
        expected=case.expected,
        status=case.status,
        case_summary=scrub(case.case_summary),
        reporting_forms=[_panel_form(r, scrub) for r in forms],
    )


def panel_papers(meeting: Any, cases: Sequence[ChildDeath], forms: dict[int, list[Any]]) -> PanelPapers:
    """The papers of a panel meeting for its agenda's ``cases`` (in agenda order) with their
    reporting forms: the allow-list model, each free text scrubbed of the identifiers of every
    case on the agenda (the minutes name several)."""
    scrub = Scrubber(cases)
    return PanelPapers(
        meeting_id=meeting.id,
        kind="cdop_panel",
        scheduled_for=meeting.scheduled_for,
        anonymised=True,
        minutes=scrub(meeting.minutes),
        cases=[_panel_case(c, forms.get(c.id, []), scrub) for c in cases],
    )
