"""Public pages for child deaths (no login; they work without JavaScript).

- ``/notify/child-death``: the notification form. It validates with the API's own schema
  (``NotificationIn``) and calls the API's service (``service.public_notification``), under the
  same rate limit, so the page and ``POST /api/v1/public/child-death-notifications`` accept,
  refuse and store the same things.
- ``/notify/child-death/confirmation``: the reference (after a redirect; it travels in a
  short-lived signed HttpOnly cookie).
- ``/forms/reporting/{token}``: the agency reporting form opened from the emailed single-use
  link (``service.open_public_form`` / ``service.submit_public_page``, as
  ``/api/v1/public/reporting-forms``).
  A used, expired or altered link shows the friendly 404 page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path as PathParam, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from core.auth.deps import public
from core.db.session import SessionDep
from core.errors import ValidationFailed
from core.http.ratelimit import public_rate_limited
from core.settings import Settings
from core.web.notification import CHILD, child_name_fields, notifier_fieldset
from core.web import (
    CheckedForm,
    Field,
    Fieldset,
    FormSpec,
    NotificationPage,
    PageRenderer,
    Repeat,
    add_start_link,
    honeypot_triggered,
    read_signed_cookie,
    set_signed_cookie,
)
from cdop import config, service, views
from cdop.schemas import NotificationIn

pages = PageRenderer(Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
AppSettings = Annotated[Settings, Depends(config.use_settings)]
Token = Annotated[str, PathParam(min_length=10, max_length=2048)]

FORM_PATH = "/notify/child-death"
CONFIRMATION_PATH = "/notify/child-death/confirmation"
REPORTING_PATH = "/forms/reporting"
REPORTING_SENT_PATH = "/forms/reporting/sent"
RECEIPT_COOKIE = "ecr_cd_receipt"
REPORTING_COOKIE = "ecr_rf_receipt"
RECEIPT_SECONDS = 30 * 60

add_start_link(FORM_PATH, "Notify the death of a child",
               "Tell the Child Death Overview Panel about the death of a child under 18 who lived "
               "in the partnership’s area, whatever the cause.")

NOTIFICATION_FORM = FormSpec(fieldsets=[
    notifier_fieldset(email_hint="We will send a receipt to this address.",
                      agency_hint="For example, the name of the NHS trust, council, police force or school."),
    Fieldset("About the child", id="about-the-child", fields=[
        *child_name_fields(),
        Field("child.date_of_birth", "Date of birth", kind="date", hint="For example, 27 3 2012",
              error_name=f"{CHILD} date of birth"),
        Field("child.sex", "Sex", kind="radios", optional=True, error_name=f"{CHILD} sex",
              options=(("female", "Female"), ("male", "Male"), ("indeterminate", "Indeterminate"),
                       ("not_known", "Not known"))),
        Field("child.nhs_number", "NHS number", optional=True, width="10", autocomplete="off",
              spellcheck=False, error_name=f"{CHILD} NHS number",
              hint="10 digits, for example 943 476 5919. If there is none, write ‘not available’ "
                   "or ‘non-resident in England’."),
        Field("child.ethnicity", "Ethnicity", optional=True, width="20"),
        Field("child.address", "Home address", kind="textarea", rows=3, optional=True,
              autocomplete="off"),
        Field("child.local_authority", "Local authority", optional=True,
              hint="The council area the child lived in."),
    ]),
    Fieldset("About the death", id="about-the-death", fields=[
        Field("death.date", "Date of death", kind="date", hint="For example, 5 11 2025",
              error_name="the date of death"),
        Field("death.time", "Time of death", kind="time", optional=True, width="5",
              error_name="the time of death", hint="Use the 24-hour clock, for example 14:30."),
        Field("death.place", "Where did the child die?", kind="radios", error_name="where the child died",
              options=(("hospital", "Hospital"), ("home", "The child’s home"), ("hospice", "Hospice"),
                       ("other_residence", "Another home, for example a relative’s"),
                       ("public_place", "A public place"), ("abroad", "Abroad"),
                       ("other", "Somewhere else"))),
        Field("death.place_detail", "Name or details of the place", optional=True,
              hint="For example, the name of the hospital."),
        Field("death.expected", "Was the death expected?", kind="boolean",
              error_name="whether the death was expected",
              hint="An expected death is one anticipated as a significant possibility 24 hours "
                   "before it happened, for example from a life-limiting condition."),
        Field("death.jar_triggered", "Was a joint agency response started?", kind="boolean",
              optional=True, not_known_label="Not known",
              error_name="whether a joint agency response was started"),
        Field("death.coroner_involved", "Has the death been referred to the coroner?", kind="boolean",
              optional=True, not_known_label="Not known",
              error_name="whether the death was referred to the coroner"),
    ]),
    Fieldset("Agencies that knew the child", id="agencies",
             hint="List each agency that knew the child or family, for example the GP, the school, "
                  "children’s social care or the police. The Child Death Overview Panel "
                  "coordinator will ask each of them for a reporting form.",
             fields=[
                 Repeat("agencies", "Agency", min_rows=3, max_rows=30, fields=[
                     Field("name", "Name of agency", error_name="the name of the agency"),
                     Field("contact_email", "Contact email address", kind="email", optional=True,
                           spellcheck=False, autocomplete="off"),
                 ]),
             ]),
])


NOTIFICATION = NotificationPage(pages, NOTIFICATION_FORM, NotificationIn, "cdop/notify.html",
                                "Notify the death of a child", CONFIRMATION_PATH, RECEIPT_COOKIE,
                                max_age=RECEIPT_SECONDS)


@router.get(FORM_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
def notification_form(request: Request) -> HTMLResponse:
    return NOTIFICATION.render(request)


@router.post(FORM_PATH, response_class=HTMLResponse, dependencies=[Depends(public_rate_limited)])
def send_notification(request: Request, session: SessionDep, settings: AppSettings,
                      data: CheckedForm) -> Response:
    return NOTIFICATION.submit(request, session, data,
                               lambda body: service.public_notification(session, settings, body))


@router.get(CONFIRMATION_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
def confirmation(request: Request) -> Response:
    receipt = NOTIFICATION.receipt(request)
    if receipt is None:
        return RedirectResponse(FORM_PATH, status_code=303)
    return pages.render(request, "cdop/confirmation.html", {
        "title": "Notification sent", "reference": receipt.get("reference", ""),
        "robots": "noindex, nofollow",
    })


# ---- the reporting form opened from the emailed link -----------------------------------------

def reporting_spec() -> FormSpec:
    return FormSpec(fieldsets=[
        Fieldset(s["title"], id=f"section-{s['key'].replace('_', '-')}", hint=s["help"], fields=[
            Field(f"answers.{s['key']}", "Information from your agency", kind="textarea", rows=6,
                  error_name=f"information about {s['title'].lower()}"),
            Field(f"not_known.{s['key']}", "Not known: my agency has no information for this section",
                  kind="checkbox"),
        ])
        for s in views.sections()
    ])


def _render_reporting(request: Request, view: dict[str, Any], form: Any, *,
                      status_code: int = 200) -> HTMLResponse:
    return pages.render(request, "cdop/reporting_form.html", {
        "title": "Child death reporting form", "view": view, "form": form,
        "robots": "noindex, nofollow",
    }, status_code=status_code)


def _section_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Where to show the service's refusal: on each section that is answered and marked not
    known, or neither (the service decides that the form is refused; this only places it)."""
    answered = set(body.get("answers", {}))
    not_known = set(body.get("not_known", []))
    errors = []
    for s in views.sections():
        key = s["key"]
        if key in answered and key in not_known:
            errors.append({"loc": ["answers", key], "msg": f"Either give information about "
                           f"{s['title'].lower()} or tick ‘Not known’, not both"})
        elif key not in answered and key not in not_known:
            errors.append({"loc": ["answers", key], "msg": f"Give information about {s['title'].lower()}, "
                           "or tick ‘Not known’"})
    return errors


