"""The child death service: the only module of ``cdop`` that applies the workflow table
(``core.workflow``) and writes audit events (``core.audit.record``). Routers and pages parse,
call one function here and return what it gives. Services only flush; the request commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.agency_requests import service as requests
from core.agency_requests.models import AgencyRequest
from core.audit import record
from core.auth.models import User
from core.auth.principal import Principal
from core.deadlines import add_working_days
from core.errors import Conflict, NotFound, ValidationFailed
from core.meetings.service import load_meeting
from core.pagination import decode_cursor, encode_cursor
from core import references
from core.settings import Settings
from core.workflow.engine import (
    apply_transition,
    available_transitions,
    check_if_match,
    history_for,
    record_creation_history,
)
from core.workflow.models import WorkflowHistory
from core.workflow.record import RowRecord
from core.workflow.schema import transition_body_schema
from cdop import actions, clocks, config, emails, ncmd, reports, views
from cdop import forms as form_defs
from cdop import repository as repo
from cdop.domain import (
    COORDINATOR,
    READER_ROLES,
    FORM_KIND,
    OPEN_FOR_FORMS,
    SUBJECT,
    TERMINAL_STATES,
    age_in_years,
    parse_nhs_number,
)
from cdop.models import ChildDeath, ChildDeathAction, DuplicateFlag, ReviewMeeting
from cdop.schemas import (
    ActionCancel,
    ActionComplete,
    ChildDeathPatch,
    NotificationIn,
    PanelPapers,
    ReportingFormCreate,
    ReportingFormSubmit,
    ReviewMeetingIn,
    StaffNotificationIn,
)
from cdop.workflow import HISTORY_LABELS, WORKFLOW, create_forms

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


def check_transferred_from(body: NotificationIn, today: dt.date) -> None:
    """A transfer from another area is received neither in the future nor before the death."""
    moved = getattr(body, "transferred_from", None)
    if moved is None:
        return
    loc = ["body", "transferred_from", "received_on"]
    if moved.received_on > today:
        raise ValidationFailed.field(loc, "the date the transfer was received is in the future")
    if moved.received_on < body.death.date:
        raise ValidationFailed.field(loc, "the date the transfer was received is before the death")


def _set_ages(case: ChildDeath) -> None:
    case.age_at_death_days = (case.date_of_death - case.date_of_birth).days
    case.age_at_death_years = age_in_years(case.date_of_birth, case.date_of_death)


# ---- duplicates ----


def flag_duplicates(session: Session, case: ChildDeath) -> list[str]:
    """Flag (both ways) earlier cases that may be the same death: the same NHS number, or the
    same first and last names (case-insensitive), date of birth and date of death."""
    matches = repo.possible_duplicates(session, case)
    if not matches:
        return []
    already = repo.flagged_ids(session, case.id)
    now = config.now()
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


# ---- notifications ----


def create_notification(
    session: Session, settings: Settings, body: NotificationIn, *, source: str, actor: str,
    actor_name: str | None = None,
) -> ChildDeath:
    """A notification from the public form or entered by the coordinator."""
    today = config.today()
    received_on = getattr(body, "received_on", None)
    check_dates(body.child.date_of_birth, body.death.date, today,
                born_loc=["body", "child", "date_of_birth"], died_loc=["body", "death", "date"],
                received_on=received_on)
    check_transferred_from(body, today)
    moved = getattr(body, "transferred_from", None)
    nhs_digits, nhs_status = (parse_nhs_number(body.child.nhs_number) if body.child.nhs_number
                              else (None, "not_given"))
    now = config.now()
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
        looked_after=body.child.looked_after, looked_after_by=body.child.looked_after_by,
        transferred_from_area=moved.area if moved else None,
        transferred_from_email=str(moved.contact_email) if moved and moved.contact_email else None,
        transferred_from_received_on=moved.received_on if moved else None,
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
    clocks.open_at_intake(session, case.id, case.date_of_death, received_at.date(),
                          transferred_from=moved.area if moved else None)
    record_creation_history(session, WORKFLOW, case, actor, actor_name, action="notify",
                            data={"transferred_from": moved.area} if moved else None)
    record(session, actor=actor, action="child_death.create", subject_type=SUBJECT,
           subject_id=case.id, data={"reference": case.reference, "source": source,
                                     "possible_duplicates": len(duplicates)})
    emails.notification_receipt(session, settings, case)
    return case


def create_staff_notification(session: Session, settings: Settings, body: StaffNotificationIn,
                              principal: Principal) -> tuple[ChildDeath, dict[str, Any]]:
    """A notification entered by the coordinator, and its ``ChildDeathOut``."""
    case = create_notification(session, settings, body, source="staff", actor=principal.actor,
                               actor_name=principal.name)
    return case, views.detail(session, case)


def public_notification(session: Session, settings: Settings, body: NotificationIn) -> dict[str, Any]:
    """A notification from the public: its ``NotificationReceipt``."""
    case = create_notification(session, settings, body, source="public", actor="public")
    return {"reference": case.reference, "status": case.status}


# ---- reading ----


def list_page(session: Session, principal: Principal, filters: repo.CaseFilters, limit: int,
              cursor: str | None) -> dict[str, Any]:
    """A ``ChildDeathPage``, audited with the ids it shows."""
    today = config.today()
    cases, next_cursor = repo.list_page(session, principal, filters, today, limit, cursor)
    items = views.list_items(session, cases, today)
    record(session, actor=principal.actor, action="child_death.list", subject_type=SUBJECT,
           data={"case_ids": [c.id for c in cases]})
    return {"items": items, "next_cursor": next_cursor}


def outstanding_summary(session: Session, principal: Principal) -> dict[str, Any]:
    today = config.today()
    holds, holds_overdue = repo.open_holds_by_reason(session, principal, today)
    out = views.summary(today, repo.outstanding_counts(session, principal, today), holds,
                        repo.overdue_forms_by_agency(session, principal, today), holds_overdue,
                        clocks.overdue_by_kind(session, today) if principal.roles & READER_ROLES else [])
    record(session, actor=principal.actor, action="child_death.summary", subject_type=SUBJECT)
    return out


def read_case(session: Session, principal: Principal, case_id: int) -> tuple[int, dict[str, Any]]:
    """The case's version (its ETag) and its ``ChildDeathOut``, audited."""
    case = repo.get_case_view(session, principal, case_id)
    out = views.detail(session, case, meeting_at=case.meeting_at, holds=repo.HOLD_ROWS.parse(case.hold_rows),
                       forms=repo.FORM_ROWS.parse(case.form_rows), has_duplicates=case.has_duplicates,
                       clock_rows=repo.CLOCK_ROWS.parse(case.clock_rows),
                       meeting_rows=repo.MEETING_ROWS.parse(case.meeting_rows))
    record(session, actor=principal.actor, action="child_death.read", subject_type=SUBJECT, subject_id=case.id)
    return case.version, out


