"""Case review use cases. Services flush and never commit: the request commits once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import interop
from core.audit import record
from core.auth.principal import Principal
from core.db.base import utcnow
from core.deadlines import close_deadlines, open_deadlines_for, open_new_deadlines
from core.errors import Conflict, NotFound, ValidationFailed
from core.pagination import decode_cursor, encode_cursor
from core.workflow import apply_transition, available_transitions, history_for
from core.workflow.engine import check_if_match, record_creation_history
from ecr import repository as repo
from ecr.config import get_config
from ecr.models import CaseReview
from ecr.notify import email_receipt
from ecr.schemas import CaseReviewPatch, PublicNotificationIn, StaffNotificationIn
from ecr.workflow import (
    CLOSED_STATES,
    SUBJECT,
    current_regime,
    open_pre_publication,
    open_recommendation_count,
    regime_of,
    workflow_of,
)

REFERENCE_RE = re.compile(r"^CR-\d{4}-\d{4,6}$")
_DUMMY_HASH = hashlib.sha256(b"no such notification").hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# ---- creation -------------------------------------------------------------------------------

def _check_dates(child_dob: dt.date | None, incident_date: dt.date | None,
                 loc_prefix: list[str] | None = None) -> None:
    if child_dob and incident_date and child_dob > incident_date:
        raise ValidationFailed.field([*(loc_prefix or ["body"]), "child", "date_of_birth"],
                                     "must be on or before the date of the incident")


@dataclass(frozen=True, slots=True)
class NewNotification:
    """What public intake gives back: the new case's id, reference and state (no ORM entity:
    nothing reads the row back)."""

    id: int
    reference: str
    status: str


def _insert_notification(
    session: Session,
    body: PublicNotificationIn,
    *,
    source: str,
    actor: str,
    actor_name: str | None,
    received_on: dt.date | None,
    with_token: bool,
    child_death_reference: str | None,
    referred_by: str | None,
) -> tuple[dict[str, Any], str | None]:
    """The rows of a new notification, written with Core statements on the session's connection
    (the case, its deadlines in one INSERT, the creation history row, the audit event, the
    receipt email). Returns the case's column values (with ``id``) and the status token."""
    _check_dates(body.child.date_of_birth, body.incident.date)
    now = utcnow()
    received_on = received_on or now.date()
    if received_on < body.incident.date:
        raise ValidationFailed.field(["body", "received_on"],
                                     "must be on or after the date of the incident")
    regime = current_regime()
    token = secrets.token_urlsafe(32) if with_token else None
    notifier, child, incident = body.notifier, body.child, body.incident
    # Taken last, once the notification is known to be valid (on PostgreSQL a number taken by a
    # notification that then fails is not given again: see core.references).
    reference = repo.next_reference(session, now.year)
    stamp = utcnow()
    values: dict[str, Any] = {
        "reference": reference,
        "regime": regime.code,
        "status": regime.workflow.initial,
        "status_changed_at": now,
        "source": source,
        "received_on": received_on,
        "received_at": now,
        "created_by": actor,
        "status_token_hash": hash_token(token) if token else None,
        "notifier_name": notifier.name,
        "notifier_email": str(notifier.email) if notifier.email else None,
        "notifier_agency": notifier.agency,
        "notifier_role": notifier.role,
        "notifier_phone": notifier.phone,
        "child_first_name": child.first_name,
        "child_last_name": child.last_name,
        "child_date_of_birth": child.date_of_birth,
        "child_sex": child.sex,
        "child_ethnicity": child.ethnicity,
        "child_address": child.address,
        "child_local_authority": child.local_authority,
        "incident_date": incident.date,
        "incident_type": incident.type,
        "incident_description": incident.description,
        "rationale": body.rationale,
        "abuse_or_neglect_suspected": body.abuse_or_neglect_suspected,
        "agencies_involved": list(body.agencies_involved),
        "child_death_reference": child_death_reference,
        "referred_by": referred_by,
        "created_at": stamp,
        "updated_at": stamp,
        "version": 1,
    }
    case_id = values["id"] = repo.insert_case(session, values)
    # a new case has no deadline to close first: both opened with one INSERT
    rules = regime.deadline_rules(get_config())
    open_new_deadlines(session, SUBJECT, case_id, [rules[k] for k in regime.on_receipt],
                       received_on)
    record_creation_history(session, regime.workflow,
                            NewNotification(case_id, reference, values["status"]),
                            actor, actor_name, action="receive", note=None)
    record(session, actor=actor, action="case_review.create", subject_type=SUBJECT,
           subject_id=case_id, data={"reference": reference, "source": source})
    email_receipt(session, case_id, reference, values["notifier_email"])
    return values, token


