"""Reporting forms: one per agency that knew the child (core agency requests, kind
``reporting_form``), due in ``ECR_REPORTING_FORM_DUE_WORKING_DAYS`` working days, chased by
reminders, submitted through a single-use emailed link or by the assigned agency author, or
waived by the coordinator.

What an agency sees (by link, or logged in as the assigned ``agency_author``): the CDOP
reference, its own agency name, the due date, the sections and the child's age band at death.
Never the child's name, NHS number, date of birth or address, nor the notifier: a link travels
by email and can be forwarded. The coordinator tells the named contact who the child is through
a secure channel, quoting the reference. Emails carry only the reference, the due date and the
link.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.agency_requests import service as requests
from core.agency_requests.models import AgencyRequest
from core.audit import record
from core.auth.models import User
from core.auth.principal import Principal
from core.deadlines import add_working_days
from core.errors import Conflict, NotFound, ValidationFailed
from core.outbox.service import enqueue_email
from core.settings import Settings
from core.workflow.record import RowRecord
from cdop import runtime
from cdop.domain import (
    AGE_BAND_LABELS,
    FORM_KIND,
    REPORTING_FORM_SECTIONS,
    SECTION_KEYS,
    SUBJECT_TYPE,
    TERMINAL_STATES,
    age_band,
)
from cdop.models import ChildDeath
from cdop.schemas import ReportingFormSubmit

# a case as the form functions read it: the entity, or the row a transition loads (core.workflow.record)
CaseRow = ChildDeath | RowRecord

OPEN_FOR_FORMS = ("notified", "information_gathering", "on_hold", "ready_for_panel")


def sections() -> list[dict[str, str]]:
    return [{"key": k, "title": t, "help": h} for k, t, h in REPORTING_FORM_SECTIONS]


def link_url(settings: Settings, token: str) -> str:
    """The JSON endpoint of API.md for this form's single-use token."""
    return f"{settings.public_base_url.rstrip('/')}/api/v1/public/reporting-forms/{token}"


def page_url(settings: Settings, token: str) -> str:
    """The web page a person opens from the email (same token, same single use)."""
    return f"{settings.public_base_url.rstrip('/')}/forms/reporting/{token}"


def _email_link(session: Session, settings: Settings, case: CaseRow, req: AgencyRequest,
                *, reminder: bool = False, overdue: bool = False) -> None:
    token = requests.issue_link(session, settings, req)
    expires = req.link_expires_at.date().isoformat() if req.link_expires_at else ""
    if reminder:
        subject = (f"Overdue: child death reporting form {case.reference}" if overdue
                   else f"Reminder: child death reporting form {case.reference} due {req.due_on.isoformat()}")
        opening = ("The reporting form below is now overdue." if overdue
                   else "This is a reminder that the reporting form below is due soon.")
    else:
        subject = f"Child death reporting form requested: {case.reference}"
        opening = "The Child Death Overview Panel asks your agency to complete a reporting form."
    body = (
        f"{opening}\n\n"
        f"CDOP reference: {case.reference}\n"
        f"Agency: {req.agency}\n"
        f"Due by: {req.due_on.isoformat()}\n\n"
        f"Complete the form at this link (it works once and expires on {expires}; any earlier "
        f"link for this form no longer works):\n{page_url(settings, token)}\n\n"
        f"Case management systems can submit the same form as JSON to:\n{link_url(settings, token)}\n\n"
        f"The coordinator will share who the child is through a secure channel if you need it; "
        f"please quote the CDOP reference.\n\n{settings.board_name}\n"
    )
    enqueue_email(session, to=req.contact_email or "", subject=subject, body=body,
                  topic=f"child_death:{case.id}")


def _email_assignee(session: Session, settings: Settings, case: CaseRow, req: AgencyRequest,
                    user: User, *, reminder: bool = False, overdue: bool = False) -> None:
    what = "is overdue" if overdue else ("is due soon" if reminder else "has been assigned to you")
    enqueue_email(
        session, to=user.email,
        subject=f"Child death reporting form {case.reference} {what}",
        body=(f"A child death reporting form {what}.\n\nCDOP reference: {case.reference}\n"
              f"Agency: {req.agency}\nDue by: {req.due_on.isoformat()}\n\n"
              f"Sign in to complete it: {settings.public_base_url.rstrip('/')}/\n\n{settings.board_name}\n"),
        topic=f"child_death:{case.id}",
    )


