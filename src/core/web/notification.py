"""A domain's public notification page: the form, its submission and the confirmation.

The page validates with the API's own schema and creates the notification with the API's
service, once per submission (``core.web.submissions.create_once``), so the page and the API
accept, refuse and store exactly the same things. The receipt reaches the confirmation page in
a short-lived signed HttpOnly cookie, never in a URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from core.web.forms import BoundForm, Field, Fieldset, FormSpec
from core.web.security import honeypot_triggered, read_signed_cookie, set_signed_cookie
from core.web.submissions import create_once, new_submission_id
from core.web.submissions import submission_id as read_submission_id
from core.web.templating import PageRenderer


@dataclass(frozen=True)
class NotificationPage:
    pages: PageRenderer
    form: FormSpec
    model: type[BaseModel]
    template: str
    title: str
    confirmation_path: str
    cookie: str
    receipt_keys: Sequence[str] = ("reference",)
    max_age: int = 30 * 60

    def render(self, request: Request, form: BoundForm | None = None, *, status_code: int = 200,
               submission_id: str | None = None) -> HTMLResponse:
        return self.pages.render(request, self.template, {
            "title": self.title, "form": form or self.form.bind(),
            "submission_id": submission_id or new_submission_id(), "back_link": "/notify",
        }, status_code=status_code)

    def submit(self, request: Request, session: Session, data: Any,
               create: Callable[[Any], dict[str, Any]]) -> Response:
        """``create(body)`` stores the notification and returns its receipt (the API's answer)."""
        if honeypot_triggered(request, data):
            return self.pages.render(request, "web/received.html", {"title": "Form sent"})
        parsed = self.form.parse(data)
        submission_id = read_submission_id(data)
        if parsed.add_row:  # "Add another ...": show the form again with one more row
            return self.render(request, self.form.bind(parsed.values), submission_id=submission_id)
        try:
            body = self.model.model_validate(parsed.body)
        except ValidationError as exc:
            return self.render(request, self.form.bind(parsed.values, exc), status_code=422,
                               submission_id=submission_id)
        try:
            receipt = create_once(request, session, body, submission_id, lambda: create(body))
        except ValidationFailed as exc:
            return self.render(request, self.form.bind(parsed.values, exc.extra.get("errors", [])),
                               status_code=422, submission_id=submission_id)
        response = RedirectResponse(self.confirmation_path, status_code=303)
        set_signed_cookie(request, response, self.cookie, {k: receipt[k] for k in self.receipt_keys},
                          path=self.confirmation_path, max_age=self.max_age)
        return response

    def receipt(self, request: Request) -> dict[str, Any] | None:
        """The receipt the confirmation page shows, or None (then send the user to the form)."""
        receipt = read_signed_cookie(request, self.cookie)
        return receipt or None


CHILD = "the child’s"


def notifier_fieldset(*, email_hint: str, agency_hint: str) -> Fieldset:
    """"About you": the notifier's fields, as both notification forms ask them."""
    return Fieldset("About you", id="about-you", fields=[
        Field("notifier.name", "Full name", autocomplete="name", error_name="your full name",
              spellcheck=False),
        Field("notifier.email", "Email address", kind="email", autocomplete="email",
              error_name="your email address", hint=email_hint),
        Field("notifier.agency", "Organisation", autocomplete="organization",
              error_name="the name of your organisation", hint=agency_hint),
        Field("notifier.role", "Job title", autocomplete="organization-title", optional=True),
        Field("notifier.phone", "Telephone number", kind="tel", autocomplete="tel", optional=True,
              width="20", error_name="your telephone number"),
    ])


def child_name_fields() -> list[Field]:
    """The child's first and last names, as both notification forms ask them."""
    return [
        Field("child.first_name", "First name", autocomplete="off", error_name=f"{CHILD} first name",
              spellcheck=False, width="20"),
        Field("child.last_name", "Last name", autocomplete="off", error_name=f"{CHILD} last name",
              spellcheck=False, width="20"),
    ]