@router.get(REPORTING_SENT_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
def reporting_form_sent(request: Request) -> Response:
    receipt = read_signed_cookie(request, REPORTING_COOKIE)
    return pages.render(request, "cdop/reporting_sent.html", {
        "title": "Reporting form sent", "reference": (receipt or {}).get("reference"),
        "agency": (receipt or {}).get("agency"), "robots": "noindex, nofollow",
    })


@router.get(REPORTING_PATH + "/{token}", response_class=HTMLResponse, dependencies=[Depends(public)])
def reporting_form(request: Request, token: Token, session: SessionDep,
                   settings: AppSettings) -> HTMLResponse:
    view = service.open_public_form(session, settings, token)
    return _render_reporting(request, view, reporting_spec().bind())


@router.post(REPORTING_PATH + "/{token}", response_class=HTMLResponse,
             dependencies=[Depends(public_rate_limited)])
def submit_reporting_form(request: Request, token: Token, session: SessionDep, settings: AppSettings,
                          data: CheckedForm) -> Response:
    if honeypot_triggered(request, data):
        service.resolve_public(session, settings, token)  # a dead link is still a 404
        return pages.render(request, "web/received.html", {"title": "Form sent"})
    spec = reporting_spec()
    parsed = spec.parse(data)
    body = {"answers": parsed.body.get("answers", {}),
            "not_known": [k for k, v in parsed.body.get("not_known", {}).items() if v is True]}
    view, sent, refused = service.submit_public_page(session, settings, token, body)
    if isinstance(refused, ValidationError):
        return _render_reporting(request, view, spec.bind(parsed.values, refused), status_code=422)
    if isinstance(refused, ValidationFailed):
        errors = [e for e in refused.extra.get("errors", [])
                  if list(e.get("loc", []))[-1:] not in (["answers"], ["not_known"])]
        return _render_reporting(request, view, spec.bind(parsed.values, _section_errors(body) + errors),
                                 status_code=422)
    assert sent is not None
    response = RedirectResponse(REPORTING_SENT_PATH, status_code=303)
    set_signed_cookie(request, response, REPORTING_COOKIE,
                      {"reference": sent["reference"], "agency": sent["agency"]},
                      path=REPORTING_SENT_PATH, max_age=RECEIPT_SECONDS)
    return response
