"""Case review use cases: the only module of ``ecr`` that drives the workflow engine and
records audit events. Services flush and never commit: the request commits once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from core import interop
from core.agency_requests import service as agency_requests
from core.agency_requests.models import AgencyRequest
from core.audit import record
from core.auth.principal import Principal
from core.db.base import utcnow
from core.deadlines import close_deadlines, open_deadline, open_deadlines_for, open_new_deadlines
from core.errors import Conflict, NotFound, ValidationFailed
from core.pagination import decode_cursor, encode_cursor
from core.workflow import apply_transition, available_transitions, history_for
from core.workflow.engine import check_if_match, record_creation_history
from core.workflow.schema import transition_body_schema
from ecr import emails, reports, views
from ecr import repository as repo
from ecr.config import get_config
from ecr.domain import (
    AGENCY_REPORT_KIND,
    AGENCY_REPORT_STAFF,
    CLOSED_STATES,
    FINAL_REPORT,
    NATIONAL_PANEL_NOT_PUBLISHED,
    NATIONAL_PANEL_NOTICE,
    PRE_PUBLICATION,
    SERIOUS_INCIDENT_NOTIFICATION,
    RECOMMENDATION_STATES,
    REFERENCE_RE,
    REVIEWS_RUN_LOCALLY,
    SECTIONS,
    SUBJECT,
    is_scr,
)
from ecr.models import ActionItem, CaseReview, Recommendation
from ecr.schemas import (
    AgencyReportCreate,
    AgencyReportSubmit,
    CaseReviewPatch,
    ChildIn,
    IncidentIn,
    NotifierIn,
    PublicNotificationIn,
    RecommendationCreate,
    RecommendationPatch,
    ReferralIn,
    StaffNotificationIn,
)
from ecr.workflow import (
    HISTORY_LABELS,
    REGIMES,
    body_tables,
    close_unowed,
    current_regime,
    open_final_report,
    open_pre_publication,
    regime_of,
    workflow_of,
)

_DUMMY_HASH = hashlib.sha256(b"no such notification").hexdigest()
# the body of POST /case-reviews/{id}/transitions as OpenAPI describes it (built from the tables)
TRANSITION_BODY_SCHEMA = transition_body_schema(body_tables(), "CaseReviewTransition")  # type: ignore[arg-type]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _stage(case: CaseReview) -> str:
    return regime_of(case).public_stages.get(case.status, case.status)


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
    regime_code: str | None = None,
    became_aware_on: dt.date | None = None,
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
    regime = REGIMES[regime_code] if regime_code else current_regime()
    if became_aware_on is not None:
        if regime.code != "CSPR":
            raise ValidationFailed.field(["body", "became_aware_on"],
                                         "applies only to a case under regime CSPR")
        if became_aware_on > received_on:
            raise ValidationFailed.field(["body", "became_aware_on"],
                                         "must not be after the notification was received")
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
        "became_aware_on": became_aware_on,
        "created_at": stamp,
        "updated_at": stamp,
        "version": 1,
    }
    case_id = values["id"] = repo.insert_case(session, values)
    # a new case has no deadline to close first: opened with one INSERT (the serious incident
    # notification runs from the day the partners became aware, by default the receipt)
    rules = regime.deadline_rules(get_config())
    from_receipt = [rules[k] for k in regime.on_receipt if k != SERIOUS_INCIDENT_NOTIFICATION]
    open_new_deadlines(session, SUBJECT, case_id, from_receipt, received_on)
    if SERIOUS_INCIDENT_NOTIFICATION in regime.on_receipt:
        open_new_deadlines(session, SUBJECT, case_id, [rules[SERIOUS_INCIDENT_NOTIFICATION]],
                           became_aware_on or received_on)
    record_creation_history(session, regime.workflow,
                            NewNotification(case_id, reference, values["status"]),
                            actor, actor_name, action="receive", note=None)
    record(session, actor=actor, action="case_review.create", subject_type=SUBJECT,
           subject_id=case_id, data={"reference": reference, "source": source})
    emails.email_receipt(session, case_id, reference, values["notifier_email"], regime.code)
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
    regime_code: str | None = None,
    became_aware_on: dt.date | None = None,
) -> tuple[CaseReview, str | None]:
    """A new notification in the state ``received``, its reference, its deadlines, the
    creation history row, the audit event and the receipt email, all in one transaction.
    Returns the case as an entity of the session (for callers that go on with it)."""
    values, token = _insert_notification(
        session, body, source=source, actor=actor, actor_name=actor_name,
        received_on=received_on, with_token=with_token,
        child_death_reference=child_death_reference, referred_by=referred_by,
        regime_code=regime_code, became_aware_on=became_aware_on,
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


def public_notification(session: Session, body: PublicNotificationIn) -> dict[str, Any]:
    """A notification from the public: its ``PublicReceipt``."""
    case, token = create_public(session, body)
    return {"reference": case.reference, "status": "received", "status_token": token}


def create_staff(session: Session, body: StaffNotificationIn,
                 principal: Principal) -> tuple[CaseReview, dict[str, Any]]:
    case, _ = create_notification(
        session, body, source="staff", actor=principal.actor, actor_name=principal.name,
        received_on=body.received_on, with_token=False, regime_code=body.regime,
        became_aware_on=body.became_aware_on,
    )
    return case, detail(session, case)


# ---- presentation ---------------------------------------------------------------------------

def child_death_link(session: Session, case: CaseReview) -> dict[str, Any] | None:
    if not case.child_death_reference:
        return None
    found = None
    if interop.is_provided("child_death.status"):
        try:
            found = interop.call(session, "child_death.status",
                                 {"reference": case.child_death_reference})
        except interop.NotProvided:
            found = None
    return {"reference": case.child_death_reference, "id": (found or {}).get("id"),
            "status": (found or {}).get("status")}


def detail(session: Session, case: CaseReview, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    deadlines = open_deadlines_for(session, SUBJECT, [case.id], today).get(case.id, [])
    links = repo.linked_references(session, [case]).get(case.id, [])
    return views.detail(case, _stage(case), deadlines, links, child_death_link(session, case),
                        repo.open_recommendation_count(session, case.id))


# ---- reads ----------------------------------------------------------------------------------

def read_case(session: Session, principal: Principal, case_id: int) -> tuple[CaseReview, dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id)
    out = detail(session, case)
    record(session, actor=principal.actor, action="case_review.read", subject_type=SUBJECT,
           subject_id=case.id)
    return case, out


def list_page(session: Session, principal: Principal, filters: repo.CaseFilters, limit: int,
              cursor: str | None) -> dict[str, Any]:
    if filters.received_from and filters.received_to and filters.received_from > filters.received_to:
        raise ValidationFailed.field(["query", "received_to"], "must not be before received_from")
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
    items = [views.summary(c, _stage(c), deadlines.get(c.id, []), links.get(c.id, [])) for c in page]
    next_cursor = (encode_cursor(page[-1].received_on.isoformat(), page[-1].id)
                   if len(rows) > limit else None)
    record(session, actor=principal.actor, action="case_review.list", subject_type=SUBJECT,
           data={"ids": [c.id for c in page], "filters": filters.names()})
    return {"items": items, "next_cursor": next_cursor}


def transitions_for(session: Session, principal: Principal, case_id: int) -> tuple[CaseReview, list[dict[str, Any]]]:
    case = repo.get_readable(session, principal, case_id)
    return case, available_transitions(session, workflow_of(case), case, principal)


def history(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    rows = history_for(session, SUBJECT, case_id, visible=(CaseReview.__table__, repo.readable_by(principal)),
                       labels=HISTORY_LABELS)
    if rows is None:
        raise NotFound("no such case review")
    record(session, actor=principal.actor, action="case_review.history", subject_type=SUBJECT,
           subject_id=case_id)
    return rows


# ---- writes ---------------------------------------------------------------------------------

def transition(session: Session, principal: Principal, case_id: int, payload: dict[str, Any],
               if_match: str | None) -> tuple[CaseReview, dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id, lock=True)
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


def _panel_date(session: Session, case: CaseReview, data: dict[str, Any], field: str,
                kind: str, changed: list[str]) -> None:
    """A date on which a duty to the national panel was done: it meets that duty's deadline,
    and only that one."""
    if field not in data:
        return
    setattr(case, field, data[field])
    if data[field]:
        close_deadlines(session, SUBJECT, case.id, [kind], outcome="met", on=data[field])
    changed.append(field)


_CSPR_PATCH = ("became_aware_on", "serious_incident_criteria", "panel_response_on",
               "panel_agrees", "panel_response_note", "final_report_sent_on")
_CRITERIA_COLUMNS = {
    "abuse_or_neglect_known_or_suspected": "si_abuse_or_neglect",
    "child_died_or_seriously_harmed": "si_died_or_seriously_harmed",
    "looked_after_child": "looked_after_child",
    "death_in_custody_secure_setting_or_mha": "si_death_in_custody",
}


def _patch_cspr(session: Session, case: CaseReview, data: dict[str, Any], changed: list[str],
                today: dt.date) -> None:
    """The CSPR fields of PATCH: the serious incident criteria, the day the partners became
    aware (a new due date for the notification still owed), the panel's response to the rapid
    review, and the final report sent before publication (meets its deadline)."""
    if "became_aware_on" in data:
        aware = data["became_aware_on"]
        if aware is None:
            raise ValidationFailed.field(["body", "became_aware_on"], "must not be empty")
        if aware > case.received_on:
            raise ValidationFailed.field(["body", "became_aware_on"],
                                         "must not be after the notification was received")
        case.became_aware_on = aware
        if repo.open_deadline_dues(session, SUBJECT, case.id, [SERIOUS_INCIDENT_NOTIFICATION]):
            rule = regime_of(case).rule(SERIOUS_INCIDENT_NOTIFICATION)
            open_deadline(session, SUBJECT, case.id, rule, aware)
        changed.append("became_aware_on")
    criteria = data.get("serious_incident_criteria")
    if criteria is not None:
        for key, value in criteria.items():
            setattr(case, _CRITERIA_COLUMNS[key], value)
            changed.append(f"serious_incident_criteria.{key}")
    for key in ("panel_response_on", "panel_agrees", "panel_response_note"):
        if key in data:
            if case.rapid_review_sent_on is None:
                raise ValidationFailed.field(["body", key],
                                             "the national panel responds to a rapid review sent to it")
            setattr(case, key, data[key])
            changed.append(key)
    if "final_report_sent_on" in data:
        sent = data["final_report_sent_on"]
        if case.decision != "lcspr":
            raise ValidationFailed.field(["body", "final_report_sent_on"],
                                         "applies only to a local child safeguarding practice review")
        case.final_report_sent_on = sent
        if sent is not None:
            if not repo.open_deadline_dues(session, SUBJECT, case.id, [FINAL_REPORT]) \
                    and case.planned_publication_on and case.published_on is None:
                open_final_report(session, case, today)
            close_deadlines(session, SUBJECT, case.id, [FINAL_REPORT], outcome="met", on=sent)
        changed.append("final_report_sent_on")


def patch_case(session: Session, principal: Principal, case_id: int, body: CaseReviewPatch,
               if_match: str | None) -> tuple[CaseReview, dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id, lock=True)
    check_if_match(case, if_match)
    data = body.model_dump(exclude_unset=True)
    if not data:
        raise ValidationFailed.field(["body"], "nothing to change")
    changed: list[str] = []
    today = dt.date.today()
    if "regime" in data:
        raise ValidationFailed.field(["body", "regime"],
                                     "a case keeps the regime it began with: it cannot be changed")
    cspr_only = [k for k in _CSPR_PATCH if k in data]
    if cspr_only and case.regime != "CSPR":
        raise ValidationFailed.field(["body", cspr_only[0]], "applies only to a case under regime CSPR")
    _patch_cspr(session, case, data, changed, today)
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
    _panel_date(session, case, data, "report_sent_to_national_panel_on", PRE_PUBLICATION, changed)
    if "planned_publication_on" in data:
        if case.status in ("published", *CLOSED_STATES):
            raise Conflict(f"the case is {case.status}: its publication can no longer be planned")
        case.planned_publication_on = data["planned_publication_on"]
        if case.planned_publication_on is None:
            close_unowed(session, case.id, [PRE_PUBLICATION],
                         "the publication is no longer planned", today)
        elif is_scr(case) and not case.report_sent_to_national_panel_on:
            open_pre_publication(session, case, today)
        elif case.decision == "lcspr" and not case.final_report_sent_on:
            open_final_report(session, case, today)
        changed.append("planned_publication_on")
    _panel_date(session, case, data, "national_panel_notified_on", NATIONAL_PANEL_NOTICE, changed)
    _panel_date(session, case, data, "national_panel_told_not_published_on",
                NATIONAL_PANEL_NOT_PUBLISHED, changed)
    case.updated_at = utcnow()  # always bump the version, even for deadline-only changes
    session.flush()
    record(session, actor=principal.actor, action="case_review.update", subject_type=SUBJECT,
           subject_id=case.id, data={"fields": changed})
    return case, detail(session, case)


# ---- thematic reviews -----------------------------------------------------------------------

def link_cases(session: Session, principal: Principal, case_id: int,
               other_id: int) -> tuple[CaseReview, dict[str, Any]]:
    """Review two notifications together: they join one thematic review (the one either is
    already in, merging two if both are; a new one if neither is)."""
    if case_id == other_id:
        raise ValidationFailed.field(["body", "case_id"], "a case cannot be linked to itself")
    case = repo.get_readable(session, principal, case_id, lock=True)
    other = repo.get_by_id(session, other_id, lock=True)
    if other is None:
        raise ValidationFailed.field(["body", "case_id"], "no such case review")
    mine, theirs = case.thematic_review_id, other.thematic_review_id
    if mine is not None and mine == theirs:
        raise Conflict("the cases are already reviewed together")
    if mine is None and theirs is None:
        review_id = repo.new_thematic_review(session, principal.actor)
    else:
        review_id = mine if mine is not None else theirs
        if mine is not None and theirs is not None:
            repo.move_thematic_review(session, theirs, mine)
            session.expire_all()
            case = repo.get_by_id(session, case_id, lock=True)
            other = repo.get_by_id(session, other_id, lock=True)
            assert case is not None and other is not None
    case.thematic_review_id = other.thematic_review_id = review_id
    case.updated_at = other.updated_at = utcnow()
    session.flush()
    record(session, actor=principal.actor, action="case_review.link", subject_type=SUBJECT,
           subject_id=case.id, data={"linked_case_id": other.id, "thematic_review_id": review_id})
    return case, detail(session, case)


def unlink_case(session: Session, principal: Principal, case_id: int,
                other_id: int) -> tuple[CaseReview, dict[str, Any]]:
    """Take ``other_id`` out of the thematic review it shares with ``case_id``; a review left
    with one case ends."""
    case = repo.get_readable(session, principal, case_id, lock=True)
    other = repo.get_by_id(session, other_id, lock=True)
    review_id = case.thematic_review_id
    if other is None or review_id is None or other.thematic_review_id != review_id \
            or other.id == case.id:
        raise NotFound("the cases are not linked")
    other.thematic_review_id = None
    other.updated_at = utcnow()
    session.flush()
    remaining = repo.thematic_members(session, review_id)
    if len(remaining) <= 1:
        for last in remaining:
            last.thematic_review_id = None
            last.updated_at = utcnow()
        session.flush()
        repo.delete_thematic_review(session, review_id)
    record(session, actor=principal.actor, action="case_review.unlink", subject_type=SUBJECT,
           subject_id=case.id, data={"unlinked_case_id": other.id, "thematic_review_id": review_id})
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
    return views.public_status(case, regime_of(case).public_stages.get(case.status,
                                                                       "under_consideration"))


def _ensure_open(case: CaseReview) -> None:
    if case.status in CLOSED_STATES:
        raise Conflict(f"the case is {case.status}")


# ---- agency reports -------------------------------------------------------------------------

def request_agency_report(session: Session, principal: Principal, case_id: int,
                          body: AgencyReportCreate) -> dict[str, Any]:
    case = repo.get_readable(session, principal, case_id, lock=True)
    _ensure_open(case)
    recipient = str(body.contact_email) if body.contact_email else None
    if body.assignee_user_id is not None:
        user = repo.active_user(session, body.assignee_user_id)
        if user is None or "agency_author" not in (user.roles or []):
            raise ValidationFailed.field(["body", "assignee_user_id"],
                                         "no active user with the agency_author role has this id")
        recipient = recipient or user.email
    req = agency_requests.create_request(
        session, subject_type=SUBJECT, subject_id=case.id, kind=AGENCY_REPORT_KIND,
        agency=body.agency, due_on=body.due_on, actor=principal.actor,
        contact_email=recipient if body.contact_email else None,
        assignee_user_id=body.assignee_user_id,
    )
    if recipient:
        emails.email_agency_report_request(session, case, recipient, body.agency, body.due_on)
    return views.agency_report(req, case.reference)


def list_agency_reports(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id)
    rows = agency_requests.list_for(session, SUBJECT, [case.id])[case.id]
    record(session, actor=principal.actor, action="agency_report.list", subject_type=SUBJECT,
           subject_id=case.id)
    today = dt.date.today()
    return [views.agency_report(r, case.reference, today) for r in rows if r.kind == AGENCY_REPORT_KIND]


def my_agency_reports(session: Session, principal: Principal, *, open_only: bool, limit: int,
                      cursor: str | None) -> dict[str, Any]:
    """A page of ``AgencyReportOut``: the agency reports assigned to the caller (an agency
    author's "My forms"), oldest request first."""
    after = None
    if cursor:
        (value,) = decode_cursor(cursor, 1)
        if not isinstance(value, int):
            raise ValidationFailed.field(["query", "cursor"], "invalid cursor")
        after = value
    today = dt.date.today()
    rows = repo.assigned_reports(session, principal.user_id, open_only=open_only, limit=limit, after_id=after)
    items = [views.agency_report(req, ref, today) for req, ref in rows[:limit]]
    record(session, actor=principal.actor, action="agency_report.mine", subject_type=SUBJECT,
           data={"request_ids": [i["id"] for i in items]})
    return {"items": items, "next_cursor": encode_cursor(items[-1]["id"]) if len(rows) > limit else None}


def save_my_agency_report_draft(session: Session, principal: Principal, report_id: int,
                                body: AgencyReportSubmit) -> dict[str, Any]:
    """Keep part of an agency report assigned to the caller (``AgencyReportOut``): any sections,
    not yet submitted; someone else's report or a closed case: 404; submitted or waived: 409."""
    found = repo.assigned_report(session, principal.user_id, report_id, lock=True)
    if found is None or found[1].status in CLOSED_STATES:
        raise NotFound("no such open agency report is assigned to you")
    req, case = found
    answers = body.answers.model_dump(exclude_none=True)
    both = sorted(set(body.not_known) & set(answers))
    if both:
        raise ValidationFailed.field(["body", "not_known"],
                                     f"answered sections cannot also be not known: {', '.join(both)}")
    agency_requests.save_draft(session, req, answers=answers, not_known=list(body.not_known), actor=principal.actor)
    return views.agency_report(req, case.reference)


def _agency_report(session: Session, principal: Principal, case_id: int, request_id: int, *,
                   lock: bool = False, readers_too: bool = False) -> tuple[AgencyRequest, CaseReview]:
    """An agency report for its assigned author or the business unit (and, with
    ``readers_too``, anyone who may read the case); anything else is a 404, as if it did not
    exist."""
    case = repo.get_by_id(session, case_id)
    if case is None:
        raise NotFound("no such agency report")
    staff = set(AGENCY_REPORT_STAFF)
    if readers_too and repo.is_readable(session, principal, case_id):
        staff |= principal.roles
    try:
        req = agency_requests.get_assigned_or_staff(session, SUBJECT, case.id, request_id, principal,
                                                    staff, lock=lock, kind=AGENCY_REPORT_KIND)
    except NotFound:
        raise NotFound("no such agency report") from None
    return req, case


def read_agency_report(session: Session, principal: Principal, case_id: int,
                       request_id: int) -> dict[str, Any]:
    req, case = _agency_report(session, principal, case_id, request_id, readers_too=True)
    record(session, actor=principal.actor, action="agency_report.read", subject_type=SUBJECT,
           subject_id=case.id, data={"request_id": req.id})
    return views.agency_report(req, case.reference)


def submit_agency_report(session: Session, principal: Principal, case_id: int, request_id: int,
                         body: AgencyReportSubmit) -> dict[str, Any]:
    req, case = _agency_report(session, principal, case_id, request_id, lock=True)
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
    agency_requests.submit(session, req, answers=answers, not_known=sorted(not_known),
                           actor=principal.actor)
    return views.agency_report(req, case.reference)


def waive_agency_report(session: Session, principal: Principal, case_id: int, request_id: int,
                        reason: str) -> dict[str, Any]:
    case = repo.get_readable(session, principal, case_id)
    req, _ = _agency_report(session, principal, case.id, request_id, lock=True, readers_too=True)
    agency_requests.waive(session, req, reason=reason, actor=principal.actor)
    return views.agency_report(req, case.reference)


def send_agency_report_reminders(session: Session, today: dt.date) -> int:
    """The periodic job: reminders before the due date and after it (see core). Only open
    requests are reminded: a case that ends waives its own."""
    references: dict[int, str] = {}
    addresses: dict[int, str | None] = {}

    def send(s: Session, req: AgencyRequest, overdue: bool) -> None:
        if req.subject_id not in references:
            references.update(repo.references_by_ids(s, [req.subject_id]))
        to = req.contact_email
        if not to and req.assignee_user_id is not None:
            if req.assignee_user_id not in addresses:
                user = repo.active_user(s, req.assignee_user_id)
                addresses[req.assignee_user_id] = user.email if user else None
            to = addresses[req.assignee_user_id]
        if to:
            emails.email_agency_report_reminder(s, references.get(req.subject_id, "?"),
                                                req.subject_id, to, req.due_on, overdue)

    return agency_requests.send_reminders(session, SUBJECT, today, send)


# ---- recommendations ------------------------------------------------------------------------

def _recommendations_out(session: Session, recs: list[Recommendation]) -> list[dict[str, Any]]:
    return views.recommendations(recs, repo.action_items_of(session, [r.id for r in recs]))


def _completed_on(status: str | None, completed_on: dt.date | None) -> dt.date | None:
    if status == "completed":
        return completed_on or dt.date.today()
    return completed_on


def create_recommendation(session: Session, principal: Principal, case_id: int,
                          body: RecommendationCreate) -> tuple[Recommendation, dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id, lock=True)
    if case.status not in RECOMMENDATION_STATES:
        raise Conflict(f"recommendations are recorded once a review is under way (the case is "
                       f"{case.status})")
    rec = Recommendation(case_id=case.id, number=repo.next_recommendation_number(session, case.id),
                         text=body.text, status=body.status, created_by=principal.actor)
    session.add(rec)
    session.flush()
    for a in body.actions:
        session.add(ActionItem(recommendation_id=rec.id, description=a.description,
                               owner_agency=a.owner_agency, due_on=a.due_on, status=a.status,
                               completed_on=_completed_on(a.status, a.completed_on), note=a.note))
    session.flush()
    record(session, actor=principal.actor, action="recommendation.create", subject_type=SUBJECT,
           subject_id=case.id, data={"recommendation_id": rec.id, "actions": len(body.actions)})
    return rec, _recommendations_out(session, [rec])[0]


def list_recommendations(session: Session, principal: Principal, case_id: int) -> list[dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id)
    recs = repo.recommendations_of(session, case.id)
    record(session, actor=principal.actor, action="recommendation.list", subject_type=SUBJECT,
           subject_id=case.id)
    return _recommendations_out(session, recs)


def patch_recommendation(session: Session, principal: Principal, case_id: int, rec_id: int,
                         body: RecommendationPatch,
                         if_match: str | None) -> tuple[Recommendation, dict[str, Any]]:
    case = repo.get_readable(session, principal, case_id)
    rec = repo.get_recommendation(session, case.id, rec_id, lock=True)
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
        existing = {a.id: a for a in repo.action_items_of(session, [rec.id])[rec.id]}
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
    return rec, _recommendations_out(session, [rec])[0]


# ---- the annual report ----------------------------------------------------------------------

def case_review_report(session: Session, principal: Principal, start: dt.date,
                       end: dt.date) -> dict[str, Any]:
    if start > end:
        raise ValidationFailed.field(["query", "to"], "must not be before from")
    if (end - start).days > 366 * 20:
        raise ValidationFailed.field(["query", "from"], "the period is too long")
    report = reports.case_review_report(session, start, end)
    record(session, actor=principal.actor, action="case_review.report",
           data={"from": start.isoformat(), "to": end.isoformat()})
    return report


def report_csv(report: dict[str, Any]) -> str:
    return views.report_csv(report)


# ---- the CRG meeting kind (registered in __init__) ------------------------------------------

def describe_for_meeting(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    return {c.id: views.meeting_line(c, _stage(c)) for c in repo.cases_by_ids(session, ids)}


def can_add_to_meeting(session: Session, case_id: int) -> str | None:
    case = repo.get_by_id(session, case_id)
    if case is not None and case.status in CLOSED_STATES:
        return f"the case is {case.status}"
    return None


def tracker(session: Session) -> list[dict[str, Any]]:
    """Every open case with its stage and open deadlines (the CRG's standing item)."""
    cases = repo.open_cases(session)
    deadlines = open_deadlines_for(session, SUBJECT, [c.id for c in cases], dt.date.today())
    return [views.tracker_line(c, _stage(c), deadlines.get(c.id, [])) for c in cases]


# ---- operations for the child death module (core.interop, registered in __init__) -----------

def create_referral(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """A case review notification referred by the Child Death Overview Panel. Repeating the
    call for the same child death returns the notification already made."""
    try:
        data = ReferralIn.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed([
            {"loc": ["referral", *err["loc"]], "msg": err["msg"]} for err in exc.errors()
        ]) from None
    existing = repo.find_referral(session, data.child_death_reference)
    if existing is not None:
        return {"id": existing.id, "reference": existing.reference, "status": existing.status}
    body = PublicNotificationIn.model_construct(
        notifier=NotifierIn.model_construct(name=data.referred_by, email=None,
                                            agency="Child Death Overview Panel", role=None,
                                            phone=None),
        child=ChildIn.model_construct(**data.child.model_dump()),
        incident=IncidentIn.model_construct(date=data.incident.date, type="death",
                                            description=data.incident.description),
        rationale=data.rationale,
        abuse_or_neglect_suspected=None,
        agencies_involved=[],
    )
    case, _ = create_notification(
        session, body, source="cdop_referral", actor="module:child_death",
        actor_name=data.referred_by, with_token=False,
        child_death_reference=data.child_death_reference, referred_by=data.referred_by,
    )
    return {"id": case.id, "reference": case.reference, "status": case.status}


def referral_status(session: Session, payload: dict[str, Any]) -> dict[str, Any] | None:
    reference = payload.get("reference")
    if not isinstance(reference, str) or len(reference) > 40:
        return None
    case = repo.get_by_reference(session, reference)
    if case is None:
        return None
    return {"id": case.id, "reference": case.reference, "status": case.status, "decision": case.decision,
            "stage": regime_of(case).public_stages.get(case.status)}