def history(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    """The case's workflow history (``HistoryEntry``), oldest first; 404 as ``get_readable``."""
    out = history_for(session, SUBJECT, case_id, visible=(ChildDeath.__table__, repo.readable_by(principal)),
                      labels=HISTORY_LABELS)
    if out is None:
        raise NotFound("no such child death")
    record(session, actor=principal.actor, action="child_death.history", subject_type=SUBJECT, subject_id=case_id)
    return out


def transitions_for(session: Session, principal: Principal, case_id: int) -> tuple[ChildDeath, list[dict[str, Any]]]:
    """The actions this caller may take now (``ChildDeathTransitionOption``)."""
    case = repo.get_readable(session, principal, case_id)
    return case, available_transitions(session, WORKFLOW, case, principal)


# ---- changing the case ----

_NOT_NULL = {"first_name", "last_name", "date_of_birth", "date_of_death", "place_of_death", "expected"}
_IDENTITY = {"first_name", "last_name", "date_of_birth", "date_of_death", "nhs_number"}


def patch_case(session: Session, principal: Principal, case_id: int, body: ChildDeathPatch,
               if_match: str | None) -> tuple[ChildDeath, dict[str, Any]]:
    """Correct the notification or write the case summary (never the status)."""
    case = repo.get_readable(session, principal, case_id, lock=True)
    check_if_match(case, if_match)
    fields = sorted(body.model_fields_set)
    errors = [{"loc": ["body", f], "msg": "this field cannot be cleared"}
              for f in fields if f in _NOT_NULL and getattr(body, f) is None]
    if errors:
        raise ValidationFailed(errors)
    born = body.date_of_birth if "date_of_birth" in fields else case.date_of_birth
    died = body.date_of_death if "date_of_death" in fields else case.date_of_death
    if {"date_of_birth", "date_of_death"} & set(fields):
        check_dates(born, died, config.today(), born_loc=["body", "date_of_birth"],
                    died_loc=["body", "date_of_death"])
    old_death = case.date_of_death
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
        case.updated_at = config.now()  # an UPDATE even if values are unchanged: a new ETag
    session.flush()
    if _IDENTITY & set(fields):
        flag_duplicates(session, case)
    if case.date_of_death != old_death:
        clocks.death_date_changed(session, case.id, old_death, case.date_of_death)
    record(session, actor=principal.actor, action="child_death.update", subject_type=SUBJECT,
           subject_id=case.id, data={"fields": fields})
    return case, views.detail(session, case)


def transition(session: Session, principal: Principal, case_id: int, payload: dict[str, Any],
               if_match: str | None) -> tuple[RowRecord, dict[str, Any]]:
    """Apply an action of the table to the case, loaded with the row lock as a ``RowRecord``."""
    case = repo.get_for_transition(session, principal, case_id)
    apply_transition(session, WORKFLOW, case, payload, principal, if_match)
    return case, views.detail(session, case)


# ---- review meetings (JAR, CDRM) and holds past their expected date ----


def list_review_meetings(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    """The case's review meetings (``ReviewMeetingOut``), audited; 404 as ``get_readable``."""
    case = repo.get_readable(session, principal, case_id)
    record(session, actor=principal.actor, action="child_death.review_meetings", subject_type=SUBJECT,
           subject_id=case.id)
    return clocks.meetings_of(session, case.id)


def record_review_meeting(session: Session, principal: Principal, case_id: int,
                          body: ReviewMeetingIn) -> dict[str, Any]:
    """A JAR or CDRM held about the case (``ReviewMeetingOut``): a history entry on the case's
    timeline, an audit event, and for a CDRM its clock met on the day it was held. A case that
    is closed, withdrawn or transferred out: 409. The case's version moves on (a new ETag)."""
    case = repo.get_readable(session, principal, case_id, lock=True)
    if case.status in TERMINAL_STATES:
        raise Conflict(f"review meetings cannot be recorded for a case that is {case.status.replace('_', ' ')}")
    errors = []
    if body.held_on > config.today():
        errors.append({"loc": ["body", "held_on"], "msg": "the meeting date is in the future"})
    elif body.held_on < case.date_of_death:
        errors.append({"loc": ["body", "held_on"], "msg": "the meeting date is before the death"})
    seen: set[str] = set()
    for i, name in enumerate(body.agencies):
        if name.lower() in seen:
            errors.append({"loc": ["body", "agencies", i], "msg": f"'{name}' is named twice"})
        seen.add(name.lower())
    if errors:
        raise ValidationFailed(errors)
    now = config.now()
    meeting = ReviewMeeting(child_death_id=case.id, kind=body.kind, held_on=body.held_on,
                            agencies=list(body.agencies), outcome=body.outcome, recorded_at=now,
                            recorded_by=principal.name or principal.actor)
    session.add(meeting)
    case.updated_at = now  # the case's view changes: a new version and ETag
    session.flush()
    if body.kind == "cdrm":
        clocks.cdrm_held(session, case.id, body.held_on)
    session.add(WorkflowHistory(subject_type=SUBJECT, subject_id=case.id, at=now, actor=principal.actor,
                                actor_name=principal.name, action=f"record_{body.kind}",
                                from_state=case.status, to_state=case.status, note=None,
                                data={"review_meeting_id": meeting.id, "held_on": body.held_on.isoformat(),
                                      "agencies": len(body.agencies)}))
    session.flush()
    record(session, actor=principal.actor, action="child_death.review_meeting", subject_type=SUBJECT,
           subject_id=case.id, data={"review_meeting_id": meeting.id, "kind": body.kind})
    return next(m for m in clocks.meetings_of(session, case.id) if m["id"] == meeting.id)


def hold_overdue_job(session: Session, today: dt.date) -> int:
    """The periodic job: each open hold whose expected date has passed is emailed to the
    coordinators once (again only after a review gives it a new date that passes too)."""
    holds = clocks.holds_to_notify(session, today)
    if not holds:
        return 0
    settings = config.settings()
    recipients = sorted(u.email for u in session.execute(select(User).where(User.is_active.is_(True))).scalars()
                        if COORDINATOR in (u.roles or []))
    if not recipients:
        return 0  # nobody to tell yet: the holds stay unnotified until a coordinator exists
    now = config.now()
    for hold in holds:
        for to in recipients:
            emails.hold_overdue(session, settings, hold, to)
        clocks.mark_hold_notified(session, hold.id, now)
        record(session, actor="system", action="child_death.hold_overdue", subject_type=SUBJECT,
               subject_id=hold.child_death_id, data={"hold_id": hold.id, "recipients": len(recipients)})
    return len(holds)


# ---- panel meetings ----


def papers(session: Session, principal: Principal, meeting_id: int) -> PanelPapers:
    """The anonymised papers of a CDOP panel meeting the caller may read (else 404)."""
    meeting, _kind = load_meeting(session, meeting_id, principal)
    if meeting.kind != "cdop_panel":
        raise NotFound("this kind of meeting has no papers")
    ids = [a.subject_id for a in meeting.agenda if a.subject_type == SUBJECT]
    cases = repo.cases_by_ids(session, ids)
    forms = requests.list_for(session, SUBJECT, list(cases))
    record(session, actor=principal.actor, action="child_death.papers", subject_type="meeting",
           subject_id=meeting.id, data={"case_ids": ids})
    return views.panel_papers(meeting, [cases[i] for i in ids if i in cases], forms)


def can_add_to_agenda(session: Session, case_id: int) -> str | None:
    return ("a child death is put on a panel agenda with its schedule_for_panel action "
            "(POST /child-deaths/{id}/transitions), which checks it is ready for panel")


def remove_from_agenda(session: Session, case_id: int, principal: Principal, meeting_id: int | None = None) -> None:
    """Core's hook before a child death leaves a panel agenda: a case scheduled for that
    meeting goes back to ``ready_for_panel`` (history row, audit event). A case already
    reviewed, or listed there only from an earlier deferral, keeps its state."""
    case = repo.get_for_update(session, case_id)
    if case is None or case.status != "scheduled_for_panel" or case.panel_meeting_id is None:
        return
    if meeting_id is None:
        meeting_id = repo.meeting_being_changed(session, case_id, case.panel_meeting_id)
    if meeting_id != case.panel_meeting_id:
        return
    now = config.now()
    case.status = "ready_for_panel"
    case.status_changed_at = now
    case.panel_meeting_id = None
    session.add(WorkflowHistory(subject_type=SUBJECT, subject_id=case.id, at=now, actor=principal.actor,
                                actor_name=principal.name, action="remove_from_agenda",
                                from_state="scheduled_for_panel", to_state="ready_for_panel", note=None,
                                data={"meeting_id": meeting_id}))
    session.flush()
    record(session, actor=principal.actor, action="child_death.remove_from_agenda", subject_type=SUBJECT,
           subject_id=case.id, data={"meeting_id": meeting_id, "from": "scheduled_for_panel",
                                     "to": "ready_for_panel"})


# ---- reporting forms ----


def _assignee(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active or "agency_author" not in (user.roles or []):
        raise ValidationFailed.field(["body", "assignee_user_id"], "no active agency author with this id")
    return user


def list_forms(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id)
    today = config.today()
    record(session, actor=principal.actor, action="reporting_form.list", subject_type=SUBJECT, subject_id=case.id)
    return [views.form_out(r, today) for r in repo.forms_of_case(session, case.id)]


def add_form(session: Session, settings: Settings, principal: Principal, case_id: int,
             body: ReportingFormCreate) -> dict[str, Any]:
    """Request a reporting form from one more agency: its contact gets a single-use link, an
    assigned agency author an email pointing at their forms in the staff app."""
    case = repo.get_readable(session, principal, case_id, lock=True)
    if case.status not in OPEN_FOR_FORMS:
        raise Conflict(f"reporting forms cannot be requested for a case that is {case.status}")
    today = config.today()
    due_on = body.due_on
    if due_on is None:
        due_on = add_working_days(today, config.get_config().reporting_form_due_working_days)
    elif due_on < today:
        raise ValidationFailed.field(["body", "due_on"], "the due date must not be in the past")
    assignee = _assignee(session, body.assignee_user_id) if body.assignee_user_id is not None else None
    contact = str(body.contact_email) if body.contact_email else None
    asked = form_defs.refs_for_keys(body.forms)
    (req,) = create_forms(session, settings, case, [(body.agency, contact)], due_on=due_on, assignee=assignee,
                          forms=asked)
    record(session, actor=principal.actor, action=f"{FORM_KIND}.request", subject_type=SUBJECT,
           subject_id=case.id, data={"request_id": req.id})
    return views.form_out(req, today)


def form_definitions(*, all_versions: bool) -> list[dict[str, Any]]:
    """The shipped definitions (no case data: not audited)."""
    found = form_defs.all_definitions() if all_versions else form_defs.latest_definitions()
    return [d.model_dump(by_alias=True) for d in found]


def form_definition(key: str, version: int) -> dict[str, Any]:
    found = form_defs.definition(key, version)
    if found is None:
        raise NotFound(f"no form '{key}' version {version}")
    return found.model_dump(by_alias=True)


def waive_form(session: Session, principal: Principal, case_id: int, form_id: int, reason: str) -> dict[str, Any]:
    case = repo.get_readable(session, principal, case_id, lock=True)
    req = requests.get_for_subject(session, SUBJECT, case.id, form_id, lock=True)
    requests.waive(session, req, reason=reason, actor=principal.actor)
    return views.form_out(req, config.today())


def resend_form(session: Session, settings: Settings, principal: Principal, case_id: int,
                form_id: int) -> dict[str, Any]:
    """Email the contact a fresh single-use link (the earlier one stops working)."""
    case = repo.get_readable(session, principal, case_id)
    req = requests.get_for_subject(session, SUBJECT, case.id, form_id, lock=True)
    if req.status != "requested":
        raise Conflict(f"this reporting form is already {req.status}")
    if not req.contact_email:
        raise Conflict("this reporting form has no contact email")
    emails.form_link(session, settings, case, req)
    record(session, actor=principal.actor, action="reporting_form.resend", subject_type=SUBJECT,
           subject_id=case.id, data={"request_id": req.id})
    return views.form_out(req, config.today())


def validate_answers(req: AgencyRequest, body: ReportingFormSubmit, *,
                    draft: bool = False) -> tuple[dict[str, Any], list[str]]:
    """The answers checked against the form versions the request was made with
    (``cdop.forms.check``): 422 naming each field."""
    return form_defs.check(req.forms, body.answers, body.not_known, draft=draft)


def _submit(session: Session, req: AgencyRequest, body: ReportingFormSubmit, actor: str) -> ChildDeath:
    case = repo.case_of_form(session, req)
    if case is None or case.status in TERMINAL_STATES:
        raise NotFound("this reporting form is no longer open")
    answers, not_known = validate_answers(req, body)
    requests.submit(session, req, answers=answers, not_known=not_known, actor=actor)
    return case


def submit_assigned(session: Session, principal: Principal, case_id: int, form_id: int,
                    body: ReportingFormSubmit) -> dict[str, Any]:
    """A form submitted by its assigned agency author, or by the coordinator entering a form
    received another way; anyone else: 404."""
    req = requests.get_assigned_or_staff(session, SUBJECT, case_id, form_id, principal, (COORDINATOR,),
                                         lock=True, kind=FORM_KIND)
    case = _submit(session, req, body, principal.actor)
    return views.submitted(case, req)


def my_forms(session: Session, principal: Principal, *, open_only: bool, limit: int,
             cursor: str | None) -> dict[str, Any]:
    """A ``MyFormsPage``: the reporting forms assigned to the caller (reference and age band)."""
    after = None
    if cursor:
        (value,) = decode_cursor(cursor, 1)
        if not isinstance(value, int):
            raise ValidationFailed.field(["query", "cursor"], "invalid cursor")
        after = value
    today = config.today()
    rows = [views.agency_view(case, req, today)
            for req, case in repo.assigned_forms(session, principal.user_id, open_only=open_only, limit=limit,
                                                 after_id=after)]
    record(session, actor=principal.actor, action="reporting_form.mine", subject_type=SUBJECT,
           data={"request_ids": [r["form_id"] for r in rows[:limit]]})
    next_cursor = encode_cursor(rows[limit - 1]["form_id"]) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor}


def my_form(session: Session, principal: Principal, form_id: int) -> dict[str, Any]:
    """An ``AgencyFormView`` of one reporting form assigned to the caller; anything else: 404."""
    found = repo.assigned_form(session, principal.user_id, form_id)
    if found is None:
        raise NotFound("no such reporting form is assigned to you")
    req, case = found
    record(session, actor=principal.actor, action="reporting_form.mine", subject_type=SUBJECT,
           subject_id=case.id, data={"request_ids": [req.id]})
    return views.agency_view(case, req, config.today())


def save_my_draft(session: Session, principal: Principal, form_id: int, body: ReportingFormSubmit) -> dict[str, Any]:
    """Keep part of a form assigned to the caller (``AgencyFormView``): any sections, not yet
    submitted; someone else's form: 404; a submitted or waived one: 409."""
    found = repo.assigned_form(session, principal.user_id, form_id, lock=True)
    if found is None or found[1].status in TERMINAL_STATES:
        raise NotFound("no such open reporting form is assigned to you")
    req, case = found
    answers, not_known = validate_answers(req, body, draft=True)
    requests.save_draft(session, req, answers=answers, not_known=not_known, actor=principal.actor)
    return views.agency_view(case, req, config.today())


# the transition body as OpenAPI shows it
TRANSITION_BODY_SCHEMA = transition_body_schema([WORKFLOW], "ChildDeathTransition")


_DEAD_LINK = "this link is not valid, has expired or has been used"


def link_actor(req: AgencyRequest) -> str:
    return f"agency_link:{req.id}"


def resolve_public(session: Session, settings: Settings, token: str, *,
                   lock: bool = False) -> tuple[AgencyRequest, ChildDeath]:
    """The form and case a single-use link points at; a used, expired or altered link: 404."""
    req = requests.resolve_link(session, settings, token, lock=lock)
    if req.kind != FORM_KIND:
        raise NotFound(_DEAD_LINK)
    if req.link_expires_at is not None and req.link_expires_at < config.now():
        raise NotFound(_DEAD_LINK)
    case = repo.case_of_form(session, req)
    if case is None or case.status in TERMINAL_STATES:
        raise NotFound(_DEAD_LINK)
    return req, case


def open_public_form(session: Session, settings: Settings, token: str) -> dict[str, Any]:
    """The ``AgencyFormView`` a link opens, audited as opened by the link."""
    req, case = resolve_public(session, settings, token)
    record(session, actor=link_actor(req), action="reporting_form.link_opened",
           subject_type=SUBJECT, subject_id=case.id, data={"request_id": req.id})
    return views.public_view(case, req, config.today())


def submit_public_page(session: Session, settings: Settings, token: str,
                       body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None, Exception | None]:
    """The page's submission through a link: the ``PublicFormView`` (to show the form again),
    the ``PublicSubmittedForm`` when accepted, else the refusal (a pydantic ``ValidationError``
    or ``ValidationFailed``) with nothing written."""
    req, case = resolve_public(session, settings, token, lock=True)
    view = views.public_view(case, req, config.today())
    try:
        submission = ReportingFormSubmit.model_validate(body)
        with session.begin_nested():
            _submit(session, req, submission, link_actor(req))
    except (ValidationError, ValidationFailed) as exc:
        return view, None, exc
    return view, views.public_submitted(case, req), None


def submit_public(session: Session, settings: Settings, token: str, body: ReportingFormSubmit) -> dict[str, Any]:
    """Submit the form once through its link (``PublicSubmittedForm``); then the link is dead."""
    req, case = resolve_public(session, settings, token, lock=True)
    _submit(session, req, body, link_actor(req))
    return views.public_submitted(case, req)


def send_reminder(session: Session, req: AgencyRequest, overdue: bool) -> None:
    case = repo.case_of_form(session, req)
    if case is None or case.status in TERMINAL_STATES:
        return
    settings = config.settings()
    if req.contact_email:
        emails.form_link(session, settings, case, req, reminder=True, overdue=overdue)
    if req.assignee_user_id is not None:
        user = session.get(User, req.assignee_user_id)
        if user is not None and user.is_active:
            emails.form_assigned(session, settings, case, req, user.email, reminder=True, overdue=overdue)
    record(session, actor="system", action="reporting_form.reminder", subject_type=SUBJECT,
           subject_id=case.id, data={"request_id": req.id, "overdue": overdue})


def reminder_job(session: Session, today: dt.date) -> int:
    """The periodic job: reminders before the due date and while overdue, each with a fresh link."""
    return requests.send_reminders(session, SUBJECT, today, send_reminder)


# ---- the actions agreed at the panel (cdop.actions) ----


def list_actions(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    """The case's actions and where each stands (``ActionOut``), audited."""
    case = repo.get_readable(session, principal, case_id)
    today = config.today()
    record(session, actor=principal.actor, action="child_death.action_list", subject_type=SUBJECT,
           subject_id=case.id)
    return [views.action_view(a, today) for a in repo.actions_of(session, [case.id])[case.id]]


def _changed_action(session: Session, principal: Principal, case_id: int, action_id: int,
                    if_match: str | None) -> tuple[ChildDeath, ChildDeathAction]:
    case = repo.get_readable(session, principal, case_id)
    action = actions.get(session, case.id, action_id, lock=True)
    check_if_match(action, if_match)
    return case, action


def complete_action(session: Session, principal: Principal, case_id: int, action_id: int,
                    body: ActionComplete, if_match: str | None) -> tuple[ChildDeathAction, dict[str, Any]]:
    """Mark an action done (If-Match: the action's ETag), with the evidence; open actions only,
    whatever the case's status (a closed review keeps following its actions)."""
    case, action = _changed_action(session, principal, case_id, action_id, if_match)
    today = config.today()
    actions.complete(session, case, action, completed_on=body.completed_on, evidence=body.evidence,
                     actor=principal.actor, today=today)
    record(session, actor=principal.actor, action="child_death.action_complete", subject_type=SUBJECT,
           subject_id=case.id, data={"action_id": action.id})
    return action, views.action_view(action, today)


def cancel_action(session: Session, principal: Principal, case_id: int, action_id: int,
                  body: ActionCancel, if_match: str | None) -> tuple[ChildDeathAction, dict[str, Any]]:
    """An action no longer to be done, with the reason (If-Match: the action's ETag)."""
    case, action = _changed_action(session, principal, case_id, action_id, if_match)
    actions.cancel(session, case, action, reason=body.reason, actor=principal.actor)
    record(session, actor=principal.actor, action="child_death.action_cancel", subject_type=SUBJECT,
           subject_id=case.id, data={"action_id": action.id})
    return action, views.action_view(action, config.today())


def action_reminder_job(session: Session, today: dt.date) -> int:
    """The periodic job ``cdop.action_reminders``: each open action's owner reminded before its
    due date and weekly while it is overdue (``core.reminders``), each reminder audited."""
    sent = actions.send_reminders(session, config.settings(), today)
    for case_id, action_id in sent:
        record(session, actor="system", action="child_death.action_reminder", subject_type=SUBJECT,
               subject_id=case_id, data={"action_id": action_id})
    return len(sent)


# ---- the national data export (cdop.ncmd) ----


def ncmd_record(session: Session, principal: Principal, case_id: int) -> dict[str, Any]:
    """One case's ``NcmdRecord``; audited (one event, the case id, never its content)."""
    case = repo.get_readable(session, principal, case_id)
    out = ncmd.records(session, [case], config.now(), config.get_config().areas)[0]
    record(session, actor=principal.actor, action="child_death.ncmd_export", subject_type=SUBJECT,
           subject_id=case.id, data={"case_ids": [case.id]})
    return out


def ncmd_export(session: Session, principal: Principal, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """The records of the cases analysed in the period (``NcmdExport``; default: this calendar
    year so far, at most ``ncmd.MAX_PERIOD_DAYS`` days); one audit event naming every case."""
    today = config.today()
    start = start or dt.date(today.year, 1, 1)
    end = end or today
    if end < start:
        raise ValidationFailed.field(["query", "to"], "'to' is before 'from'")
    if (end - start).days >= ncmd.MAX_PERIOD_DAYS:
        raise ValidationFailed.field(["query", "from"],
                                     f"the period is limited to {ncmd.MAX_PERIOD_DAYS} days: export it in parts")
    cases = ncmd.analysed_between(session, start, end)
    now = config.now()
    out = ncmd.records(session, cases, now, config.get_config().areas)
    record(session, actor=principal.actor, action="child_death.ncmd_export", subject_type=SUBJECT,
           data={"from": start.isoformat(), "to": end.isoformat(), "case_ids": [c.id for c in cases]})
    return {"schema": ncmd.SCHEMA_NAME, "version": ncmd.SCHEMA_VERSION, "from": start, "to": end,
            "basis": ncmd.BASIS, "exported_at": now, "count": len(out), "records": out}


# ---- reports and interop ----


def report(session: Session, principal: Principal, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """The annual statistics for a period (default: this calendar year), audited."""
    today = config.today()
    start = start or dt.date(today.year, 1, 1)
    end = end or dt.date(today.year, 12, 31)
    if end < start:
        raise ValidationFailed.field(["query", "to"], "'to' is before 'from'")
    if (end - start).days > 3660:
        raise ValidationFailed.field(["query", "from"], "the period is limited to ten years")
    stats = reports.child_death_statistics(session, start, end, today)
    record(session, actor=principal.actor, action="child_death.report", subject_type=SUBJECT,
           data={"from": start.isoformat(), "to": end.isoformat()})
    return stats


def report_csv(stats: dict[str, Any]) -> str:
    return reports.to_csv(stats)


def status_for_interop(session: Session, payload: dict[str, Any]) -> dict[str, Any] | None:
    """``child_death.status``: {reference} -> {id, reference, status} or None."""
    reference = payload.get("reference")
    if not isinstance(reference, str):
        return None
    case = repo.by_reference(session, reference)
    return None if case is None else {"id": case.id, "reference": case.reference, "status": case.status}
