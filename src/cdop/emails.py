"""Every email the module sends, with the links in them.

Staff (an assigned agency author, a coordinator) are sent to the staff app page where the work
is: ``/app/my-forms`` and ``/app/child-deaths/{id}``. An agency contact without an account gets
the single-use link of its reporting form (the page and its JSON endpoint). Emails carry the
CDOP reference, never the child's name, date of birth, NHS number or address: they can be
forwarded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core.agency_requests import service as requests
from core.agency_requests.models import AgencyRequest
from core.outbox.service import enqueue_email
from core.settings import Settings
from cdop import forms as form_defs
from cdop.config import get_config
from cdop.models import ChildDeath


def _base(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/")


def my_forms_url(settings: Settings) -> str:
    """The staff app page listing the reporting forms assigned to the signed-in author."""
    return f"{_base(settings)}/app/my-forms"


def staff_case_url(settings: Settings, case_id: int) -> str:
    """The staff app page of a child death, for coordinators."""
    return f"{_base(settings)}/app/child-deaths/{case_id}"


def link_url(settings: Settings, token: str) -> str:
    """The JSON endpoint of API.md for this form's single-use token."""
    return f"{_base(settings)}/api/v1/public/reporting-forms/{token}"


def page_url(settings: Settings, token: str) -> str:
    """The web page a person opens from the email (same token, same single use)."""
    return f"{_base(settings)}/forms/reporting/{token}"


def _topic(case: ChildDeath) -> str:
    return f"child_death:{case.id}"


def notification_receipt(session: Session, settings: Settings, case: ChildDeath) -> None:
    enqueue_email(
        session, to=case.notifier_email,
        subject=f"Child death notification received: {case.reference}",
        body=(f"Thank you. Your child death notification has been received.\n\n"
              f"Reference: {case.reference}\n\nPlease quote this reference if you contact the "
              f"Child Death Overview Panel coordinator ({settings.contact_email}).\n\n"
              f"{settings.board_name}\n"),
        topic=_topic(case),
    )


def transferred_out(session: Session, settings: Settings, case: ChildDeath) -> None:
    if not case.home_cdop_email:
        return
    enqueue_email(
        session, to=case.home_cdop_email,
        subject=f"Child death notification transferred to your CDOP: {case.reference}",
        body=(f"{settings.board_name} has received a child death notification (reference "
              f"{case.reference}) for a child who normally lived in your area "
              f"({case.home_area}). Your Child Death Overview Panel is responsible for the "
              f"review.\n\nPlease contact {settings.contact_email} through a secure channel, "
              f"quoting the reference, for the details.\n"),
        topic=_topic(case),
    )


def _forms_line(req: AgencyRequest) -> str:
    """"Forms: ..." when a request asks for more than the reporting form (no case data)."""
    refs = form_defs.refs_out(req.forms)
    if [r["key"] for r in refs] == [form_defs.MAIN]:
        return ""
    return "Forms: " + "; ".join(r["title"] for r in refs) + "\n"


def form_link(session: Session, settings: Settings, case: ChildDeath, req: AgencyRequest,
              *, reminder: bool = False, overdue: bool = False) -> None:
    """Email the agency contact a fresh single-use link (any earlier one stops working)."""
    token = requests.issue_link(session, settings, req, days=get_config().reporting_form_link_days)
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
        f"{_forms_line(req)}"
        f"Due by: {req.due_on.isoformat()}\n\n"
        f"Complete the form at this link (it works once and expires on {expires}; any earlier "
        f"link for this form no longer works):\n{page_url(settings, token)}\n\n"
        f"Case management systems can submit the same form as JSON to:\n{link_url(settings, token)}\n\n"
        f"The coordinator will share who the child is through a secure channel if you need it; "
        f"please quote the CDOP reference.\n\n{settings.board_name}\n"
    )
    enqueue_email(session, to=req.contact_email or "", subject=subject, body=body, topic=_topic(case))


def form_assigned(session: Session, settings: Settings, case: ChildDeath, req: AgencyRequest, to: str,
                  *, reminder: bool = False, overdue: bool = False) -> None:
    """Tell the assigned agency author, with the link to their forms in the staff app."""
    what = "is overdue" if overdue else ("is due soon" if reminder else "has been assigned to you")
    enqueue_email(
        session, to=to,
        subject=f"Child death reporting form {case.reference} {what}",
        body=(f"A child death reporting form {what}.\n\nCDOP reference: {case.reference}\n"
              f"Agency: {req.agency}\nDue by: {req.due_on.isoformat()}\n\n"
              f"Complete it in your reporting forms: {my_forms_url(settings)}\n\n{settings.board_name}\n"),
        topic=_topic(case),
    )


def action_reminder(session: Session, settings: Settings, *, reference: str, case_id: int, description: str,
                    owner_agency: str, to: str, due_on: dt.date, overdue: bool) -> None:
    """Remind the owner of an action agreed at the panel (the action's words, the CDOP
    reference, never who the child was); the coordinator marks it complete."""
    what = "is overdue" if overdue else "is due soon"
    enqueue_email(
        session, to=to,
        subject=f"Child death review action {reference} {what}",
        body=(f"An action agreed by the Child Death Overview Panel {what}.\n\n"
              f"CDOP reference: {reference}\nOwner: {owner_agency}\nDue by: {due_on.isoformat()}\n\n"
              f"Action: {description}\n\nWhen it is done, tell the CDOP coordinator "
              f"({settings.contact_email}) what was done, so it can be marked complete.\n\n"
              f"{settings.board_name}\n"),
        topic=f"child_death:{case_id}",
    )


def hold_overdue(session: Session, settings: Settings, hold: Any, to: str) -> None:
    """Tell a coordinator that a hold's expected date has passed (``hold``: a row with ``id``,
    ``child_death_id``, ``reason``, ``expected_on`` and the case's ``reference``)."""
    enqueue_email(
        session, to=to,
        subject=f"Hold past its expected date: child death {hold.reference}",
        body=(f"The hold on child death {hold.reference} ({hold.reason.replace('_', ' ')}) was "
              f"expected to end on {hold.expected_on.isoformat()}, and it is still in place.\n\n"
              f"Review it (a new expected date, with a note of what the review found) or release "
              f"it: {staff_case_url(settings, hold.child_death_id)}\n\n{settings.board_name}\n"),
        topic=f"child_death:{hold.child_death_id}",
    )
