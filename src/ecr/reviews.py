"""Running a review: agency reports (core agency requests) and recommendations with their
action plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.agency_requests import service as requests
from core.agency_requests.models import AgencyRequest
from core.audit import record
from core.auth.models import User
from core.auth.principal import Principal
from core.db.base import utcnow
from core.errors import Conflict, NotFound, ValidationFailed
from core.workflow.engine import check_if_match
from ecr import repository as repo
from ecr.models import ActionItem, CaseReview, Recommendation
from ecr.notify import email_agency_report_reminder, email_agency_report_request
from ecr.schemas import (
    SECTIONS,
    AgencyReportCreate,
    AgencyReportSubmit,
    RecommendationCreate,
    RecommendationPatch,
)
from ecr.service import ensure_open
from ecr.workflow import SUBJECT

KIND = "agency_report"
RECOMMENDATION_STATES = (
    "review_in_progress", "monitoring_other_la_review", "report_submitted", "report_approved",
    "publication_deferred", "published",
)


# ---- agency reports -------------------------------------------------------------------------

def _report_out(req: AgencyRequest, reference: str, today: dt.date | None = None) -> dict[str, Any]:
    out = requests.to_dict(req, today)
    out.update({"case_id": req.subject_id, "case_reference": reference, "version": req.version})
    return out


def request_report(session: Session, case_id: int, principal: Principal,
                   body: AgencyReportCreate) -> dict[str, Any]:
    case = repo.get_readable(session, case_id, principal, lock=True)
    ensure_open(case)
    recipient = str(body.contact_email) if body.contact_email else None
    if body.assignee_user_id is not None:
        user = session.get(User, body.assignee_user_id)
        if user is None or not user.is_active or "agency_author" not in (user.roles or []):
            raise ValidationFailed.field(["body", "assignee_user_id"],
                                         "no active user with the agency_author role has this id")
        recipient = recipient or user.email
    req = requests.create_request(
        session, subject_type=SUBJECT, subject_id=case.id, kind=KIND, agency=body.agency,
        due_on=body.due_on, actor=principal.actor, contact_email=recipient if body.contact_email else None,
        assignee_user_id=body.assignee_user_id,
    )
    if recipient:
        email_agency_report_request(session, case, recipient, body.agency, body.due_on)
    return _report_out(req, case.reference)


def list_reports(session: Session, case_id: int, principal: Principal) -> list[dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal)
    rows = requests.list_for(session, SUBJECT, [case.id])[case.id]
    record(session, actor=principal.actor, action="agency_report.list", subject_type=SUBJECT,
           subject_id=case.id)
    today = dt.date.today()
    return [_report_out(r, case.reference, today) for r in rows]


def _load_for_author_or_staff(session: Session, case_id: int, request_id: int,
                              principal: Principal, *, lock: bool) -> tuple[AgencyRequest, CaseReview]:
    """The business unit handles any report; an agency author only those assigned to them
    (anything else is a 404, as if it did not exist); case readers may read them."""
    case = repo.get_by_id(session, case_id)
    if case is None:
        raise NotFound("no such agency report")
    try:
        req = requests.get_for_subject(session, SUBJECT, case.id, request_id, lock=lock)
    except NotFound:
        raise NotFound("no such agency report") from None
    if req.kind != KIND:
        raise NotFound("no such agency report")
    if "business_unit" in principal.roles:
        return req, case
    if "agency_author" in principal.roles and principal.user_id is not None \
            and req.assignee_user_id == principal.user_id:
        return req, case
    raise NotFound("no such agency report")


def read_report(session: Session, case_id: int, request_id: int, principal: Principal) -> dict[str, Any]:
    case = repo.get_by_id(session, case_id)
    readable = case is not None and session.scalar(
        select(func.count()).select_from(CaseReview).where(CaseReview.id == case_id,
                                                           repo.readable_by(principal))
    )
    if readable:
        req = requests.get_for_subject(session, SUBJECT, case_id, request_id)
        if req.kind != KIND:
            raise NotFound("no such agency report")
        assert case is not None
    else:
        req, case = _load_for_author_or_staff(session, case_id, request_id, principal, lock=False)
    record(session, actor=principal.actor, action="agency_report.read", subject_type=SUBJECT,
           subject_id=case.id, data={"request_id": req.id})
    return _report_out(req, case.reference)


def submit_report(session: Session, case_id: int, request_id: int, principal: Principal,
                  body: AgencyReportSubmit) -> dict[str, Any]:
    req, case = _load_for_author_or_staff(session, case_id, request_id, principal, lock=True)
    answers = body.answers.model_dump(exclude_none=True)
    not_known = set(body.not_known)
    both = sorted(not_known & set(answers))
    if both:
        raise ValidationFailed.field(["body", "not_known"],
                                     f"answered sections cannot also be not known: {', '.join(both)}")
    missing = [s for s in SECTIONS if s not in answers and s not in not_known]
    if missing:
        raise ValidationFailed([{"loc": ["body", "answers", s],
                                 "msg": "answer this section or list it in not_known"} for s in missing])
    requests.submit(session, req, answers=answers, not_known=sorted(not_known), actor=principal.actor)
    return _report_out(req, case.reference)


def waive_report(session: Session, case_id: int, request_id: int, principal: Principal,
                 reason: str) -> dict[str, Any]:
    case = repo.get_readable(session, case_id, principal)
    req = requests.get_for_subject(session, SUBJECT, case.id, request_id, lock=True)
    if req.kind != KIND:
        raise NotFound("no such agency report")
    requests.waive(session, req, reason=reason, actor=principal.actor)
    return _report_out(req, case.reference)


def send_agency_report_reminders(session: Session, today: dt.date) -> int:
    """The periodic job: reminders before the due date and after it (see core)."""
    cache: dict[int, str] = {}
    emails: dict[int, str | None] = {}

    def send(s: Session, req: AgencyRequest, overdue: bool) -> None:
        if req.subject_id not in cache:
            case = s.get(CaseReview, req.subject_id)
            cache[req.subject_id] = case.reference if case else "?"
        to = req.contact_email
        if not to and req.assignee_user_id is not None:
            if req.assignee_user_id not in emails:
                user = s.get(User, req.assignee_user_id)
                emails[req.assignee_user_id] = user.email if user and user.is_active else None
            to = emails[req.assignee_user_id]
        if to:
            email_agency_report_reminder(s, cache[req.subject_id], req.subject_id, to,
                                         req.due_on, overdue)

    return requests.send_reminders(session, SUBJECT, today, send)


# ---- recommendations ------------------------------------------------------------------------

def _recs_out(session: Session, recs: list[Recommendation], today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or dt.date.today()
    ids = [r.id for r in recs]
    items: dict[int, list[ActionItem]] = {i: [] for i in ids}
    if ids:
        for item in session.execute(
            select(ActionItem).where(ActionItem.recommendation_id.in_(ids)).order_by(ActionItem.id)
        ).scalars():
            items[item.recommendation_id].append(item)
    return [
        {
            "id": r.id, "case_id": r.case_id, "number": r.number, "text": r.text,
            "status": r.status, "carry_forward_note": r.carry_forward_note,
            "created_at": r.created_at, "updated_at": r.updated_at, "version": r.version,
            "actions": [
                {"id": a.id, "description": a.description, "owner_agency": a.owner_agency,
                 "due_on": a.due_on, "status": a.status, "completed_on": a.completed_on,
                 "note": a.note,
                 "overdue": bool(a.due_on and a.due_on < today
                                 and a.status in ("open", "in_progress"))}
                for a in items[r.id]
            ],
        }
        for r in recs
    ]


def _completed_on(status: str | None, completed_on: dt.date | None) -> dt.date | None:
    if status == "completed":
        return completed_on or dt.date.today()
    return completed_on


def create_recommendation(session: Session, case_id: int, principal: Principal,
                          body: RecommendationCreate) -> tuple[Recommendation, dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal, lock=True)
    if case.status not in RECOMMENDATION_STATES:
        raise Conflict(f"recommendations are recorded once a review is under way (the case is "
                       f"{case.status})")
    number = int(session.scalar(
        select(func.coalesce(func.max(Recommendation.number), 0)).where(Recommendation.case_id == case.id)
    ) or 0) + 1
    rec = Recommendation(case_id=case.id, number=number, text=body.text, status=body.status,
                         created_by=principal.actor)
    session.add(rec)
    session.flush()
    for a in body.actions:
        session.add(ActionItem(recommendation_id=rec.id, description=a.description,
                               owner_agency=a.owner_agency, due_on=a.due_on, status=a.status,
                               completed_on=_completed_on(a.status, a.completed_on), note=a.note))
    session.flush()
    record(session, actor=principal.actor, action="recommendation.create", subject_type=SUBJECT,
           subject_id=case.id, data={"recommendation_id": rec.id, "actions": len(body.actions)})
    return rec, _recs_out(session, [rec])[0]


def list_recommendations(session: Session, case_id: int, principal: Principal) -> list[dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal)
    recs = list(session.execute(
        select(Recommendation).where(Recommendation.case_id == case.id).order_by(Recommendation.number)
    ).scalars())
    record(session, actor=principal.actor, action="recommendation.list", subject_type=SUBJECT,
           subject_id=case.id)
    return _recs_out(session, recs)


def patch_recommendation(session: Session, case_id: int, rec_id: int, principal: Principal,
                         body: RecommendationPatch, if_match: str | None) -> tuple[Recommendation, dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal)
    stmt = select(Recommendation).where(Recommendation.id == rec_id, Recommendation.case_id == case.id)
    rec = session.execute(stmt.with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    if rec is None:
        raise NotFound("no such recommendation")
    check_if_match(rec, if_match)
    data = body.model_dump(exclude_unset=True)
    if not data:
        raise ValidationFailed.field(["body"], "nothing to change")
    for key in ("text", "status"):
        if key in data:
            if data[key] is None:
                raise ValidationFailed.field(["body", key], "must not be empty")
            setattr(rec, key, data[key])
    if "carry_forward_note" in data:
        rec.carry_forward_note = data["carry_forward_note"]
    if rec.status == "carried_forward" and not rec.carry_forward_note:
        raise ValidationFailed.field(["body", "carry_forward_note"],
                                     "say why and to where the recommendation is carried forward")
    if body.actions is not None:
        existing = {a.id: a for a in session.execute(
            select(ActionItem).where(ActionItem.recommendation_id == rec.id)).scalars()}
        for i, item in enumerate(body.actions):
            fields = item.model_dump(exclude_unset=True, exclude={"id"})
            if item.id is not None:
                target = existing.get(item.id)
                if target is None:
                    raise ValidationFailed.field(["body", "actions", i, "id"],
                                                 "no such action on this recommendation")
                for key, value in fields.items():
                    if value is None and key in ("description", "owner_agency", "status"):
                        raise ValidationFailed.field(["body", "actions", i, key], "must not be empty")
                    setattr(target, key, value)
                target.completed_on = _completed_on(target.status, target.completed_on)
            else:
                for key in ("description", "owner_agency"):
                    if not fields.get(key):
                        raise ValidationFailed.field(["body", "actions", i, key],
                                                     "a new action needs this field")
                status = fields.get("status") or "open"
                session.add(ActionItem(
                    recommendation_id=rec.id, description=fields["description"],
                    owner_agency=fields["owner_agency"], due_on=fields.get("due_on"),
                    status=status, completed_on=_completed_on(status, fields.get("completed_on")),
                    note=fields.get("note"),
                ))
    rec.updated_at = utcnow()  # bump the version (the ETag) for any change, items included
    session.flush()
    record(session, actor=principal.actor, action="recommendation.update", subject_type=SUBJECT,
           subject_id=case.id, data={"recommendation_id": rec.id, "fields": sorted(data)})
    return rec, _recs_out(session, [rec])[0]