def _assignee(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active or "agency_author" not in (user.roles or []):
        raise ValidationFailed.field(["body", "assignee_user_id"], "no active agency author with this id")
    return user


def request_form(
    session: Session, settings: Settings, case: CaseRow, *, agency: str, actor: str,
    contact_email: str | None = None, due_on: dt.date | None = None,
    assignee_user_id: int | None = None,
) -> AgencyRequest:
    """Create one reporting form and email its link (and/or tell its assignee)."""
    today = runtime.today()
    if due_on is None:
        due_on = add_working_days(today, settings.reporting_form_due_working_days)
    elif due_on < today:
        raise ValidationFailed.field(["body", "due_on"], "the due date must not be in the past")
    user = _assignee(session, assignee_user_id) if assignee_user_id is not None else None
    req = requests.create_request(
        session, subject_type=SUBJECT_TYPE, subject_id=case.id, kind=FORM_KIND, agency=agency,
        due_on=due_on, actor=actor, contact_email=contact_email, assignee_user_id=assignee_user_id,
    )
    if contact_email:
        _email_link(session, settings, case, req)
    if user is not None:
        _email_assignee(session, settings, case, req, user)
    return req


def request_notified_agencies(session: Session, settings: Settings, case: CaseRow, actor: str) -> list[AgencyRequest]:
    """One form per agency of the notification that has none yet. As :func:`request_form` for
    each (the request as ``core.agency_requests.service.create_request`` makes it, its audit
    event, its emailed link), but the forms are inserted together, in one flush."""
    c = AgencyRequest.__table__.c
    existing = {a.lower() for a in session.execute(
        select(c.agency).where(c.subject_type == SUBJECT_TYPE, c.subject_id == case.id)
    ).scalars()}
    wanted: list[tuple[str, str | None]] = []
    for agency in case.agencies or []:
        name = str(agency.get("name", "")).strip()
        if not name or name.lower() in existing:
            continue
        existing.add(name.lower())
        wanted.append((name, agency.get("contact_email")))
    if not wanted:
        return []
    due_on = add_working_days(runtime.today(), settings.reporting_form_due_working_days)
    created = [
        AgencyRequest(subject_type=SUBJECT_TYPE, subject_id=case.id, kind=FORM_KIND, agency=name,
                      contact_email=contact_email, assignee_user_id=None, due_on=due_on,
                      status="requested", answers={}, not_known=[])
        for name, contact_email in wanted
    ]
    session.add_all(created)
    session.flush()  # one INSERT of every form where the database returns their ids in order
    for req in created:
        record(session, actor=actor, action=f"{FORM_KIND}.request", subject_type=SUBJECT_TYPE,
               subject_id=case.id, data={"request_id": req.id})
    for req in created:  # the links and emails after the audit: flushed together by the caller
        if req.contact_email:
            _email_link(session, settings, case, req)
    return created


def add_form(session: Session, settings: Settings, case: CaseRow, principal: Principal, *,
             agency: str, contact_email: str | None, due_on: dt.date | None,
             assignee_user_id: int | None) -> AgencyRequest:
    if case.status not in OPEN_FOR_FORMS:
        raise Conflict(f"reporting forms cannot be requested for a case that is {case.status}")
    return request_form(session, settings, case, agency=agency, actor=principal.actor,
                        contact_email=contact_email, due_on=due_on, assignee_user_id=assignee_user_id)


def resend_link(session: Session, settings: Settings, case: CaseRow, req: AgencyRequest) -> None:
    if req.status != "requested":
        raise Conflict(f"this reporting form is already {req.status}")
    if not req.contact_email:
        raise Conflict("this reporting form has no contact email")
    _email_link(session, settings, case, req)


def waive_open_forms(session: Session, case: CaseRow, reason: str, actor: str) -> int:
    n = 0
    for req in requests.list_for(session, SUBJECT_TYPE, [case.id])[case.id]:
        if req.status == "requested":
            requests.waive(session, req, reason=reason, actor=actor)
            n += 1
    return n


def validate_answers(body: ReportingFormSubmit) -> tuple[dict[str, str], list[str]]:
    """Every section is either answered or marked not known, never both."""
    answered = set(body.answers)
    not_known = set(body.not_known)
    errors = [{"loc": ["body", "not_known"], "msg": f"'{k}' is both answered and marked not known"}
              for k in sorted(answered & not_known)]
    missing = [k for k in SECTION_KEYS if k not in answered and k not in not_known]
    if missing:
        errors.append({"loc": ["body", "answers"],
                       "msg": "answer or mark as not known every section; missing: " + ", ".join(missing)})
    if errors:
        raise ValidationFailed(errors)
    return dict(body.answers), sorted(not_known)


def submit_form(session: Session, req: AgencyRequest, body: ReportingFormSubmit, actor: str) -> AgencyRequest:
    case = session.get(ChildDeath, req.subject_id)
    if case is None or case.status in TERMINAL_STATES:
        raise NotFound("this reporting form is no longer open")
    answers, not_known = validate_answers(body)
    return requests.submit(session, req, answers=answers, not_known=not_known, actor=actor)


def age_band_text(case: CaseRow) -> str:
    return AGE_BAND_LABELS[age_band(case.age_at_death_days, case.age_at_death_years)]


def agency_view(case: CaseRow, req: AgencyRequest, today: dt.date) -> dict[str, Any]:
    """What an agency contact or author sees: no identifiers beyond the CDOP reference."""
    return {
        "reference": case.reference,
        "form_id": req.id,
        "agency": req.agency,
        "due_on": req.due_on,
        "status": req.status,
        "overdue": requests.is_overdue(req, today),
        "child_age_band": age_band_text(case),
        "sections": sections(),
        "answers": req.answers or {},
        "not_known": req.not_known or [],
        "submitted_at": req.submitted_at,
    }


def form_out(req: AgencyRequest, today: dt.date) -> dict[str, Any]:
    out = requests.to_dict(req, today)
    out["submitted_by"] = req.submitted_by
    return out


def resolve_public(session: Session, settings: Settings, token: str, *, lock: bool = False) -> tuple[AgencyRequest, ChildDeath]:
    req = requests.resolve_link(session, settings, token, lock=lock)
    if req.subject_type != SUBJECT_TYPE or req.kind != FORM_KIND:
        raise NotFound("this link is not valid, has expired or has been used")
    if req.link_expires_at is not None and req.link_expires_at < runtime.now():
        raise NotFound("this link is not valid, has expired or has been used")
    case = session.get(ChildDeath, req.subject_id)
    if case is None or case.status in TERMINAL_STATES:
        raise NotFound("this link is not valid, has expired or has been used")
    return req, case


def link_actor(req: AgencyRequest) -> str:
    return f"agency_link:{req.id}"


def my_forms(session: Session, principal: Principal, today: dt.date, *, open_only: bool,
             limit: int, after_id: int | None) -> list[dict[str, Any]]:
    stmt = (
        select(AgencyRequest, ChildDeath)
        .join(ChildDeath, ChildDeath.id == AgencyRequest.subject_id)
        .where(AgencyRequest.subject_type == SUBJECT_TYPE, AgencyRequest.kind == FORM_KIND,
               AgencyRequest.assignee_user_id == (principal.user_id or -1))
        .order_by(AgencyRequest.id)
        .limit(limit + 1)
    )
    if open_only:
        stmt = stmt.where(AgencyRequest.status == "requested",
                          ChildDeath.status.not_in(TERMINAL_STATES))
    if after_id is not None:
        stmt = stmt.where(AgencyRequest.id > after_id)
    return [agency_view(case, req, today) for req, case in session.execute(stmt).all()]


def get_assigned(session: Session, principal: Principal, case_id: int, form_id: int) -> tuple[AgencyRequest, ChildDeath]:
    """The form for a submit: coordinators may submit any (e.g. a form received by post);
    an agency author only a form assigned to them. Anything else: 404."""
    req = session.get(AgencyRequest, form_id)
    case = session.get(ChildDeath, case_id)
    if (req is None or case is None or req.subject_type != SUBJECT_TYPE or req.kind != FORM_KIND
            or req.subject_id != case_id):
        raise NotFound("no such reporting form")
    if "cdop_coordinator" not in principal.roles and (
        principal.user_id is None or req.assignee_user_id != principal.user_id
    ):
        raise NotFound("no such reporting form")
    return req, case


def send_reminder(session: Session, req: AgencyRequest, overdue: bool) -> None:
    case = session.get(ChildDeath, req.subject_id)
    if case is None or case.status in TERMINAL_STATES:
        return
    settings = runtime.settings()
    if req.contact_email:
        _email_link(session, settings, case, req, reminder=True, overdue=overdue)
    if req.assignee_user_id is not None:
        user = session.get(User, req.assignee_user_id)
        if user is not None and user.is_active:
            _email_assignee(session, settings, case, req, user, reminder=True, overdue=overdue)
    record(session, actor="system", action="reporting_form.reminder", subject_type=SUBJECT_TYPE,
           subject_id=case.id, data={"request_id": req.id, "overdue": overdue})


def reminder_job(session: Session, today: dt.date) -> int:
    """The periodic job: reminders before the due date and while overdue, each with a fresh link."""
    return requests.send_reminders(session, SUBJECT_TYPE, today, send_reminder)