def create_notification(
    session: Session,
    body: PublicNotificationIn,
    *,
    source: str,
    actor: str,
    actor_name: str | None,
    received_on: dt.date | None = None,
    with_token: bool = True,
    child_death_reference: str | None = None,
    referred_by: str | None = None,
) -> tuple[CaseReview, str | None]:
    """A new notification in the state ``received``, its reference, its deadlines, the
    creation history row, the audit event and the receipt email, all in one transaction.
    Returns the case as an entity of the session (for callers that go on with it)."""
    values, token = _insert_notification(
        session, body, source=source, actor=actor, actor_name=actor_name,
        received_on=received_on, with_token=with_token,
        child_death_reference=child_death_reference, referred_by=referred_by,
    )
    return repo.attach_new(session, values), token


def create_public(session: Session, body: PublicNotificationIn) -> tuple[NewNotification, str]:
    """Public intake: what :func:`create_notification` writes, without building an entity."""
    values, token = _insert_notification(
        session, body, source="public", actor="public", actor_name="Public notification form",
        received_on=None, with_token=True, child_death_reference=None, referred_by=None,
    )
    assert token is not None
    return NewNotification(values["id"], values["reference"], values["status"]), token


def create_staff(session: Session, body: StaffNotificationIn, principal: Principal) -> CaseReview:
    case, _ = create_notification(
        session, body, source="staff", actor=principal.actor, actor_name=principal.name,
        received_on=body.received_on, with_token=False,
    )
    return case


# ---- presentation ---------------------------------------------------------------------------

def _summary(case: CaseReview, deadlines: list[dict[str, Any]], links: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "regime": case.regime,
        "status": case.status,
        "stage": regime_of(case).public_stages.get(case.status, case.status),
        "decision": case.decision,
        "review_type": case.review_type,
        "received_on": case.received_on,
        "source": case.source,
        "child_name": f"{case.child_first_name} {case.child_last_name}",
        "incident_type": case.incident_type,
        "deadlines": deadlines,
        "overdue": any(d["overdue"] for d in deadlines),
        "linked_cases": links,
        "child_death_reference": case.child_death_reference,
        "version": case.version,
    }


def child_death_link(session: Session, case: CaseReview) -> dict[str, Any] | None:
    if not case.child_death_reference:
        return None
    status = None
    if interop.is_provided("child_death.status"):
        try:
            found = interop.call(session, "child_death.status",
                                 {"reference": case.child_death_reference})
        except interop.NotProvided:
            found = None
        if found:
            status = found.get("status")
    return {"reference": case.child_death_reference, "status": status}


