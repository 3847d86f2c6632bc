"""Public pages for case review notifications (no login; they work without JavaScript).

- ``/notify/case-review``: the notification form. It validates with the API's own schema
  (``PublicNotificationIn``) and creates the notification with the API's service
  (``service.create_public``), so the page and ``POST /api/v1/public/case-review-notifications``
  accept, refuse and store exactly the same things, under the same rate limit.
- ``/notify/case-review/confirmation``: the reference and the status token (after a redirect;
  both travel in a short-lived signed HttpOnly cookie, never in a URL).
- ``/notify/status``: look up a notification's stage with its reference and status token (the
  token is posted in the form body, never put in the URL).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.auth.deps import public
from core.db.session import SessionDep
from core.errors import NotFound
from core.http.ratelimit import public_rate_limited
from core.web.notification import CHILD, child_name_fields, notifier_fieldset
from core.web import (
    CheckedForm,
    Field,
    Fieldset,
    FormSpec,
    NotificationPage,
    PageRenderer,
    add_start_link,
    honeypot_triggered,
)
from ecr import service
from ecr.domain import REFERENCE_RE
from ecr.schemas import PublicNotificationIn

pages = PageRenderer(Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)

FORM_PATH = "/notify/case-review"
CONFIRMATION_PATH = "/notify/case-review/confirmation"
STATUS_PATH = "/notify/status"
RECEIPT_COOKIE = "ecr_cr_receipt"
RECEIPT_SECONDS = 30 * 60

add_start_link(FORM_PATH, "Notify a serious incident (case review notification)",
               "Tell the partnership about a serious incident where abuse or neglect of a child is "
               "known or suspected and the child has died or been seriously harmed.")
add_start_link(STATUS_PATH, "Check the progress of a case review notification",
               "You need the reference and the status token you were given when you sent it.")

NOTIFICATION_FORM = FormSpec(fieldsets=[
    notifier_fieldset(email_hint="We will send a receipt and tell you the decision at this address.",
                      agency_hint="For example, the name of the council, NHS trust, police force or school."),
    Fieldset("About the child", id="about-the-child", fields=[
        *child_name_fields(),
        Field("child.date_of_birth", "Date of birth", kind="date", optional=True,
              hint="For example, 27 3 2012", error_name=f"{CHILD} date of birth"),
        Field("child.sex", "Sex", kind="radios", optional=True, error_name=f"{CHILD} sex",
              options=(("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Not known"))),
        Field("child.ethnicity", "Ethnicity", optional=True, width="20"),
        Field("child.address", "Home address", kind="textarea", rows=3, optional=True,
              autocomplete="off"),
        Field("child.local_authority", "Local authority", optional=True,
              hint="The council area the child lives in."),
    ]),
    Fieldset("What happened", id="what-happened", fields=[
        Field("incident.date", "Date of the incident", kind="date",
              hint="If you do not know the exact date, give your best estimate. For example, 5 11 2025",
              error_name="the date of the incident"),
        Field("incident.type", "What was the outcome for the child?", kind="radios",
              error_name="the outcome for the child",
              options=(("death", "The child died"), ("serious_harm", "The child was seriously harmed"),
                       ("other", "Something else"))),
        Field("incident.description", "Describe what happened", kind="textarea", rows=8,
              error_name="a description of what happened",
              hint="Include what you know about the circumstances and the people involved."),
    ]),
    Fieldset("Why a review may be needed", id="why", fields=[
        Field("rationale", "Why do you think the case should be considered for a review?",
              kind="textarea", rows=6, error_name="why the case should be considered for a review",
              hint="For example, concerns about how agencies worked together."),
        Field("abuse_or_neglect_suspected", "Is abuse or neglect known or suspected?", kind="boolean",
              error_name="whether abuse or neglect is known or suspected"),
        Field("agencies_involved", "Which agencies were involved with the child or family?",
              kind="lines", rows=5, optional=True, error_name="the agencies involved",
              hint="Put each agency on a new line."),
    ]),
])

STATUS_FORM = FormSpec(fieldsets=[
    Fieldset("Your notification", id="your-notification", fields=[
        Field("reference", "Reference", width="10", autocomplete="off", spellcheck=False,
              hint="For example, CR-2026-0001", error_name="the reference"),
        Field("status_token", "Status token", autocomplete="off", spellcheck=False,
              hint="The status token you were given when you sent the notification.",
              error_name="the status token"),
    ]),
])

STAGES = {
    "received": "Received",
    "under_consideration": "Being considered",
    "decision_made": "Decision made",
    "closed": "Closed",
}
STAGE_TEXT = {
    "received": "The business unit has received your notification and will screen it soon.",
    "under_consideration": ("The notification is being screened, reviewed or considered by the "
                            "safeguarding partners."),
    "decision_made": "The safeguarding partners have made a decision.",
    "closed": "The notification has been dealt with and closed.",
}


NOTIFICATION = NotificationPage(pages, NOTIFICATION_FORM, PublicNotificationIn, "ecr/notify.html",
                                "Notify a serious incident", CONFIRMATION_PATH, RECEIPT_COOKIE,
                                receipt_keys=("reference", "status_token"), max_age=RECEIPT_SECONDS)


@router.get(FORM_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
def notification_form(request: Request) -> HTMLResponse:
    return NOTIFICATION.render(request)


@router.post(FORM_PATH, response_class=HTMLResponse, dependencies=[Depends(public_rate_limited)])
def send_notification(request: Request, session: SessionDep, data: CheckedForm) -> Response:
    return NOTIFICATION.submit(request, session, data,
                               lambda body: service.public_notification(session, body))


@router.get(CONFIRMATION_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
def confirmation(request: Request) -> Response:
    receipt = NOTIFICATION.receipt(request)
    if receipt is None:
        return RedirectResponse(FORM_PATH, status_code=303)
    return pages.render(request, "ecr/confirmation.html", {
        "title": "Notification sent", "reference": receipt.get("reference", ""),
        "status_token": receipt.get("status_token", ""), "robots": "noindex, nofollow",
        "status_path": STATUS_PATH,
    })


@router.get(STATUS_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
def status_form(request: Request, reference: str | None = None) -> HTMLResponse:
    values = {"reference": reference[:40]} if reference and REFERENCE_RE.fullmatch(reference) else {}
    return pages.render(request, "ecr/status.html", {
        "title": "Check the progress of a notification", "form": STATUS_FORM.bind(values),
        "robots": "noindex, nofollow", "back_link": "/notify",
    })


@router.post(STATUS_PATH, response_class=HTMLResponse, dependencies=[Depends(public_rate_limited)])
def status_lookup(request: Request, session: SessionDep, data: CheckedForm) -> HTMLResponse:
    parsed = STATUS_FORM.parse(data)
    values = dict(parsed.values)
    values["reference"] = values.get("reference", "").upper()
    form = STATUS_FORM.bind(values)
    if not values["reference"]:
        form.add_error("reference", "Enter the reference")
    if not values.get("status_token"):
        form.add_error("status_token", "Enter the status token")
    found = None
    if not form.has_errors and not honeypot_triggered(request, data):
        try:
            found = service.public_status(session, values["reference"], values["status_token"])
        except NotFound:
            found = None
        if found is None:
            form.add_error("status_token", "We could not find a notification with this reference and "
                                            "status token. Check both and try again")
    if found is None:
        if not form.has_errors:  # honeypot: say nothing useful
            form.add_error("status_token", "We could not find a notification with this reference and "
                                            "status token. Check both and try again")
        form.values.pop("status_token", None)  # never echo a token back
        return pages.render(request, "ecr/status.html", {
            "title": "Check the progress of a notification", "form": form,
            "robots": "noindex, nofollow", "back_link": "/notify",
        }, status_code=422 if form.has_errors else 200)
    return pages.render(request, "ecr/status_result.html", {
        "title": f"Notification {found['reference']}", "status": found,
        "stage_label": STAGES.get(found["stage"], found["stage"]),
        "stage_text": STAGE_TEXT.get(found["stage"], ""), "robots": "noindex, nofollow",
        "back_link": STATUS_PATH,
    })
