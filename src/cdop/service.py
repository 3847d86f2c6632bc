"""Child death notifications and case views. Services only flush; the request commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic_core import from_json
from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from core import interop
from core.audit import record
from core.auth.principal import Principal
from core.errors import ValidationFailed
from core.outbox.service import enqueue_email
from core.settings import Settings
from core.workflow.engine import check_if_match, record_creation_history
from cdop import repository as repo
from cdop import runtime
from cdop.domain import (
    CATEGORIES,
    SUBJECT_TYPE,
    age_in_years,
    parse_nhs_number,
)
from core import references
from cdop.models import ChildDeath, DuplicateFlag
from cdop.schemas import ChildDeathPatch, NotificationIn, StaffNotificationIn

# ---- references ----


def next_reference(session: Session, year: int) -> str:
    """``CD-YYYY-NNNN`` from the shared counter (core.references)."""
    return references.next_reference(session, "CD", year)


# ---- validation across fields ----


def check_dates(born: dt.date, died: dt.date, today: dt.date, *, born_loc: list[str],
                died_loc: list[str], received_on: dt.date | None = None) -> None:
    errors: list[dict[str, Any]] = []
    if born > today:
        errors.append({"loc": born_loc, "msg": "the date of birth is in the future"})
    if died > today:
        errors.append({"loc": died_loc, "msg": "the date of death is in the future"})
    if died < born:
        errors.append({"loc": died_loc, "msg": "the date of death is before the date of birth"})
    elif age_in_years(born, died) >= 18:
        errors.append({"loc": born_loc,
                       "msg": "the child was 18 or older at death: only deaths of children under 18 are reviewed"})
    if received_on is not None:
        if received_on > today:
            errors.append({"loc": ["body", "received_on"], "msg": "the date received is in the future"})
        elif received_on < died:
            errors.append({"loc": ["body", "received_on"], "msg": "the date received is before the death"})
    if errors:
        raise ValidationFailed(errors)


def _set_ages(case: ChildDeath) -> None:
    case.age_at_death_days = (case.date_of_death - case.date_of_birth).days
    case.age_at_death_years = age_in_years(case.date_of_birth, case.date_of_death)


# ---- duplicates ----


def flag_duplicates(session: Session, case: ChildDeath) -> list[str]:
    """Flag (both ways) earlier cases that may be the same death: the same NHS number, or the
    same first and last names (case-insensitive), date of birth and date of death."""
    same_person = and_(
        func.lower(ChildDeath.first_name) == case.first_name.lower(),
        func.lower(ChildDeath.last_name) == case.last_name.lower(),
        ChildDeath.date_of_birth == case.date_of_birth,
        ChildDeath.date_of_death == case.date_of_death,
    )
    conditions = [same_person]
    if case.nhs_number:
        conditions.append(ChildDeath.nhs_number == case.nhs_number)
    matches = session.execute(
        select(ChildDeath.id, ChildDeath.reference, ChildDeath.nhs_number)
        .where(ChildDeath.id != case.id, or_(*conditions))
        .order_by(ChildDeath.id)
    ).all()
    if not matches:
        return []
    already = set(session.execute(
        select(DuplicateFlag.other_id).where(DuplicateFlag.child_death_id == case.id)
    ).scalars())
    now = runtime.now()
    flagged = []
    for other_id, reference, nhs in matches:
        if other_id in already:
            continue
        reason = "nhs_number" if case.nhs_number and nhs == case.nhs_number else "name_and_dates"
        session.add(DuplicateFlag(child_death_id=case.id, other_id=other_id, reason=reason, flagged_at=now))
        session.add(DuplicateFlag(child_death_id=other_id, other_id=case.id, reason=reason, flagged_at=now))
        flagged.append(reference)
    session.flush()
    return flagged


# ---- creation ----


def create_notification(
    session: Session, settings: Settings, body: NotificationIn, *, source: str, actor: str,
    actor_name: str | None = None,
) -> ChildDeath:
    """A notification from the public form or entered by the coordinator."""
    today = runtime.today()
    received_on = getattr(body, "received_on", None)
    check_dates(body.child.date_of_birth, body.death.date, today,
                born_loc=["body", "child", "date_of_birth"], died_loc=["body", "death", "date"],
                received_on=received_on)
    nhs_digits, nhs_status = (parse_nhs_number(body.child.nhs_number) if body.child.nhs_number
                              else (None, "not_given"))
    now = runtime.now()
    received_at = now
    if received_on is not None and received_on < now.date():
        received_at = dt.datetime.combine(received_on, dt.time(12, 0), dt.UTC)
    case = ChildDeath(
        reference=next_reference(session, received_at.year),
        status="notified", status_changed_at=now, received_at=received_at, source=source,
        created_by=actor,
        first_name=body.child.first_name, last_name=body.child.last_name,
        date_of_birth=body.child.date_of_birth, sex=body.child.sex, ethnicity=body.child.ethnicity,
        nhs_number=nhs_digits, nhs_number_status=nhs_status, address=body.child.address,
        local_authority=body.child.local_authority,
        date_of_death=body.death.date, time_of_death=body.death.time, place_of_death=body.death.place,
        place_detail=body.death.place_detail, expected=body.death.expected,
        jar_triggered=body.death.jar_triggered, coroner_involved=body.death.coroner_involved,
        notifier_name=body.notifier.name, notifier_email=str(body.notifier.email),
        notifier_agency=body.notifier.agency, notifier_role=body.notifier.role,
        notifier_phone=body.notifier.phone,
        agencies=[{"name": a.name, "contact_email": str(a.contact_email) if a.contact_email else None}
                  for a in body.agencies],
        case_summary=getattr(body, "case_summary", None),
        non_resident=nhs_status == "non_resident_in_england",
    )
    _set_ages(case)
    session.add(case)
    session.flush()
    duplicates = flag_duplicates(session, case)
    from cdop.workflow import WORKFLOW

    record_creation_history(session, WORKFLOW, case, actor, actor_name, action="notify")
    record(session, actor=actor, action="child_death.create", subject_type=SUBJECT_TYPE,
           subject_id=case.id, data={"reference": case.reference, "source": source,
                                     "possible_duplicates": len(duplicates)})
    enqueue_email(
        session, to=case.notifier_email,
        subject=f"Child death notification received: {case.reference}",
        body=(f"Thank you. Your child death notification has been received.\n\n"
              f"Reference: {case.reference}\n\nPlease quote this reference if you contact the "
              f"Child Death Overview Panel coordinator ({settings.contact_email}).\n\n"
              f"{settings.board_name}\n"),
        topic=f"child_death:{case.id}",
    )
    return case


def create_staff_notification(session: Session, settings: Settings, body: StaffNotificationIn,
                              principal: Principal) -> ChildDeath:
    return create_notification(session, settings, body, source="staff", actor=principal.actor,
                               actor_name=principal.name)


# ---- correction ----

_NOT_NULL = {"first_name", "last_name", "date_of_birth", "date_of_death", "place_of_death", "expected"}
_IDENTITY = {"first_name", "last_name", "date_of_birth", "date_of_death", "nhs_number"}


def patch_case(session: Session, case: ChildDeath, body: ChildDeathPatch, principal: Principal,
               if_match: str | None) -> list[str]:
    check_if_match(case, if_match)
    fields = sorted(body.model_fields_set)
    errors = [{"loc": ["body", f], "msg": "this field cannot be cleared"}
              for f in fields if f in _NOT_NULL and getattr(body, f) is None]
    if errors:
        raise ValidationFailed(errors)
    born = body.date_of_birth if "date_of_birth" in fields else case.date_of_birth
    died = body.date_of_death if "date_of_death" in fields else case.date_of_death
    if {"date_of_birth", "date_of_death"} & set(fields):
        check_dates(born, died, runtime.today(), born_loc=["body", "date_of_birth"],
                    died_loc=["body", "date_of_death"])
    for f in fields:
        value = getattr(body, f)
        if f == "nhs_number":
            digits, status = parse_nhs_number(value) if value else (None, "not_given")
            case.nhs_number, case.nhs_number_status = digits, status
            case.non_resident = bool(case.home_area) or status == "non_resident_in_england"
        else:
            setattr(case, f, value)
    _set_ages(case)
    if fields:
        case.updated_at = runtime.now()  # an UPDATE even if values are unchanged: a new ETag
    session.flush()
    if _IDENTITY & set(fields):
        flag_duplicates(session, case)
    record(session, actor=principal.actor, action="child_death.update", subject_type=SUBJECT_TYPE,
           subject_id=case.id, data={"fields": fields})
    return fields


# ---- views ----
#
# Views are built from Core rows (repository ``*_COLUMNS``) or the case entity, as plain dicts
# whose keys are exactly the fields of their response model (schemas.py), in its field order and
# with its types, so the router can serialise them without validating them again
# (tests/cdop/test_views.py checks this against the models).


def _hold_out(h: Any) -> dict[str, Any]:
    return {"id": h.id, "reason": h.reason, "expected_on": h.expected_on, "note": h.note,
            "placed_at": h.placed_at, "placed_by": h.placed_by, "released_at": h.released_at,
            "released_by": h.released_by}


def _hold_text(reason: str, expected_on: str) -> str:
    return f"on hold: {reason.replace('_', ' ')} (expected {expected_on})"


def _due_text(agency: str, due_on: str) -> str:
    return f"{agency} (due {due_on})"


def _waiting_on(status: str, holds: list[str], overdue: list[str], pending: list[str],
                panel_meeting_id: int | None, meeting_at: dt.datetime | None) -> list[str]:
    out: list[str] = []
    if status == "notified":
        out.append("information gathering has not started")
    out += holds
    if overdue:
        out.append("overdue reporting forms: " + ", ".join(overdue))
    if pending:
        out.append("reporting forms awaited: " + ", ".join(pending))
    if not overdue and not pending and status == "information_gathering":
        out.append("all reporting forms are in: ready to be listed for a panel")
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
                       overdue, pending, case.panel_meeting_id, meeting_at)


def _child(case: Any) -> dict[str, Any]:
    return {
        "first_name": case.first_name, "last_name": case.last_name,
        "date_of_birth": case.date_of_birth, "sex": case.sex, "ethnicity": case.ethnicity,
        "nhs_number": case.nhs_number, "nhs_number_status": case.nhs_number_status,
        "address": case.address, "local_authority": case.local_authority,
    }


def list_item(case: Row[Any], today: dt.date, today_iso: str, duplicates: list[dict[str, Any]],
              band_limits: tuple[dt.date, dt.date, dt.date] | None = None) -> dict[str, Any]:
    """One ``ChildDeathSummaryItem`` from a row of ``repo.list_page``: ``repo.LIST_COLUMNS``, the
    case's open holds and awaited forms as JSON text (dates in it are ISO text) and its panel
    meeting's date. A date is sent as that same text, and ISO dates compare as text, so only the
    overdue forms' dates and the holds' times are parsed."""
    (case_id, reference, status, first_name, last_name, born, sex, died, received_at, expected,
     meeting_id, case_review_reference, _has_duplicates, open_holds, open_forms, meeting_at) = case
    holds_out: list[dict[str, Any]] = []
    hold_texts: list[str] = []
    for hold_id, reason, expected_on, note, placed_at, placed_by in sorted(from_json(open_holds) if open_holds else ()):
        holds_out.append({"id": hold_id, "reason": reason, "expected_on": expected_on, "note": note,
                          "placed_at": repo.utc_from_iso(placed_at), "placed_by": placed_by, "released_at": None,
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
        "waiting_on": _waiting_on(status, hold_texts, overdue, pending, meeting_id, meeting_at),
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
    out: dict[str, Any] = {"reference": case.case_review_reference, "status": None, "decision": None}
    if interop.is_provided("case_review.status"):
        current = interop.call(session, "case_review.status", {"reference": case.case_review_reference})
        if current:
            out.update(status=current.get("status"), decision=current.get("decision"))
    return out


def analysis_view(case: Any) -> dict[str, Any] | None:
    if case.analysed_at is None:
        return None
    return {
        "category": case.category, "category_label": CATEGORIES.get(case.category or 0),
        "modifiable": case.modifiable, "domain_scores": case.domain_scores,
        "learning": case.learning, "learning_points": case.learning_points or [],
        "actions": case.actions or [], "refer_to_case_review": case.refer_to_case_review,
        "recorded_at": case.analysed_at, "recorded_by": case.analysed_by,
    }


def _form_view(r: Any, today: dt.date) -> dict[str, Any]:
    """A ``ReportingFormOut`` from a ``repo.FORM_COLUMNS`` row (what ``forms.form_out`` shows)."""
    return {
        "id": r.id, "agency": r.agency, "contact_email": r.contact_email,
        "assignee_user_id": r.assignee_user_id, "due_on": r.due_on, "status": r.status,
        "overdue": r.status == "requested" and r.due_on < today,
        "answers": r.answers or {}, "not_known": r.not_known or [],
        "submitted_at": r.submitted_at, "submitted_by": r.submitted_by,
        "waived_reason": r.waived_reason, "waived_at": r.waived_at,
        "reminders_sent": r.reminders_sent, "last_reminder_at": r.last_reminder_at,
    }


_UNKNOWN: Any = object()


def detail(session: Session, case: Any, *, meeting_at: Any = _UNKNOWN, holds: list[Any] | None = None,
           forms: list[Any] | None = None, has_duplicates: bool = True) -> dict[str, Any]:
    """The ``ChildDeathOut`` of a case: the entity, or the row of ``repo.get_case_view`` with
    what it already knows (the meeting's date, which collections are empty) passed in, so only
    the collections that have rows are queried."""
    session.flush()  # the collections below are read with Core statements (no autoflush)
    today = runtime.today()
    if holds is None or forms is None:
        holds, forms = repo.collections_of(session, case.id)
    open_forms = [r for r in forms if r.status == "requested"]
    if meeting_at is _UNKNOWN:
        meeting_at = (repo.meetings_for(session, [case.panel_meeting_id]).get(case.panel_meeting_id)
                      if case.panel_meeting_id else None)
    open_holds = [h for h in holds if h.released_at is None]
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
        "out_of_area": ({"home_area": case.home_area, "home_cdop_email": case.home_cdop_email}
                        if case.home_area else None),
        "withdrawn_reason": case.withdrawn_reason,
        "panel_meeting_id": case.panel_meeting_id,
        "holds": [_hold_out(h) for h in holds],
        "reporting_forms": [_form_view(r, today) for r in forms],
        "possible_duplicates": repo.duplicates_for(session, [case.id])[case.id] if has_duplicates else [],
        "analysis": analysis_view(case),
        "case_review": case_review_view(session, case),
        "waiting_on": waiting_on(case, open_holds, open_forms, today, meeting_at),
        "closed_at": case.closed_at,
        "created_at": case.created_at, "updated_at": case.updated_at, "version": case.version,
    }


def history(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    """The case's workflow history as ``core.workflow.history_for`` gives it, read with the
    visibility check in one statement (404 as ``repo.get_case``)."""
    return [
        {"at": r.at, "actor": r.actor_name or r.actor, "actor_id": r.actor, "action": r.action,
         "from": r.from_state, "to": r.to_state, "note": r.note, "data": r.data or {}}
        for r in repo.history_view(session, principal, case_id)
    ]


def status_for_interop(session: Session, payload: dict[str, Any]) -> dict[str, Any] | None:
    """``child_death.status``: {reference} -> {reference, status} or None."""
    reference = payload.get("reference")
    if not isinstance(reference, str):
        return None
    case = repo.by_reference(session, reference)
    return None if case is None else {"reference": case.reference, "status": case.status}
