"""Helpers for the server-rendered pages: read a form's hidden fields, post it back."""

from __future__ import annotations

import html
import re
from typing import Any

CASE_REVIEW_FORM = {
    "notifier.name": "Pat Example",
    "notifier.email": "pat.example@council.example",
    "notifier.agency": "Example Borough Council",
    "notifier.role": "Senior social worker",
    "notifier.phone": "01632 960 001",
    "child.first_name": "Sam",
    "child.last_name": "Taylor",
    "child.date_of_birth.day": "4",
    "child.date_of_birth.month": "6",
    "child.date_of_birth.year": "2015",
    "child.sex": "female",
    "child.ethnicity": "White British",
    "child.address": "1 Example Street\nExampletown\nEX1 1EX",
    "child.local_authority": "Example Borough",
    "incident.date.day": "2",
    "incident.date.month": "3",
    "incident.date.year": "2025",
    "incident.type": "serious_harm",
    "incident.description": "Sam was admitted to hospital with injuries.\nThe police were called.",
    "rationale": "Several agencies knew of concerns and did not share them.",
    "abuse_or_neglect_suspected": "true",
    "agencies_involved": "Police\r\nExample Primary School\r\n\r\nHealth visiting",
}

CHILD_DEATH_FORM = {
    "notifier.name": "Dr Alex Morgan",
    "notifier.email": "alex.morgan@nhs.example",
    "notifier.agency": "Example Hospitals NHS Trust",
    "notifier.role": "Consultant paediatrician",
    "notifier.phone": "0118 496 0000",
    "child.first_name": "Jamie",
    "child.last_name": "Lee",
    "child.date_of_birth.day": "12",
    "child.date_of_birth.month": "1",
    "child.date_of_birth.year": "2020",
    "child.sex": "male",
    "child.nhs_number": "943 476 5919",
    "child.ethnicity": "Mixed",
    "child.address": "2 Example Road\nExampletown",
    "child.local_authority": "Example Borough",
    "death.date.day": "3",
    "death.date.month": "3",
    "death.date.year": "2025",
    "death.time": "14:30",
    "death.place": "hospital",
    "death.place_detail": "Example General Hospital",
    "death.expected": "false",
    "death.jar_triggered": "true",
    "death.coroner_involved": "no_answer",
    "agencies.rows": "3",
    "agencies.0.name": "Example GP Practice",
    "agencies.0.contact_email": "gp.practice@nhs.example",
    "agencies.1.name": "",
    "agencies.1.contact_email": "",
    "agencies.2.name": "Example Primary School",
    "agencies.2.contact_email": "",
}


def hidden(page_html: str, name: str) -> str | None:
    m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page_html)
    return html.unescape(m.group(1)) if m else None


def open_form(client: Any, path: str) -> dict[str, str]:
    """GET a form page; the hidden fields to send back (the CSRF cookie stays in the client)."""
    r = client.get(path)
    assert r.status_code == 200, r.text
    out = {"csrf_token": hidden(r.text, "csrf_token") or ""}
    sid = hidden(r.text, "submission_id")
    if sid:
        out["submission_id"] = sid
    return out


def summary(page_html: str) -> list[tuple[str, str]]:
    block = re.search(r'<div class="error-summary".*?</div>', page_html, re.S)
    if not block:
        return []
    return [(h, html.unescape(t)) for h, t in re.findall(r'<a href="([^"]+)">([^<]+)</a>', block.group(0))]


def title(page_html: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page_html, re.S).group(1))

