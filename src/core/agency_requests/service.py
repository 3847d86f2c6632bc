"""Shared service for agency requests (ECR agency reports, CDOP reporting forms).

Single-use links: a JWT (python-jose, HS256 with ECR_SECRET_KEY) scoped to one request, with
its own audience, expiring; the request stores the link's ``jti`` and clears it when the form
is submitted, so a used, expired, altered or superseded link answers 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from jose import jwt
from jose.exceptions import JOSEError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.agency_requests.models import AgencyRequest
from core.audit import record
from core.auth.principal import Principal
from core.db.base import utcnow
from core.errors import Conflict, NotFound
from core.reminders import (  # noqa: F401 (re-exported)
    REMIND_BEFORE_DAYS,
    REMIND_EVERY_DAYS_WHEN_OVERDUE,
    reminder_due,
)
from core.settings import Settings

LINK_AUDIENCE = "ecr-agency-link"


def create_request(
    session: Session, *, subject_type: str, subject_id: int, kind: str, agency: str,
    due_on: dt.date, actor: str, contact_email: str | None = None,
    assignee_user_id: int | None = None,
) -> AgencyRequest:
    req = AgencyRequest(
        subject_type=subject_type, subject_id=subject_id, kind=kind, agency=agency,
        contact_email=contact_email, assignee_user_id=assignee_user_id, due_on=due_on,
        status="requested", answers={}, not_known=[],
    )
    session.add(req)
    session.flush()
    record(session, actor=actor, action=f"{kind}.request", subject_type=subject_type,
           subject_id=subject_id, data={"request_id": req.id})
    return req


def issue_link(session: Session, settings: Settings, req: AgencyRequest, *, days: int) -> str:
    """A new single-use token for this request, valid for ``days`` (the domain's setting); any
    earlier link stops working."""
    if req.status != "requested":
        raise Conflict("this request is no longer open")
    now = utcnow()
    expires = now + dt.timedelta(days=days)
    jti = uuid.uuid4().hex
    req.link_jti = jti
    req.link_expires_at = expires
    claims = {
        "sub": f"agency_request:{req.id}", "aud": LINK_AUDIENCE, "iss": settings.token_issuer,
        "iat": int(now.timestamp()), "exp": int(expires.timestamp()), "jti": jti, "typ": "agency_link",
    }
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


def resolve_link(session: Session, settings: Settings, token: str, *, lock: bool = False) -> AgencyRequest:
    """The open request a link points at, or 404 for anything else."""
    from core.auth.tokens import decode_signed
    from core.errors import Unauthorized

    if len(token) > 2048:
        raise NotFound("this link is not valid")
    try:
        claims = decode_signed(token, settings.secret_key, audience=LINK_AUDIENCE,
                               issuer=settings.token_issuer, expected_type="agency_link")
        req_id = int(str(claims["sub"]).split(":", 1)[1])
    except (Unauthorized, JOSEError, ValueError, IndexError, KeyError):
        raise NotFound("this link is not valid, has expired or has been used") from None
    stmt = select(AgencyRequest).where(AgencyRequest.id == req_id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    req = session.execute(stmt).scalar_one_or_none()
    if req is None or req.status != "requested" or not claims.get("jti") or req.link_jti != claims["jti"]:
        raise NotFound("this link is not valid, has expired or has been used")
    return req


def submit(session: Session, req: AgencyRequest, *, answers: dict[str, Any], not_known: Sequence[str],
           actor: str) -> AgencyRequest:
    if req.status != "requested":
        raise Conflict(f"this request is already {req.status}")
    req.answers = answers
    req.not_known = sorted(set(not_known))
    req.status = "submitted"
    req.submitted_at = utcnow()
    req.submitted_by = actor
    req.link_jti = None  # the emailed link is dead from now on
    session.flush()
    record(session, actor=actor, action=f"{req.kind}.submit", subject_type=req.subject_type,
           subject_id=req.subject_id, data={"request_id": req.id})
    return req


def save_draft(session: Session, req: AgencyRequest, *, answers: dict[str, Any], not_known: Sequence[str],
               actor: str) -> AgencyRequest:
    """Keep what the author has written so far (any part of the form); still ``requested``,
    nothing is sent until :func:`submit`."""
    if req.status != "requested":
        raise Conflict(f"this request is already {req.status}")
    req.answers = answers
    req.not_known = sorted(set(not_known))
    session.flush()
    record(session, actor=actor, action=f"{req.kind}.draft", subject_type=req.subject_type,
           subject_id=req.subject_id, data={"request_id": req.id})
    return req


def waive(session: Session, req: AgencyRequest, *, reason: str, actor: str) -> AgencyRequest:
    if req.status != "requested":
        raise Conflict(f"this request is already {req.status}")
    req.status = "waived"
    req.waived_reason = reason
    req.waived_at = utcnow()
    req.link_jti = None
    session.flush()
    record(session, actor=actor, action=f"{req.kind}.waive", subject_type=req.subject_type,
           subject_id=req.subject_id, data={"request_id": req.id})
    return req


def list_for(session: Session, subject_type: str, subject_ids: Iterable[int]) -> dict[int, list[AgencyRequest]]:
    ids = list(subject_ids)
    out: dict[int, list[AgencyRequest]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(AgencyRequest).where(AgencyRequest.subject_type == subject_type,
                                    AgencyRequest.subject_id.in_(ids)).order_by(AgencyRequest.id)
    ).scalars()
    for r in rows:
        out[r.subject_id].append(r)
    return out


def get_for_subject(session: Session, subject_type: str, subject_id: int, request_id: int,
                    *, lock: bool = False) -> AgencyRequest:
    stmt = select(AgencyRequest).where(
        AgencyRequest.id == request_id, AgencyRequest.subject_type == subject_type,
        AgencyRequest.subject_id == subject_id,
    )
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    req = session.execute(stmt).scalar_one_or_none()
    if req is None:
        raise NotFound("no such request for this case")
    return req


def get_assigned_or_staff(
    session: Session, subject_type: str, subject_id: int, request_id: int, principal: Principal,
    staff_roles: Iterable[str], *, lock: bool = False, kind: str | None = None,
) -> AgencyRequest:
    """The request, if the caller is its assigned author or holds one of ``staff_roles``
    (optionally only a request of this ``kind``); anything else is a 404, as if it did not
    exist: the one rule "assigned author or staff, else 404" of both domains."""
    try:
        req = get_for_subject(session, subject_type, subject_id, request_id, lock=lock)
    except NotFound:
        req = None
    allowed = req is not None and (kind is None or req.kind == kind) and (
        bool(principal.roles & frozenset(staff_roles))
        or (principal.user_id is not None and req.assignee_user_id == principal.user_id)
    )
    if not allowed:
        raise NotFound("no such request for this case")
    assert req is not None
    return req


CaseT = TypeVar("CaseT")


def assigned_to(
    session: Session, case_model: type[CaseT], subject_type: str, kind: str, user_id: int | None, *,
    finished_states: Sequence[str], open_only: bool, limit: int, after_id: int | None,
) -> list[tuple[AgencyRequest, CaseT]]:
    """The requests of this kind assigned to this user, with their case (``case_model``: the
    domain's case table, with ``id`` and ``status``), by id, at most ``limit + 1`` (keyset after
    ``after_id``); ``open_only``: still awaited on a case not in ``finished_states``."""
    model: Any = case_model
    stmt = (
        select(AgencyRequest, model)
        .join(model, model.id == AgencyRequest.subject_id)
        .where(AgencyRequest.subject_type == subject_type, AgencyRequest.kind == kind,
               AgencyRequest.assignee_user_id == (user_id or -1))
        .order_by(AgencyRequest.id)
        .limit(limit + 1)
    )
    if open_only:
        stmt = stmt.where(AgencyRequest.status == "requested", model.status.not_in(list(finished_states)))
    if after_id is not None:
        stmt = stmt.where(AgencyRequest.id > after_id)
    return [(req, case) for req, case in session.execute(stmt).all()]


def one_assigned_to(
    session: Session, case_model: type[CaseT], subject_type: str, kind: str, user_id: int | None,
    request_id: int, *, lock: bool = False,
) -> tuple[AgencyRequest, CaseT] | None:
    """One request of this kind assigned to this user, with its case; else None."""
    model: Any = case_model
    stmt = (
        select(AgencyRequest, model)
        .join(model, model.id == AgencyRequest.subject_id)
        .where(AgencyRequest.subject_type == subject_type, AgencyRequest.kind == kind,
               AgencyRequest.id == request_id, AgencyRequest.assignee_user_id == (user_id or -1))
    )
    row = session.execute(stmt.with_for_update(of=AgencyRequest) if lock else stmt).first()
    return (row[0], row[1]) if row else None


def all_closed(session: Session, subject_type: str, subject_id: int) -> bool:
    """True when every request of the subject is submitted or waived."""
    open_count = session.scalar(
        select(func.count()).select_from(AgencyRequest).where(
            AgencyRequest.subject_type == subject_type, AgencyRequest.subject_id == subject_id,
            AgencyRequest.status == "requested",
        )
    )
    return not open_count


def is_overdue(req: AgencyRequest, today: dt.date) -> bool:
    return req.status == "requested" and req.due_on < today


def to_dict(req: AgencyRequest, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    return {
        "id": req.id, "kind": req.kind, "agency": req.agency, "contact_email": req.contact_email,
        "assignee_user_id": req.assignee_user_id, "due_on": req.due_on, "status": req.status,
        "overdue": is_overdue(req, today), "answers": req.answers or {},
        "not_known": req.not_known or [], "submitted_at": req.submitted_at,
        "waived_reason": req.waived_reason, "waived_at": req.waived_at,
        "reminders_sent": req.reminders_sent, "last_reminder_at": req.last_reminder_at,
    }


def overdue_counts_by_agency(session: Session, subject_type: str, today: dt.date) -> dict[str, int]:
    rows = session.execute(
        select(AgencyRequest.agency, func.count())
        .where(AgencyRequest.subject_type == subject_type, AgencyRequest.status == "requested",
               AgencyRequest.due_on < today)
        .group_by(AgencyRequest.agency)
    ).all()
    return {agency: n for agency, n in rows}


def due_for_reminder(session: Session, subject_type: str, today: dt.date, limit: int = 500) -> list[AgencyRequest]:
    """Open requests due within REMIND_BEFORE_DAYS not yet reminded, or overdue and not
    reminded in the last REMIND_EVERY_DAYS_WHEN_OVERDUE days."""
    return list(session.execute(
        select(AgencyRequest).where(
            AgencyRequest.subject_type == subject_type,
            AgencyRequest.status == "requested",
            reminder_due(AgencyRequest.due_on, AgencyRequest.reminders_sent, AgencyRequest.last_reminder_at, today),
        ).order_by(AgencyRequest.id).limit(limit)
    ).scalars())


def send_reminders(
    session: Session, subject_type: str, today: dt.date,
    send: Callable[[Session, AgencyRequest, bool], None],
) -> int:
    """Calls ``send(session, req, overdue)`` for each request due a reminder (the domain writes
    the email to the outbox), then marks it reminded. Returns how many were sent."""
    n = 0
    for req in due_for_reminder(session, subject_type, today):
        send(session, req, req.due_on < today)
        req.reminders_sent += 1
        req.last_reminder_at = utcnow()
        n += 1
    session.flush()
    return n