def detail(session: Session, case: CaseReview, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    deadlines = open_deadlines_for(session, SUBJECT, [case.id], today).get(case.id, [])
    links = repo.linked_references(session, [case]).get(case.id, [])
    out = _summary(case, deadlines, links)
    published_until = None
    if case.published_on:
        from core.deadlines import add_months

        published_until = add_months(case.published_on, 12)
    out.update({
        "received_at": case.received_at,
        "status_changed_at": case.status_changed_at,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "notifier": {
            "name": case.notifier_name, "email": case.notifier_email,
            "agency": case.notifier_agency, "role": case.notifier_role,
            "phone": case.notifier_phone,
        },
        "child": {
            "first_name": case.child_first_name, "last_name": case.child_last_name,
            "date_of_birth": case.child_date_of_birth, "sex": case.child_sex,
            "ethnicity": case.child_ethnicity, "address": case.child_address,
            "local_authority": case.child_local_authority,
        },
        "incident": {"date": case.incident_date, "type": case.incident_type,
                     "description": case.incident_description},
        "rationale": case.rationale,
        "abuse_or_neglect_suspected": case.abuse_or_neglect_suspected,
        "agencies_involved": list(case.agencies_involved or []),
        "information_request_note": case.information_request_note,
        "referred_to_group_at": case.referred_to_group_at,
        "decision_label": get_config().label(case.decision) if case.decision else None,
        "decision_rationale": case.decision_rationale,
        "decision_at": case.decision_at,
        "decision_by": case.decision_by,
        "other_la": case.other_la,
        "scr_recommendation": case.scr_recommendation,
        "scr_decision": case.scr_decision,
        "national_panel_notified_on": case.national_panel_notified_on,
        "review": {
            "review_type": case.review_type,
            "methodology": case.review_methodology,
            "lead_reviewer_name": case.lead_reviewer_name,
            "review_chair_name": case.review_chair_name,
            "terms_of_reference": case.terms_of_reference,
            "terms_of_reference_agreed_on": case.terms_of_reference_agreed_on,
            "scr_endorsed_on": case.scr_endorsed_on,
            "report_submitted_at": case.report_submitted_at,
            "report_approved_at": case.report_approved_at,
        },
        "publication": {
            "planned_publication_on": case.planned_publication_on,
            "report_sent_to_national_panel_on": case.report_sent_to_national_panel_on,
            "deferred_reason": case.publication_deferred_reason,
            "review_on": case.publication_review_on,
            "published_on": case.published_on,
            "url": case.published_url,
            "keep_published_until": published_until,
            "not_published_reason": case.not_published_reason,
        },
        "closed_at": case.closed_at,
        "carry_forward_note": case.carry_forward_note,
        "withdrawn_reason": case.withdrawn_reason,
        "thematic_group_id": case.thematic_group_id,
        "child_death": child_death_link(session, case),
        "referred_by": case.referred_by,
        "open_recommendations": open_recommendation_count(session, case.id),
    })
    return out


# ---- reads ----------------------------------------------------------------------------------

def read_case(session: Session, case_id: int, principal: Principal) -> tuple[CaseReview, dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal)
    out = detail(session, case)
    record(session, actor=principal.actor, action="case_review.read", subject_type=SUBJECT,
           subject_id=case.id)
    return case, out


def list_page(session: Session, principal: Principal, filters: repo.CaseFilters, limit: int,
              cursor: str | None) -> dict[str, Any]:
    after = None
    if cursor:
        raw_on, raw_id = decode_cursor(cursor, 2)
        try:
            after = (dt.date.fromisoformat(str(raw_on)), int(raw_id))
        except (TypeError, ValueError):
            raise ValidationFailed.field(["query", "cursor"], "invalid cursor") from None
    rows = repo.list_cases(session, principal, filters, limit, after)
    page = rows[:limit]
    deadlines = open_deadlines_for(session, SUBJECT, [c.id for c in page], filters.today)
    links = repo.linked_references(session, page)
    items = [_summary(c, deadlines.get(c.id, []), links.get(c.id, [])) for c in page]
    next_cursor = (encode_cursor(page[-1].received_on.isoformat(), page[-1].id)
                   if len(rows) > limit else None)
    record(session, actor=principal.actor, action="case_review.list", subject_type=SUBJECT,
           data={"ids": [c.id for c in page], "filters": filters.names()})
    return {"items": items, "next_cursor": next_cursor}


def transitions_for(session: Session, case_id: int, principal: Principal) -> tuple[CaseReview, list[dict[str, Any]]]:
    case = repo.get_readable(session, case_id, principal)
    return case, available_transitions(session, workflow_of(case), case, principal)


def history(session: Session, case_id: int, principal: Principal) -> list[dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal)
    rows = history_for(session, SUBJECT, case.id)
    record(session, actor=principal.actor, action="case_review.history", subject_type=SUBJECT,
           subject_id=case.id)
    return rows


# ---- writes ---------------------------------------------------------------------------------

def transition(session: Session, case_id: int, principal: Principal, payload: dict[str, Any],
               if_match: str | None) -> tuple[CaseReview, dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal, lock=True)
    apply_transition(session, workflow_of(case), case, payload, principal, if_match)
    session.flush()
    return case, detail(session, case)


_NOTIFIER = {"name": "notifier_name", "email": "notifier_email", "agency": "notifier_agency",
             "role": "notifier_role", "phone": "notifier_phone"}
_CHILD = {"first_name": "child_first_name", "last_name": "child_last_name",
          "date_of_birth": "child_date_of_birth", "sex": "child_sex",
          "ethnicity": "child_ethnicity", "address": "child_address",
          "local_authority": "child_local_authority"}
_INCIDENT = {"date": "incident_date", "type": "incident_type", "description": "incident_description"}
_REQUIRED = {("notifier", "name"), ("notifier", "agency"), ("child", "first_name"),
             ("child", "last_name"), ("incident", "date"), ("incident", "type"),
             ("incident", "description")}
_FLAT = ("abuse_or_neglect_suspected", "agencies_involved", "review_methodology",
         "lead_reviewer_name", "review_chair_name", "terms_of_reference",
         "terms_of_reference_agreed_on")
REVIEWS_RUN_LOCALLY = ("management_review", "single_agency_review", "learning_event")


def patch_case(session: Session, case_id: int, principal: Principal, body: CaseReviewPatch,
               if_match: str | None) -> tuple[CaseReview, dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal, lock=True)
    check_if_match(case, if_match)
    data = body.model_dump(exclude_unset=True)
    if not data:
        raise ValidationFailed.field(["body"], "nothing to change")
    changed: list[str] = []
    today = dt.date.today()
    for group, mapping in (("notifier", _NOTIFIER), ("child", _CHILD), ("incident", _INCIDENT)):
        if group not in data:
            continue
        values = data[group]
        if values is None:
            raise ValidationFailed.field(["body", group], "must be an object")
        for key, value in values.items():
            if value is None and (group, key) in _REQUIRED:
                raise ValidationFailed.field(["body", group, key], "must not be empty")
            setattr(case, mapping[key], str(value) if key == "email" and value else value)
            changed.append(f"{group}.{key}")
    _check_dates(case.child_date_of_birth, case.incident_date)
    for key in _FLAT:
        if key in data:
            value = data[key]
            if key == "agencies_involved" and value is None:
                value = []
            setattr(case, key, value)
            changed.append(key)
    if "review_type" in data:
        if case.decision not in REVIEWS_RUN_LOCALLY:
            raise ValidationFailed.field(
                ["body", "review_type"],
                "can be changed only once a management review, single agency review or "
                "learning event has been commissioned")
        if data["review_type"] is None:
            raise ValidationFailed.field(["body", "review_type"], "must not be empty")
        case.review_type = data["review_type"]
        changed.append("review_type")
    if "other_la" in data:
        if case.decision != "other_la_review":
            raise ValidationFailed.field(["body", "other_la"],
                                         "applies only to a review by another local authority")
        if data["other_la"] is None:
            raise ValidationFailed.field(["body", "other_la"], "must not be empty")
        case.other_la = data["other_la"]
        changed.append("other_la")
    if "report_sent_to_national_panel_on" in data:
        case.report_sent_to_national_panel_on = data["report_sent_to_national_panel_on"]
        if case.report_sent_to_national_panel_on:
            close_deadlines(session, SUBJECT, case.id, ["pre_publication"], met=True)
        changed.append("report_sent_to_national_panel_on")
    if "planned_publication_on" in data:
        if case.status in ("published", "closed", "withdrawn"):
            raise Conflict(f"the case is {case.status}: its publication can no longer be planned")
        case.planned_publication_on = data["planned_publication_on"]
        if case.planned_publication_on is None:
            close_deadlines(session, SUBJECT, case.id, ["pre_publication"], met=False)
        elif not case.report_sent_to_national_panel_on:
            open_pre_publication(session, case, today)
        changed.append("planned_publication_on")
    if "national_panel_notified_on" in data:
        case.national_panel_notified_on = data["national_panel_notified_on"]
        if case.national_panel_notified_on:
            close_deadlines(session, SUBJECT, case.id, ["national_panel_notice"], met=True)
        changed.append("national_panel_notified_on")
    case.updated_at = utcnow()  # always bump the version, even for deadline-only changes
    session.flush()
    record(session, actor=principal.actor, action="case_review.update", subject_type=SUBJECT,
           subject_id=case.id, data={"fields": changed})
    return case, detail(session, case)


# ---- thematic reviews -----------------------------------------------------------------------

def link_cases(session: Session, case_id: int, other_id: int, principal: Principal) -> tuple[CaseReview, dict[str, Any]]:
    if case_id == other_id:
        raise ValidationFailed.field(["body", "case_id"], "a case cannot be linked to itself")
    case = repo.get_readable(session, case_id, principal, lock=True)
    other = repo.get_by_id(session, other_id, lock=True)
    if other is None:
        raise ValidationFailed.field(["body", "case_id"], "no such case review")
    if case.thematic_group_id is not None and case.thematic_group_id == other.thematic_group_id:
        raise Conflict("the cases are already reviewed together")
    group = case.thematic_group_id or other.thematic_group_id or case.id
    for old in {case.thematic_group_id, other.thematic_group_id} - {None, group}:
        session.execute(
            update(CaseReview).where(CaseReview.thematic_group_id == old)
            .values(thematic_group_id=group, version=CaseReview.version + 1),
            execution_options={"synchronize_session": False},
        )
    session.expire_all()
    case = repo.get_by_id(session, case_id, lock=True)
    other = repo.get_by_id(session, other_id, lock=True)
    assert case is not None and other is not None
    case.thematic_group_id = group
    other.thematic_group_id = group
    case.updated_at = other.updated_at = utcnow()
    session.flush()
    record(session, actor=principal.actor, action="case_review.link", subject_type=SUBJECT,
           subject_id=case.id, data={"linked_case_id": other.id, "group": group})
    return case, detail(session, case)


def unlink_case(session: Session, case_id: int, other_id: int, principal: Principal) -> tuple[CaseReview, dict[str, Any]]:
    case = repo.get_readable(session, case_id, principal, lock=True)
    other = repo.get_by_id(session, other_id, lock=True)
    if other is None or case.thematic_group_id is None or other.thematic_group_id != case.thematic_group_id \
            or other.id == case.id:
        raise NotFound("the cases are not linked")
    group = case.thematic_group_id
    other.thematic_group_id = None
    other.updated_at = utcnow()
    session.flush()
    remaining = list(session.execute(
        select(CaseReview).where(CaseReview.thematic_group_id == group)
    ).scalars())
    if len(remaining) == 1:
        remaining[0].thematic_group_id = None
        remaining[0].updated_at = utcnow()
    session.flush()
    record(session, actor=principal.actor, action="case_review.unlink", subject_type=SUBJECT,
           subject_id=case.id, data={"unlinked_case_id": other.id})
    return case, detail(session, case)


# ---- the notifier's view --------------------------------------------------------------------

def public_status(session: Session, reference: str, token: str | None) -> dict[str, Any]:
    """The coarse stage and decision for the holder of the status token; anything else 404.
    The token is compared in constant time against the stored hash."""
    case = repo.get_by_reference(session, reference) if REFERENCE_RE.fullmatch(reference) else None
    expected = case.status_token_hash if case is not None and case.status_token_hash else _DUMMY_HASH
    given = hash_token(token) if token and len(token) <= 200 else hash_token("")
    if not hmac.compare_digest(given, expected) or case is None or not case.status_token_hash:
        raise NotFound("no such notification, or the status token is wrong")
    stage = regime_of(case).public_stages.get(case.status, "under_consideration")
    decision = case.decision if stage in ("decision_made", "closed") else None
    return {
        "reference": case.reference,
        "stage": stage,
        "decision": decision,
        "decision_label": get_config().label(decision) if decision else None,
    }


def ensure_open(case: CaseReview) -> None:
    if case.status in CLOSED_STATES:
        raise Conflict(f"the case is {case.status}")
