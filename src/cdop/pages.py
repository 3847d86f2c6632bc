"""Public pages for child deaths (no login; they work without JavaScript).

- ``/notify/child-death``: the notification form. It validates with the API's own schema
  (``NotificationIn``) and calls the API's service (``service.public_notification``), under the
  same rate limit, so the page and ``POST /api/v1/public/child-death-notifications`` accept,
  refuse and store the same things.
- ``/notify/child-death/confirmation``: the reference (after a redirect; it travels in a
  short-lived signed HttpOnly cookie).
- ``/forms/reporting/{token}``: the agency reporting form opened from the emailed single-use
  link (``service.open_public_form`` / ``service.submit_public_page``, as
  ``/api/v1/public/reporting-forms``): every form the request asked for, in its version, built
  from the definitions (``cdop.forms``). Conditional questions are always on the page, their
  hint saying which earlier answer they follow ("Answer only if you answered ‘Yes’ to ..."),
  so nothing needs JavaScript; the service refuses an answer to one whose condition does not
  hold, and the page shows that as an error on the question.
  A used, expired or altered link shows the friendly 404 page.
"""

from __future__ import annotations

import re
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
from cdop import config, service
from cdop import forms as form_defs
from cdop.forms.model import FormDefinition, FormQuestion
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

NOT_KNOWN_VALUE = "__not_known"  # the "Not known" radio of a yes/no or choice question


def _field_name(form_key: str, root: str, question: str) -> str:
    """The reporting form's answers sit at the top level (``answers.health``), a supplementary
    form's under its key (``answers.sudi_sudc.sleep_position``), as in the API's body."""
    return f"{root}.{question}" if form_key == form_defs.MAIN else f"{root}.{form_key}.{question}"


def _question_fields(d: FormDefinition, section: Any, q: FormQuestion) -> list[Field]:
    """A question as fields: its answer (a "Not known" radio on yes/no and choice questions)
    and, for the others, a "Not known" checkbox. A conditional question is always shown (no
    JavaScript needed), its hint saying when to answer it."""
    name = _field_name(d.key, "answers", q.key)
    legacy = d.key == form_defs.MAIN and q.label == "Information from your agency"
    hint = " ".join(h for h in (form_defs.shown_hint(d, q), None if legacy else q.hint) if h) or None
    noun = f"information about {section.title.lower()}" if legacy else f"an answer to ‘{q.label}’"
    common: dict[str, Any] = {"hint": hint, "optional": not q.required, "error_name": noun}
    if q.type in ("yes_no", "choice"):
        options = ([("yes", "Yes"), ("no", "No")] if q.type == "yes_no"
                   else [(c.value, c.label) for c in q.choices])
        return [Field(name, q.label, kind="radios", options=[*options, (NOT_KNOWN_VALUE, "Not known")],
                      inline=q.type == "yes_no", **common)]
    kind = {"text": "text", "long_text": "textarea", "multiple_choice": "checkboxes", "date": "date",
            "number": "number"}[q.type]
    extra: dict[str, Any] = {}
    if kind == "checkboxes":
        extra["options"] = [(c.value, c.label) for c in q.choices]
    if kind == "textarea":
        extra["rows"] = 6 if legacy else 4
    if kind == "number":
        extra["width"] = "5"
        extra["inputmode"] = "numeric" if q.integer else "decimal"
    not_known_label = ("Not known: my agency has no information for this section" if legacy else "Not known")
    return [Field(name, q.label, kind=kind, **common, **extra),
            Field(_field_name(d.key, "not_known", q.key), not_known_label, kind="checkbox")]


def reporting_spec(definitions: list[FormDefinition]) -> FormSpec:
    """The page's form for the forms a request asked for, in their versions."""
    return FormSpec(fieldsets=[
        Fieldset(s.title, hint=s.help,
                 id=(f"section-{s.key}" if d.key == form_defs.MAIN else f"section-{d.key}-{s.key}").replace("_", "-"),
                 fields=[f for q in s.questions for f in _question_fields(d, s, q)])
        for d in definitions for s in d.sections
    ])


def _groups(definitions: list[FormDefinition], spec: FormSpec) -> list[tuple[FormDefinition, list[Fieldset]]]:
    """The fieldsets of each form, for a heading per form."""
    out: list[tuple[FormDefinition, list[Fieldset]]] = []
    it = iter(spec.fieldsets)
    for d in definitions:
        out.append((d, [next(it) for _ in d.sections]))
    return out


def _number(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}(\.\d{1,6})?", value):
        n = float(value)
        return int(n) if n.is_integer() and "." not in value else n
    return value


def page_body(definitions: list[FormDefinition], parsed: dict[str, Any]) -> dict[str, Any]:
    """The API's body (``ReportingFormSubmit``) from the page's posted fields: yes/no as
    booleans, numbers as numbers, "Not known" (radio or checkbox) into ``not_known``."""
    given, marked = parsed.get("answers", {}), parsed.get("not_known", {})
    answers: dict[str, Any] = {}
    not_known: list[str] = []
    for d in definitions:
        main = d.key == form_defs.MAIN
        src = given if main else given.get(d.key, {})
        nks = marked if main else marked.get(d.key, {})
        src = src if isinstance(src, dict) else {}
        nks = nks if isinstance(nks, dict) else {}
        out: dict[str, Any] = {}
        for q in d.questions():
            value, unknown = src.get(q.key), nks.get(q.key) is True
            if value == NOT_KNOWN_VALUE:
                value, unknown = None, True
            elif q.type == "yes_no" and value in ("yes", "no"):
                value = value == "yes"
            elif q.type == "number":
                value = _number(value)
            if value not in (None, "", []):
                out[q.key] = value
            if unknown:
                not_known.append(q.key if main else f"{d.key}.{q.key}")
        if main:
            answers.update(out)
        elif out:
            answers[d.key] = out
    return {"answers": answers, "not_known": not_known}


