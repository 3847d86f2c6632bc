"""Rows to response shapes (the models of schemas.py). No queries: the service loads what a
shape needs and passes it in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from core.agency_requests import service as agency_requests
from core.agency_requests.models import AgencyRequest
from core.deadlines import add_months
from ecr.config import get_config
from ecr.domain import OPEN_ITEM_STATUSES, needs_ofsted_and_secretary_of_state
from ecr.models import ActionItem, CaseReview, Recommendation


def summary(case: CaseReview, stage: str, deadlines: list[dict[str, Any]],
            links: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "regime": case.regime,
        "status": case.status,
        "stage": stage,
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


def detail(case: CaseReview, stage: str, deadlines: list[dict[str, Any]],
           links: list[dict[str, Any]], child_death: dict[str, Any] | None,
           open_recommendations: int) -> dict[str, Any]:
    out = summary(case, stage, deadlines, links)
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
            "keep_published_until": add_months(case.published_on, 12) if case.published_on else None,
            "not_published_reason": case.not_published_reason,
            "national_panel_told_not_published_on": case.national_panel_told_not_published_on,
        },
        "closed_at": case.closed_at,
        "carry_forward_note": case.carry_forward_note,
        "withdrawn_reason": case.withdrawn_reason,
        "thematic_review_id": case.thematic_review_id,
        "child_death": child_death,
        "referred_by": case.referred_by,
        "open_recommendations": open_recommendations,
        "serious_incident": serious_incident(case),
        "ofsted_and_secretary_of_state_to_be_told": needs_ofsted_and_secretary_of_state(case),
    })
    out["publication"]["final_report_sent_on"] = case.final_report_sent_on
    out["publication"]["panel_told_on"] = case.panel_told_on
    return out


def serious_incident(case: CaseReview) -> dict[str, Any] | None:
    """A CSPR case's serious incident record (``None`` under another regime)."""
    if case.regime != "CSPR":
        return None
    return {
        "criteria": {
            "abuse_or_neglect_known_or_suspected": case.si_abuse_or_neglect,
            "child_died_or_seriously_harmed": case.si_died_or_seriously_harmed,
            "looked_after_child": case.looked_after_child,
            "death_in_custody_secure_setting_or_mha": case.si_death_in_custody,
        },
        "became_aware_on": case.became_aware_on or case.received_on,
        "notified_panel_on": case.notified_panel_on,
        "rapid_review": {
            "rapid_review_on": case.rapid_review_on,
            "sent_to_panel_on": case.rapid_review_sent_on,
            "recommendation": case.rapid_review_recommendation,
            "rationale": case.rapid_review_rationale,
            "learning_identified": case.rapid_review_learning,
        },
        "panel_response": {
            "panel_response_on": case.panel_response_on,
            "panel_agrees": case.panel_agrees,
            "panel_response_note": case.panel_response_note,
        },
    }


def public_status(case: CaseReview, stage: str) -> dict[str, Any]:
    """What the notifier sees: the coarse stage, and the decision once it is made."""
    decision = case.decision if stage in ("decision_made", "closed") else None
    return {
        "reference": case.reference,
        "stage": stage,
        "decision": decision,
        "decision_label": get_config().label(decision) if decision else None,
    }


def meeting_line(case: CaseReview, stage: str) -> dict[str, Any]:
    """A case on a CRG meeting's agenda."""
    return {"id": case.id, "reference": case.reference, "status": case.status, "stage": stage,
            "decision": case.decision, "received_on": case.received_on}


def tracker_line(case: CaseReview, stage: str, deadlines: list[dict[str, Any]]) -> dict[str, Any]:
    """A case of the tracker, the CRG's standing item."""
    return {**meeting_line(case, stage), "review_type": case.review_type, "deadlines": deadlines,
            "overdue": any(d["overdue"] for d in deadlines)}


def agency_report(req: AgencyRequest, reference: str, today: dt.date | None = None) -> dict[str, Any]:
    out = agency_requests.to_dict(req, today)
    out.update({"case_id": req.subject_id, "case_reference": reference, "version": req.version})
    return out


def recommendations(recs: list[Recommendation], items: dict[int, list[ActionItem]],
                    today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or dt.date.today()
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
                                 and a.status in OPEN_ITEM_STATUSES)}
                for a in items.get(r.id, [])
            ],
        }
        for r in recs
    ]


def report_csv(report: dict[str, Any]) -> str:
    """The annual report figures as CSV: one row per figure (section, item, measure, value)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "item", "measure", "value"])
    w.writerow(["period", "from", "", report["period"]["from"].isoformat()])
    w.writerow(["period", "to", "", report["period"]["to"].isoformat()])
    w.writerow(["notifications_received", "", "", report["notifications_received"]])
    for section in ("by_source", "by_incident_type", "outcomes", "scr", "publication",
                    "by_regime", "cspr"):
        for key, value in report[section].items():
            w.writerow([section, key, "", value])
    for kind, row in report["timeliness"].items():
        for measure, value in row.items():
            w.writerow(["timeliness", kind, measure, value])
    return buf.getvalue()
