"""Helpers for the case review tests (synthetic data only)."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.auth.models import User
from core.auth.tokens import issue_access_token
from core.settings import get_settings

ALL_ROLES = (
    "business_unit", "crg_member", "crg_chair", "independent_chair", "agency_author",
    "cdop_coordinator", "cdop_chair", "cdop_panel_member", "admin",
)

BASE_BODY: dict[str, Any] = {
    "notifier": {"name": "Testnotifier Bravo", "email": "notifier@example.org",
                 "agency": "Example Health Trust", "role": "Named nurse"},
    "child": {"first_name": "Testchild", "last_name": "Alpha", "date_of_birth": "2015-03-04",
              "sex": "female"},
    "incident": {"date": "2026-01-10", "type": "serious_harm",
                 "description": "Synthetic description of the incident for tests."},
    "rationale": "Agencies may not have worked together well before the incident.",
    "abuse_or_neglect_suspected": True,
    "agencies_involved": ["Police", "Children's social care"],
}


def body(**overrides: Any) -> dict[str, Any]:
    """A valid public notification; overrides like child__first_name="X" or rationale="..."."""
    data = copy.deepcopy(BASE_BODY)
    for key, value in overrides.items():
        parts = key.split("__")
        target = data
        for p in parts[:-1]:
            target = target[p]
        if value is _DROP:
            target.pop(parts[-1], None)
        else:
            target[parts[-1]] = value
    return data


_DROP = object()
DROP = _DROP


class Api:
    """Small helpers over the TestClient."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get_case(self, case_id: int, user: Any) -> Any:
        return self.client.get(f"/api/v1/case-reviews/{case_id}", headers=user.headers)

    def etag(self, case_id: int, user: Any) -> str:
        r = self.get_case(case_id, user)
        assert r.status_code == 200, r.text
        return r.headers["ETag"]

    def act(self, case_id: int, user: Any, action: str, etag: str | None = None,
            **fields: Any) -> Any:
        if etag is None:
            etag = "*"
        return self.client.post(
            f"/api/v1/case-reviews/{case_id}/transitions",
            json={"action": action, **fields},
            headers={**user.headers, "If-Match": etag},
        )

    def create_public(self, **overrides: Any) -> Any:
        return self.client.post("/api/v1/public/case-review-notifications", json=body(**overrides))

    def create_staff(self, user: Any, **overrides: Any) -> Any:
        return self.client.post("/api/v1/case-reviews", json=body(**overrides), headers=user.headers)


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


class FastUser:
    def __init__(self, id: int, roles: tuple[str, ...], token: str, email: str) -> None:
        self.id, self.roles, self.token, self.email = id, roles, token, email

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def fast_user(session_factory: sessionmaker[Session]):
    """A user without a password (no argon2 hashing): quick for tests that need many."""
    settings = get_settings()

    def _make(*roles: str, name: str | None = None) -> FastUser:
        email = f"{'-'.join(roles) or 'nobody'}-{uuid.uuid4().hex[:8]}@example.test"
        with session_factory() as s:
            user = User(email=email, name=name or f"Test {' '.join(roles).title()}",
                        password_hash=None, roles=list(roles), is_active=True)
            s.add(user)
            s.commit()
            uid = user.id
        return FastUser(uid, roles, issue_access_token(settings, str(uid)), email)

    return _make


@pytest.fixture
def users(fast_user):
    """One user per role of API.md."""
    return {role: fast_user(role) for role in ALL_ROLES}


def make_case(session: Session, status: str = "received", *, decision: str | None = None,
              received_on: dt.date | None = None, **fields: Any) -> Any:
    """A case review put straight into a state (for matrix tests), committed."""
    from ecr import service
    from ecr.schemas import StaffNotificationIn

    data = body()
    if received_on:
        data["received_on"] = received_on.isoformat()
        incident = dt.date.fromisoformat(data["incident"]["date"])
        data["incident"]["date"] = min(incident, received_on - dt.timedelta(days=1)).isoformat()
    # created under its regime (WT2015 unless told), whatever the deployment default
    case, _ = service.create_notification(
        session, StaffNotificationIn.model_validate(data), source="staff", actor="test",
        actor_name="Test", received_on=received_on, with_token=False,
        regime_code=fields.pop("regime", "WT2015"),
    )
    case.status = status
    case.decision = decision
    case.review_type = decision if decision not in (None, "nfa") else None
    for key, value in fields.items():
        setattr(case, key, value)
    session.flush()
    session.commit()
    return case