def _shown_values(definitions: list[FormDefinition], view: dict[str, Any]) -> dict[str, str]:
    """The page's field values from a saved draft (yes/no and not known as the radios show them)."""
    values: dict[str, str] = {}
    by_form = form_defs.split(view.get("answers") or {}, view.get("not_known") or [],
                              [d.key for d in definitions])
    for d in definitions:
        given, unknown = by_form[d.key]
        for q in d.questions():
            name = _field_name(d.key, "answers", q.key)
            v = given.get(q.key)
            if q.key in unknown:
                if q.type in ("yes_no", "choice"):
                    values[name] = NOT_KNOWN_VALUE
                else:
                    values[_field_name(d.key, "not_known", q.key)] = "true"
            if v is None:
                continue
            if q.type == "yes_no" and isinstance(v, bool):
                values[name] = "yes" if v else "no"
            elif q.type == "multiple_choice" and isinstance(v, list):
                values[name] = "\n".join(str(x) for x in v)
            elif q.type == "date" and isinstance(v, str) and len(v) == 10:
                values[f"{name}.year"], values[f"{name}.month"], values[f"{name}.day"] = (
                    v[:4], str(int(v[5:7])), str(int(v[8:10])))
                values[name] = "x"
            else:
                values[name] = f"{v:g}" if isinstance(v, float) else str(v)
    return values


def _page_errors(definitions: list[FormDefinition], errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The service's refusals in the page's words, each on its question."""
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", [])]
        if loc[:1] == ["body"]:
            loc = loc[1:]
        msg = str(e.get("msg", ""))
        found = None
        if loc[:1] == ["answers"] and len(loc) >= 2:
            for d in definitions:
                key = loc[1] if d.key == form_defs.MAIN else (loc[2] if len(loc) >= 3 and loc[1] == d.key else None)
                for s in d.sections:
                    q = next((q for q in s.questions if q.key == key), None)
                    if q is not None:
                        found = (d, s, q)
                        break
                if found:
                    break
        if found is None:
            out.append({"loc": loc, "msg": msg})
            continue
        d, s, q = found
        legacy = d.key == form_defs.MAIN and q.label == "Information from your agency"
        label = f"information about {s.title.lower()}" if legacy else f"‘{q.label}’"
        choose = q.type in ("yes_no", "choice", "multiple_choice")
        if msg.startswith("missing"):
            if legacy:
                msg = f"Give information about {s.title.lower()}, or tick ‘Not known’"
            else:
                msg = (f"Select an answer to {label}, or ‘Not known’" if choose
                       else f"Answer {label}, or tick ‘Not known’")
        elif msg.startswith("either answer"):
            msg = (f"Either give {label} or tick ‘Not known’, not both" if legacy
                   else f"Either answer {label} or tick ‘Not known’, not both")
        elif msg.startswith("answer this only if"):
            msg = f"Leave {label} empty: {msg.replace('answer this only if', 'answer it only if')}"
        elif q.type == "date":
            msg = f"{q.label} must be a real date"
        else:
            msg = f"{label}: {msg}"
            msg = msg[:1].upper() + msg[1:]
        out.append({"loc": loc[:2] if d.key == form_defs.MAIN else loc[:3], "msg": msg})
    return out


def _render_reporting(request: Request, view: dict[str, Any], form: Any, definitions: list[FormDefinition], *,
                      status_code: int = 200) -> HTMLResponse:
    return pages.render(request, "cdop/reporting_form.html", {
        "title": "Child death reporting form", "view": view, "form": form,
        "groups": _groups(definitions, form.spec),
        # a heading per form unless the reporting form is the only one (as it always was)
        "several": [d.key for d in definitions] != [form_defs.MAIN],
        "robots": "noindex, nofollow",
    }, status_code=status_code)


def _definitions(view: dict[str, Any]) -> list[FormDefinition]:
    return [FormDefinition.model_validate(d) for d in view["forms"]]


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
    definitions = _definitions(view)
    return _render_reporting(request, view, reporting_spec(definitions).bind(_shown_values(definitions, view)),
                             definitions)


@router.post(REPORTING_PATH + "/{token}", response_class=HTMLResponse,
             dependencies=[Depends(public_rate_limited)])
def submit_reporting_form(request: Request, token: Token, session: SessionDep, settings: AppSettings,
                          data: CheckedForm) -> Response:
    if honeypot_triggered(request, data):
        service.resolve_public(session, settings, token)  # a dead link is still a 404
        return pages.render(request, "web/received.html", {"title": "Form sent"})
    req, _case = service.resolve_public(session, settings, token)
    definitions = form_defs.definitions_of(req.forms)
    spec = reporting_spec(definitions)
    parsed = spec.parse(data)
    body = page_body(definitions, parsed.body)
    view, sent, refused = service.submit_public_page(session, settings, token, body)
    if isinstance(refused, ValidationError):
        return _render_reporting(request, view, spec.bind(parsed.values, refused), definitions, status_code=422)
    if isinstance(refused, ValidationFailed):
        errors = _page_errors(definitions, refused.extra.get("errors", []))
        return _render_reporting(request, view, spec.bind(parsed.values, errors), definitions, status_code=422)
    assert sent is not None
    response = RedirectResponse(REPORTING_SENT_PATH, status_code=303)
    set_signed_cookie(request, response, REPORTING_COOKIE,
                      {"reference": sent["reference"], "agency": sent["agency"]},
                      path=REPORTING_SENT_PATH, max_age=RECEIPT_SECONDS)
    return response
