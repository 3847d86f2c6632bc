"""Shared helpers for child death tests (synthetic data only)."""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.auth.models import User
from core.auth.tokens import issue_access_token
from core.settings import get_settings

API = "/api/v1"
VALID_NHS = "943 476 5919"  # a valid modulus-11 example
VALID_NHS_2 = "401 023 2137"


@dataclass
class QuickUser:
    id: int
    email: str
    name: str
    roles: list[str]
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def quick_user(factory: sessionmaker[Session], *roles: str, name: str | None = None,
               agency: str | None = None) -> QuickUser:
    """A user without a password (no slow hashing) and a valid token."""
    email = f"{'-'.join(roles) or 'nobody'}-{uuid.uuid4().hex[:8]}@example.org"
    name = name or f"Staff {' '.join(roles).title()}"
    with factory() as s:
        user = User(email=email, name=name, password_hash=None, roles=list(roles), agency=agency,
                    is_active=True)
        s.add(user)
        s.commit()
        uid = user.id
    return QuickUser(uid, email, name, list(roles), issue_access_token(get_settings(), str(uid)))


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in overrides.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def notification(**overrides: Any) -> dict[str, Any]:
    body = {
        "notifier": {"name": "Nora Notifier", "email": "nora.notifier@example.org",
                     "agency": "Testshire Hospital", "role": "Paediatric registrar"},
        "child": {"first_name": "Testchild", "last_name": "Bravo", "date_of_birth": "2021-03-15",
                  "sex": "female", "nhs_number": VALID_NHS,
                  "address": "12 Testing Lane, Exampleton, EX1 2AB", "local_authority": "Testshire"},
        "death": {"date": "2026-06-01", "time": "14:30", "place": "hospital", "expected": False,
                  "jar_triggered": True, "coroner_involved": True},
        "agencies": [
            {"name": "Testshire Police", "contact_email": "police.cdop@example.org"},
            {"name": "Testshire GP Practice", "contact_email": "gp.practice@example.org"},
        ],
    }
    return merge(body, overrides)


def make_case(db: Session, *, status: str = "notified", reference: str | None = None,
              first_name: str = "Testchild", last_name: str | None = None,
              date_of_birth: dt.date = dt.date(2020, 1, 10), date_of_death: dt.date = dt.date(2026, 5, 1),
              received_at: dt.datetime | None = None, **fields: Any):
    """A case inserted straight into the database in any state (fast set-up)."""
    from cdop.domain import age_in_years
    from cdop.models import ChildDeath
    from cdop.service import next_reference

    received_at = received_at or dt.datetime(2026, 5, 2, 9, 0, tzinfo=dt.UTC)
    values: dict[str, Any] = dict(
        reference=reference or next_reference(db, received_at.year),
        status=status, received_at=received_at, source="staff", created_by="test",
        first_name=first_name, last_name=last_name or f"Case{uuid.uuid4().hex[:6]}",
        date_of_birth=date_of_birth, sex="male", nhs_number=None, nhs_number_status="not_given",
        date_of_death=date_of_death, place_of_death="hospital", expected=False,
        age_at_death_days=(date_of_death - date_of_birth).days,
        age_at_death_years=age_in_years(date_of_birth, date_of_death),
        notifier_name="Nora Notifier", notifier_email="nora.notifier@example.org",
        notifier_agency="Testshire Hospital", agencies=[], non_resident=False,
    )
    values.update(fields)
    case = ChildDeath(**values)
    db.add(case)
    db.flush()
    return case


def etag(client, case_id: int, user) -> str:
    r = client.get(f"{API}/child-deaths/{case_id}", headers=user.headers)
    assert r.status_code == 200, r.text
    return r.headers["etag"]


def transition(client, case_id: int, user, action: str, **fields: Any):
    return client.post(f"{API}/child-deaths/{case_id}/transitions",
                       json={"action": action, **fields},
                       headers={**user.headers, "If-Match": etag(client, case_id, user)})


LINK = re.compile(r"https?://\S+/api/v1/public/reporting-forms/(\S+)")


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def all_sections(**answers: str) -> dict[str, Any]:
    from cdop.domain import SECTION_KEYS

    return {"answers": {k: answers[k] for k in SECTION_KEYS if k in answers},
            "not_known": [k for k in SECTION_KEYS if k not in answers]}
