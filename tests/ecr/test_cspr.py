"""Regime CSPR (Working Together 2018 and 2023) of API.md: the table, the statutory clocks, a
WT2015 case and a CSPR case side by side, and a case run end to end over HTTP.

The expected answers are API.md's "Regime CSPR" written out again here (not read from the
implementation). Dates are worked out by hand on the England and Wales calendar: Good Friday
3 April 2026 and Easter Monday 6 April 2026, the Early May bank holiday 4 May 2026.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from core.deadlines.models import Deadline
from core.outbox.models import OutboxMessage
from tests.ecr.conftest import ALL_ROLES, body

TODAY = dt.date.today()
R = "The partners' reasons for this are recorded here."
EASTER_THURSDAY = dt.date(2026, 4, 2)  # the Thursday before Easter 2026

# ---- the table of API.md, written out ---------------------------------------------------------

# action: (sources, target, roles (others), roles (an LCSPR), required fields)
TABLE: dict[str, tuple[tuple[str, ...], str, set[str], set[str], dict[str, Any]]] = {}


def row(action: str, sources: str, target: str, roles: str, fields: dict[str, Any] | None = None,
        lcspr_roles: str | None = None) -> None:
    TABLE[action] = (tuple(sources.split()), target, set(roles.split()),
                     set((lcspr_roles or roles).split()), fields or {})


row("start_screening", "received", "screening", "business_unit")
row("request_information", "screening", "information_requested", "business_unit",
    {"note": "Asked the school for records."})
row("record_information", "information_requested", "screening", "business_unit")
row("record_serious_incident_notification", "screening", "rapid_review", "business_unit",
    {"notified_panel_on": TODAY.isoformat()})
row("refer_to_group", "screening", "awaiting_decision", "business_unit")
row("complete_rapid_review", "rapid_review", "rapid_review_sent", "crg_chair",
    {"rapid_review_on": TODAY.isoformat(), "sent_to_panel_on": TODAY.isoformat(),
     "recommendation": "lcspr", "rationale": R})
row("commission_lcspr", "rapid_review_sent", "review_in_progress", "independent_chair",
    {"rationale": R})
row("refer_to_national_review", "rapid_review_sent", "monitoring_national_review",
    "independent_chair", {"rationale": R})
row("decide_no_lcspr", "rapid_review_sent", "awaiting_decision", "independent_chair",
    {"rationale": R})
row("commission_management_review", "awaiting_decision", "review_in_progress", "crg_chair",
    {"rationale": R})
row("commission_single_agency_review", "awaiting_decision", "review_in_progress", "crg_chair",
    {"rationale": R})
row("commission_learning_event", "awaiting_decision", "review_in_progress", "crg_chair",
    {"rationale": R})
row("refer_to_other_la", "awaiting_decision", "monitoring_other_la_review", "crg_chair",
    {"rationale": R, "other_la": "Exampleshire"})
row("no_further_action", "awaiting_decision", "closed", "crg_chair", {"rationale": R})
row("submit_report", "review_in_progress", "report_submitted", "business_unit")
row("return_report", "report_submitted", "review_in_progress", "crg_chair independent_chair",
    {"note": "Needs more analysis."})
row("approve_report", "report_submitted", "report_approved", "crg_chair",
    lcspr_roles="independent_chair")
row("defer_publication", "report_approved", "publication_deferred", "independent_chair",
    {"reason": "Criminal trial pending.", "review_on": (TODAY + dt.timedelta(days=30)).isoformat()})
row("resume_publication", "publication_deferred", "report_approved", "independent_chair")
row("publish", "report_approved", "published", "crg_chair",
    {"published_on": TODAY.isoformat(), "url": "https://example.org/report",
     "final_report_sent_on": TODAY.isoformat()},
    lcspr_roles="independent_chair")
row("decide_not_to_publish", "report_approved", "closed", "independent_chair",
    {"reason": "Would identify the family.", "panel_told_on": TODAY.isoformat()})
row("close", "published monitoring_other_la_review monitoring_national_review report_approved",
    "closed", "business_unit")
row("withdraw", "received screening information_requested awaiting_decision", "withdrawn",
    "business_unit", {"reason": "Duplicate notification."})

TRANSITION_ROLES = {"business_unit", "crg_chair", "independent_chair"}
# the decision codes of API.md under CSPR: lcspr and national_review added, no scr
CSPR_DECISIONS = ("lcspr", "national_review", "management_review", "single_agency_review",
                  "learning_event", "other_la_review", "nfa")
STATES = {"received", "screening", "information_requested", "rapid_review", "rapid_review_sent",
          "awaiting_decision", "review_in_progress", "monitoring_other_la_review",
          "monitoring_national_review", "report_submitted", "report_approved",
          "publication_deferred", "published", "closed", "withdrawn"}
VARIANTS = [
    ("received", None), ("screening", None), ("information_requested", None),
    ("rapid_review", None), ("rapid_review_sent", None), ("awaiting_decision", None),
    ("review_in_progress", "lcspr"), ("review_in_progress", "management_review"),
    ("monitoring_other_la_review", "other_la_review"),
    ("monitoring_national_review", "national_review"),
    ("report_submitted", "lcspr"), ("report_submitted", "learning_event"),
    ("report_approved", "lcspr"), ("report_approved", "single_agency_review"),
    ("publication_deferred", "lcspr"), ("publication_deferred", "management_review"),
    ("published", "lcspr"), ("published", "management_review"),
    ("closed", "nfa"), ("withdrawn", None),
]


def expected(state: str, decision: str | None, action: str, role: str) -> int:
    if action not in TABLE:  # e.g. the SCR actions of WT2015: no such action under CSPR
        return 403 if role not in TRANSITION_ROLES else 409
    sources, _target, roles, lcspr_roles, _fields = TABLE[action]
    if role not in TRANSITION_ROLES:
        return 403
    if state not in sources:
        return 409
    if role not in (lcspr_roles if decision == "lcspr" else roles):
        return 403
    if action == "close" and state == "report_approved" and decision == "lcspr":
        return 409  # an LCSPR closes through publish or decide_not_to_publish
    return 200


def make_cspr(db, status: str = "received", *, decision: str | None = None,
              received_on: dt.date | None = None, became_aware_on: dt.date | None = None,
              **fields: Any):
    """A CSPR case put straight into a state (committed)."""
    from ecr import service
    from ecr.schemas import StaffNotificationIn

    data = body()
    if received_on:
        data["incident"]["date"] = (received_on - dt.timedelta(days=3)).isoformat()
    case, _ = service.create_notification(
        db, StaffNotificationIn.model_validate(data), source="staff", actor="test",
        actor_name="Test", received_on=received_on, with_token=False, regime_code="CSPR",
        became_aware_on=became_aware_on)
    case.status = status
    case.decision = decision
    case.review_type = decision if decision not in (None, "nfa") else None
    for key, value in fields.items():
        setattr(case, key, value)
    db.flush()
    db.commit()
    return case


def test_the_table_is_api_md() -> None:
    from ecr.workflow import CSPR, REGIMES

    assert set(TABLE) == {t.action for t in CSPR.transitions}
    assert set(CSPR.states) == STATES == {s for s, _ in VARIANTS}
    assert CSPR.regime == "CSPR" and REGIMES["CSPR"].workflow is CSPR
    for action, (sources, target, roles, lcspr_roles, fields) in TABLE.items():
        t = CSPR.get(action)
        assert set(t.sources) == set(sources) and t.target == target, action
        assert set(t.roles) == roles | lcspr_roles, action
        required = set(fields)
        if action == "publish":
            required = {"published_on", "url"}  # final_report_sent_on: required for an LCSPR
        assert set(t.fields) == required, action
    # no SCR under CSPR: neither its actions nor its decision code
    assert not {"recommend_scr", "endorse_scr", "decline_scr"} & {t.action for t in CSPR.transitions}
    assert set(REGIMES["CSPR"].decisions) == set(CSPR_DECISIONS)
    assert not CSPR.label_problems()


def _post(client, case_id: int, user, action: str, fields: dict[str, Any]):
    return client.post(f"/api/v1/case-reviews/{case_id}/transitions",
                       json={"action": action, **fields},
                       headers={**user.headers, "If-Match": "*"})


@pytest.mark.parametrize(("state", "decision"), VARIANTS, ids=[f"{s}-{d}" for s, d in VARIANTS])
def test_full_matrix_through_the_service(db, users, state, decision) -> None:
    """Every state x action (CSPR's and WT2015's SCR actions) x role, through the same service
    call as the endpoint, each in a savepoint; roles without the route permission: 403."""
    from core.auth.principal import Principal
    from core.auth.roles import has_permission
    from core.errors import AppError
    from ecr import service

    principals = {
        role: Principal(subject=str(u.id), email=u.email, name=f"Test {role}",
                        roles=frozenset({role}), user_id=u.id)
        for role, u in users.items()
    }
    base = make_cspr(db, state, decision=decision)
    mismatches = []
    actions = {**{a: spec[4] for a, spec in TABLE.items()},
               "recommend_scr": {"rationale": R}, "endorse_scr": {"rationale": R}}
    for action, fields in actions.items():
        for role in ALL_ROLES:
            want = expected(state, decision, action, role)
            if not has_permission(frozenset({role}), "case_review:transition"):
                got = 403
            else:
                case_id = base.id if want != 200 else make_cspr(db, state, decision=decision).id
                nested = db.begin_nested()
                try:
                    case, _ = service.transition(db, principals[role], case_id,
                                                 {"action": action, **fields}, "*")
                    got = 200
                    if case.status != TABLE[action][1]:
                        mismatches.append((action, role, "target", case.status))
                    if case.decision not in (None, *CSPR_DECISIONS):
                        mismatches.append((action, role, "decision", case.decision))
                    nested.commit()
                except AppError as exc:
                    got = exc.status
                    nested.rollback()
            if got != want:
                mismatches.append((action, role, want, got))
    assert not mismatches, "\n".join(map(str, mismatches))


SOURCE_PAIRS = [(s, d, a) for s, d in VARIANTS for a, spec in TABLE.items() if s in spec[0]]


@pytest.mark.parametrize(("state", "decision", "action"), SOURCE_PAIRS,
                         ids=[f"{a}-from-{s}-{d}" for s, d, a in SOURCE_PAIRS])
def test_http_each_action_from_its_sources(client, db, users, state, decision, action) -> None:
    """Over HTTP, for the three roles that may transition: the answer, the target, and a 422
    naming the first required field when it is missing."""
    _s, target, _r, _lr, fields = TABLE[action]
    for role in sorted(TRANSITION_ROLES):
        want = expected(state, decision, action, role)
        case = make_cspr(db, state, decision=decision)
        if want == 200 and fields:
            first = next(iter(fields))
            r = _post(client, case.id, users[role], action,
                      {k: v for k, v in fields.items() if k != first})
            assert r.status_code == 422, (role, r.text)
            assert ["body", first] in [e["loc"] for e in r.json()["errors"]]
        r = _post(client, case.id, users[role], action, fields)
        assert r.status_code == want, (role, r.text)
        if want == 200:
            assert r.json()["status"] == target


def test_workflow_endpoint_and_diagram(client, users) -> None:
    h = users["crg_member"].headers
    cspr = client.get("/api/v1/workflows/case-review", params={"regime": "CSPR"}, headers=h)
    assert cspr.status_code == 200, cspr.text
    wf = cspr.json()
    assert wf["regime"] == "CSPR" and set(wf["states"]) == STATES
    by_action = {t["action"]: t for t in wf["transitions"]}
    assert set(by_action) == set(TABLE)
    assert all(t["label"] for t in wf["transitions"])
    assert all(i["label"] for t in wf["transitions"] for i in t["inputs"])
    rr = {i["name"]: i for i in by_action["complete_rapid_review"]["inputs"]}
    assert [c["value"] for c in rr["recommendation"]["choices"]] == [
        "lcspr", "no_lcspr", "national_review_suggested"]
    assert set(by_action["decide_not_to_publish"]["fields"]) == {"reason", "panel_told_on"}
    assert client.get("/api/v1/workflows/case-review", params={"regime": "WT2015"},
                      headers=h).json()["regime"] == "WT2015"
    assert client.get("/api/v1/workflows/case-review", headers=h).json()["regime"] == "WT2015"
    assert client.get("/api/v1/workflows/case-review", params={"regime": "WT1999"},
                      headers=h).status_code == 404
    from pathlib import Path

    from ecr.workflow import CSPR

    diagram = Path(__file__).parents[2] / "openapi" / "workflows" / "case-review-cspr.mmd"
    assert diagram.read_text() == CSPR.mermaid()


# ---- the regime of a case ---------------------------------------------------------------------

def test_regime_set_on_creation_and_never_changed(client, api, users) -> None:
    bu = users["business_unit"]
    from ecr.config import get_config

    default = api.create_staff(bu).json()
    assert default["regime"] == get_config().regime  # ECR_CASE_REVIEW_REGIME (WT2015 for now)
    default = client.post("/api/v1/case-reviews", json={**body(), "regime": "WT2015"},
                          headers=bu.headers).json()
    assert default["regime"] == "WT2015"
    assert default["serious_incident"] is None
    r = client.post("/api/v1/case-reviews", json={**body(), "regime": "CSPR"}, headers=bu.headers)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["regime"] == "CSPR"
    assert [d["kind"] for d in case["deadlines"]] == ["serious_incident_notification"]
    assert client.post("/api/v1/case-reviews", json={**body(), "regime": "SCR2010"},
                       headers=bu.headers).status_code == 422
    for value in ("WT2015", "CSPR"):
        r = client.patch(f"/api/v1/case-reviews/{case['id']}", json={"regime": value},
                         headers={**bu.headers, "If-Match": "*"})
        assert r.status_code == 422, r.text
        assert ["body", "regime"] in [e["loc"] for e in r.json()["errors"]]
    # the CSPR fields belong to CSPR cases only
    r = client.patch(f"/api/v1/case-reviews/{default['id']}", json={"panel_agrees": True},
                     headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 422 and ["body", "panel_agrees"] in [e["loc"] for e in r.json()["errors"]]


# ---- the statutory clocks ---------------------------------------------------------------------

def _deadlines(db, case_id: int) -> dict[str, Deadline]:
    db.expire_all()
    rows = db.execute(select(Deadline).where(Deadline.subject_type == "case_review",
                                             Deadline.subject_id == case_id)
                      .order_by(Deadline.id)).scalars().all()
    return {d.kind: d for d in rows}  # the latest of each kind


def _outcome(d: Deadline) -> str:
    if d.met_at is not None:
        return "met_late" if d.met_at.date() > d.due_on else "met_on_time"
    if d.missed_at is not None:
        return "missed"
    if d.waived_at is not None:
        assert d.waived_reason, "a waived deadline carries its reason"
        return "waived"
    return "open"


def _never_silently_cancelled(db, case_id: int) -> None:
    db.expire_all()
    for d in db.execute(select(Deadline).where(Deadline.subject_type == "case_review",
                                               Deadline.subject_id == case_id)).scalars():
        outcomes = [d.met_at, d.missed_at, d.waived_at]
        assert sum(x is not None for x in outcomes) <= 1, d.kind
        if d.waived_at is not None:
            assert d.waived_reason


def test_serious_incident_and_rapid_review_clocks_across_easter(client, db, users) -> None:
    bu, chair = users["business_unit"], users["crg_chair"]
    # received on the Thursday before Easter: Fri 3 and Mon 6 April are bank holidays, so the
    # 5 working days are Tue 7, Wed 8, Thu 9, Fri 10 and Mon 13 April
    case = make_cspr(db, "screening", received_on=EASTER_THURSDAY)
    assert _deadlines(db, case.id)["serious_incident_notification"].due_on == dt.date(2026, 4, 13)
    r = _post(client, case.id, bu, "record_serious_incident_notification",
              {"notified_panel_on": "2026-04-13", "looked_after_child": False,
               "child_died_or_seriously_harmed": True})
    assert r.status_code == 200, r.text
    got = _deadlines(db, case.id)
    assert _outcome(got["serious_incident_notification"]) == "met_on_time"
    # 15 working days from Mon 13 April: 14-17 (4), 20-24 (9), 27 April-1 May (14), Mon 4 May
    # is a bank holiday, so Tue 5 May
    assert got["rapid_review"].due_on == dt.date(2026, 5, 5)
    assert got["rapid_review"].start_on == dt.date(2026, 4, 13)
    assert r.json()["serious_incident"]["criteria"]["child_died_or_seriously_harmed"] is True
    # the rapid review sent the day after its date: met late
    r = _post(client, case.id, chair, "complete_rapid_review",
              {"rapid_review_on": "2026-05-01", "sent_to_panel_on": "2026-05-06",
               "recommendation": "lcspr", "rationale": R,
               "learning_identified": "Information sharing between school and health."})
    assert r.status_code == 200, r.text
    assert _outcome(_deadlines(db, case.id)["rapid_review"]) == "met_late"
    rr = r.json()["serious_incident"]["rapid_review"]
    assert rr == {"rapid_review_on": "2026-05-01", "sent_to_panel_on": "2026-05-06",
                  "recommendation": "lcspr", "rationale": R,
                  "learning_identified": "Information sharing between school and health."}
    _never_silently_cancelled(db, case.id)


def test_rapid_review_on_time_and_notification_late(client, db, users) -> None:
    bu, chair = users["business_unit"], users["crg_chair"]
    case = make_cspr(db, "screening", received_on=EASTER_THURSDAY)
    assert _post(client, case.id, bu, "record_serious_incident_notification",
                 {"notified_panel_on": "2026-04-14"}).status_code == 200
    got = _deadlines(db, case.id)
    assert _outcome(got["serious_incident_notification"]) == "met_late"
    assert _post(client, case.id, chair, "complete_rapid_review",
                 {"rapid_review_on": "2026-04-30", "sent_to_panel_on": "2026-04-30",
                  "recommendation": "no_lcspr", "rationale": R}).status_code == 200
    assert _outcome(_deadlines(db, case.id)["rapid_review"]) == "met_on_time"


def test_became_aware_moves_the_notification_clock(client, db, users) -> None:
    bu = users["business_unit"]
    case = make_cspr(db, "screening", received_on=dt.date(2026, 4, 8),
                     became_aware_on=EASTER_THURSDAY)
    assert _deadlines(db, case.id)["serious_incident_notification"].due_on == dt.date(2026, 4, 13)
    r = client.patch(f"/api/v1/case-reviews/{case.id}", json={"became_aware_on": "2026-04-07"},
                     headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    # Tue 7 April + 5 working days: Wed 8 ... Tue 14 April; the old date replaced, not cancelled
    assert _deadlines(db, case.id)["serious_incident_notification"].due_on == dt.date(2026, 4, 14)
    rows = db.execute(select(Deadline).where(Deadline.subject_id == case.id,
                                             Deadline.kind == "serious_incident_notification")
                      .order_by(Deadline.id)).scalars().all()
    assert [_outcome(d) for d in rows] == ["waived", "open"]
    # not before receipt nor in the future; not after the notification to the panel
    for early in ("2026-04-01", "2026-04-07"):  # before receipt, even if after became_aware_on
        r = _post(client, case.id, bu, "record_serious_incident_notification",
                  {"notified_panel_on": early})
        assert r.status_code == 422 and "notified_panel_on" in r.text
    r = _post(client, case.id, bu, "record_serious_incident_notification",
              {"notified_panel_on": "2026-04-09", "became_aware_on": "2026-04-10"})
    assert r.status_code == 422 and "became_aware_on" in r.text
    assert _post(client, case.id, bu, "record_serious_incident_notification",
                 {"notified_panel_on": (TODAY + dt.timedelta(days=1)).isoformat()}).status_code == 422


def test_notification_clock_missed_or_waived_never_cancelled(client, db, users) -> None:
    bu = users["business_unit"]
    # overdue when the partners decide it is not a serious incident: recorded missed
    late = make_cspr(db, "screening", received_on=EASTER_THURSDAY)
    assert _post(client, late.id, bu, "refer_to_group", {}).status_code == 200
    assert _outcome(_deadlines(db, late.id)["serious_incident_notification"]) == "missed"
    # not yet due: waived with the reason
    fresh = make_cspr(db, "screening")
    assert _post(client, fresh.id, bu, "refer_to_group", {}).status_code == 200
    d = _deadlines(db, fresh.id)["serious_incident_notification"]
    assert _outcome(d) == "waived" and "not a serious incident" in d.waived_reason
    # withdrawn while overdue: missed
    gone = make_cspr(db, "received", received_on=EASTER_THURSDAY)
    assert _post(client, gone.id, bu, "withdraw", {"reason": "Duplicate."}).status_code == 200
    assert _outcome(_deadlines(db, gone.id)["serious_incident_notification"]) == "missed"
    for c in (late, fresh, gone):
        _never_silently_cancelled(db, c.id)


def test_overdue_clocks_in_the_overdue_filter(client, db, users) -> None:
    bu = users["business_unit"]
    overdue = make_cspr(db, "screening", received_on=EASTER_THURSDAY)
    fresh = make_cspr(db, "screening")
    r = client.get("/api/v1/case-reviews", params={"overdue": "true", "limit": 200}, headers=bu.headers)
    ids = {c["id"] for c in r.json()["items"]}
    assert overdue.id in ids and fresh.id not in ids


def _add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def test_lcspr_six_months_and_the_final_report(client, db, users) -> None:
    ic = users["independent_chair"]
    case = make_cspr(db, "rapid_review_sent")
    assert _post(client, case.id, ic, "commission_lcspr", {"rationale": R}).status_code == 200
    lcspr = _deadlines(db, case.id)["lcspr_publication"]
    assert (lcspr.start_on, lcspr.due_on) == (TODAY, _add_months(TODAY, 6))
    # the case is approved, then published on Tue 14 April 2026: 7 working days before it,
    # counting back over Easter Monday, Good Friday and a weekend, is Wed 1 April
    db.expire_all()
    case = db.get(type(case), case.id)
    case.status = "report_approved"
    db.commit()
    r = _post(client, case.id, ic, "publish", {"published_on": "2026-04-14",
                                               "url": "https://example.org/lcspr"})
    assert r.status_code == 422, r.text  # an LCSPR needs final_report_sent_on
    assert "final_report_sent_on" in r.text
    r = _post(client, case.id, ic, "publish", {"published_on": "2026-04-14",
                                               "url": "https://example.org/lcspr",
                                               "final_report_sent_on": "2026-04-02"})
    assert r.status_code == 200, r.text
    got = _deadlines(db, case.id)
    assert got["final_report"].due_on == dt.date(2026, 4, 1)
    assert _outcome(got["final_report"]) == "met_late"  # sent 1 April or earlier was on time
    assert _outcome(got["lcspr_publication"]) == "met_on_time"
    assert r.json()["publication"]["final_report_sent_on"] == "2026-04-02"
    _never_silently_cancelled(db, case.id)


def test_lcspr_published_late_and_final_report_on_time(client, db, users) -> None:
    ic = users["independent_chair"]
    case = make_cspr(db, "rapid_review_sent")
    assert _post(client, case.id, ic, "commission_lcspr", {"rationale": R}).status_code == 200
    # as if commissioned long ago: the six months ended before publication
    d = _deadlines(db, case.id)["lcspr_publication"]
    d.start_on, d.due_on = dt.date(2025, 9, 1), dt.date(2026, 3, 1)
    case = db.get(type(case), case.id)
    case.status = "report_approved"
    db.commit()
    r = _post(client, case.id, ic, "publish", {"published_on": "2026-04-14",
                                               "url": "https://example.org/lcspr",
                                               "final_report_sent_on": "2026-04-01"})
    assert r.status_code == 200, r.text
    got = _deadlines(db, case.id)
    assert _outcome(got["lcspr_publication"]) == "met_late"
    assert _outcome(got["final_report"]) == "met_on_time"


def test_not_published_tells_the_panel_and_misses_or_waives(client, db, users) -> None:
    ic = users["independent_chair"]
    overdue = make_cspr(db, "rapid_review_sent")
    fresh = make_cspr(db, "rapid_review_sent")
    for c in (overdue, fresh):
        assert _post(client, c.id, ic, "commission_lcspr", {"rationale": R}).status_code == 200
    d = _deadlines(db, overdue.id)["lcspr_publication"]
    d.due_on = TODAY - dt.timedelta(days=1)
    for c in (overdue, fresh):
        db.get(type(c), c.id).status = "report_approved"
    db.commit()
    for c in (overdue, fresh):
        r = _post(client, c.id, ic, "decide_not_to_publish",
                  {"reason": "Would identify the family.", "panel_told_on": TODAY.isoformat()})
        assert r.status_code == 200, r.text
        assert r.json()["publication"]["panel_told_on"] == TODAY.isoformat()
        assert _outcome(_deadlines(db, c.id)["panel_told_not_published"]) == "met_on_time"
        _never_silently_cancelled(db, c.id)
    assert _outcome(_deadlines(db, overdue.id)["lcspr_publication"]) == "missed"
    assert _outcome(_deadlines(db, fresh.id)["lcspr_publication"]) == "waived"
    r = _post(client, make_cspr(db, "report_approved", decision="lcspr").id, ic,
              "decide_not_to_publish", {"reason": "Would identify the family."})
    assert r.status_code == 422 and ["body", "panel_told_on"] in [e["loc"] for e in r.json()["errors"]]


# ---- rapid review support -------------------------------------------------------------------

def test_agency_summaries_requested_and_chased(client, db, users) -> None:
    from ecr import service
    from ecr.workflow import agency_summary_due

    bu = users["business_unit"]
    case = make_cspr(db, "screening")
    r = _post(client, case.id, bu, "record_serious_incident_notification",
              {"notified_panel_on": TODAY.isoformat(), "request_agency_summaries": True,
               "agency_summary_contacts": {"Police": "police-lead@example.org"}})
    assert r.status_code == 200, r.text
    reports = client.get(f"/api/v1/case-reviews/{case.id}/agency-reports", headers=bu.headers).json()
    assert sorted(x["agency"] for x in reports) == ["Children's social care", "Police"]
    rapid_due = _deadlines(db, case.id)["rapid_review"].due_on
    for x in reports:
        due = dt.date.fromisoformat(x["due_on"])
        assert TODAY < due < rapid_due  # inside the 15 working days
        assert due == agency_summary_due(TODAY, TODAY)
    emails = db.execute(select(OutboxMessage).where(OutboxMessage.topic == f"case_review:{case.id}",
                                                    OutboxMessage.to_addr == "police-lead@example.org")).scalars().all()
    assert len(emails) == 1 and "Agency report requested" in emails[0].subject
    # chased by the existing reminder job once overdue
    sent = service.send_agency_report_reminders(db, rapid_due)
    assert sent >= 1
    db.commit()
    reminders = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "police-lead@example.org",
                                                       OutboxMessage.subject.like("Reminder:%"))).scalars().all()
    assert reminders


def test_looked_after_childs_death_flags_ofsted_and_the_secretary_of_state(client, db, users) -> None:
    bu = users["business_unit"]
    case = make_cspr(db, "screening")
    case_id = case.id
    db.get(type(case), case_id).incident_type = "death"
    db.commit()
    before = client.get(f"/api/v1/case-reviews/{case_id}", headers=bu.headers).json()
    assert before["ofsted_and_secretary_of_state_to_be_told"] is False
    r = client.patch(f"/api/v1/case-reviews/{case_id}",
                     json={"serious_incident_criteria": {"looked_after_child": True,
                                                         "child_died_or_seriously_harmed": True}},
                     headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["ofsted_and_secretary_of_state_to_be_told"] is True
    assert out["serious_incident"]["criteria"] == {
        "abuse_or_neglect_known_or_suspected": None, "child_died_or_seriously_harmed": True,
        "looked_after_child": True, "death_in_custody_secure_setting_or_mha": None}


def test_panel_response_set_by_patch(client, db, users) -> None:
    bu = users["business_unit"]
    early = make_cspr(db, "rapid_review")
    r = client.patch(f"/api/v1/case-reviews/{early.id}", json={"panel_agrees": True},
                     headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 422  # nothing sent to the panel yet
    case = make_cspr(db, "rapid_review_sent", rapid_review_sent_on=TODAY)
    r = client.patch(f"/api/v1/case-reviews/{case.id}",
                     json={"panel_response_on": TODAY.isoformat(), "panel_agrees": False,
                           "panel_response_note": "The panel asks for a local review."},
                     headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    assert r.json()["serious_incident"]["panel_response"] == {
        "panel_response_on": TODAY.isoformat(), "panel_agrees": False,
        "panel_response_note": "The panel asks for a local review."}


# ---- WT2015 and CSPR side by side ---------------------------------------------------------------

def test_both_regimes_side_by_side(client, api, db, users) -> None:
    bu, chair, ic = users["business_unit"], users["crg_chair"], users["independent_chair"]
    old = client.post("/api/v1/case-reviews", json={**body(), "regime": "WT2015"},
                      headers=bu.headers).json()
    new = client.post("/api/v1/case-reviews", json={**body(), "regime": "CSPR"},
                      headers=bu.headers).json()
    for c in (old, new):
        assert api.act(c["id"], bu, "start_screening").status_code == 200

    def offered(cid):
        return {t["action"] for t in client.get(f"/api/v1/case-reviews/{cid}/transitions",
                                                headers=bu.headers).json()}

    assert offered(old["id"]) == {"request_information", "refer_to_group", "withdraw"}
    assert offered(new["id"]) == {"request_information", "record_serious_incident_notification",
                                  "refer_to_group", "withdraw"}
    assert api.act(old["id"], bu, "record_serious_incident_notification",
                   notified_panel_on=TODAY.isoformat()).status_code == 409
    assert api.act(new["id"], bu, "record_serious_incident_notification",
                   notified_panel_on=TODAY.isoformat()).status_code == 200
    assert api.act(old["id"], bu, "refer_to_group").status_code == 200
    assert api.act(old["id"], chair, "recommend_scr", rationale=R).status_code == 200
    assert api.act(old["id"], ic, "endorse_scr", rationale=R).json()["decision"] == "scr"
    assert api.act(new["id"], chair, "recommend_scr", rationale=R).status_code == 409
    assert api.act(new["id"], chair, "complete_rapid_review", rapid_review_on=TODAY.isoformat(),
                   sent_to_panel_on=TODAY.isoformat(), recommendation="lcspr",
                   rationale=R).status_code == 200
    assert api.act(new["id"], ic, "commission_lcspr", rationale=R).json()["decision"] == "lcspr"
    # each approval by its own rule: the independent chair for an SCR and for an LCSPR
    for c in (old, new):
        assert api.act(c["id"], bu, "submit_report").status_code == 200
        assert api.act(c["id"], chair, "approve_report").status_code == 403
        assert api.act(c["id"], ic, "approve_report").status_code == 200
    rep = client.get("/api/v1/reports/case-reviews",
                     params={"from": TODAY.isoformat(), "to": TODAY.isoformat()},
                     headers=bu.headers).json()
    assert rep["by_regime"] == {"WT2015": 1, "CSPR": 1}
    assert rep["scr"] == {"recommended": 1, "endorsed": 1, "declined": 0}
    assert rep["outcomes"]["scr"] == 1 and rep["outcomes"]["lcspr"] == 1
    assert rep["cspr"] == {"serious_incident_notifications": 1, "notified_within_5_working_days": 1,
                           "rapid_reviews_completed": 1, "rapid_reviews_within_15_working_days": 1,
                           "lcspr_commissioned": 1, "national_reviews": 0, "lcspr_published": 0,
                           "lcspr_published_within_6_months": 0}
    # the WT2015 case keeps WT2015's deadlines, the CSPR case CSPR's
    assert {d["kind"] for d in api.get_case(old["id"], bu).json()["deadlines"]} <= {
        "screening", "decision", "scr_completion", "pre_publication"}
    assert {d["kind"] for d in api.get_case(new["id"], bu).json()["deadlines"]} == {"lcspr_publication"}


# ---- end to end over HTTP ---------------------------------------------------------------------

@pytest.fixture
def cspr_default(monkeypatch):
    from ecr.config import get_config

    monkeypatch.setenv("ECR_CASE_REVIEW_REGIME", "CSPR")
    get_config.cache_clear()
    yield
    get_config.cache_clear()


def _emails(db, ref_or_topic: str) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.execute(select(OutboxMessage).where(OutboxMessage.topic == ref_or_topic)
                           .order_by(OutboxMessage.id)).scalars())


def test_end_to_end_over_http(client, api, db, users, cspr_default) -> None:
    from ecr.models import CaseReview

    bu, chair, ic = users["business_unit"], users["crg_chair"], users["independent_chair"]
    receipt = api.create_public()
    assert receipt.status_code == 201, receipt.text
    ref, token = receipt.json()["reference"], receipt.json()["status_token"]
    case_id = db.execute(select(CaseReview.id).where(CaseReview.reference == ref)).scalar_one()
    [received] = _emails(db, f"case_review:{case_id}")
    assert ref in received.subject
    assert "Child Safeguarding Practice Review Panel" in received.body
    assert "local child safeguarding practice review" in received.body

    def status():
        r = client.get(f"/api/v1/public/case-review-notifications/{ref}/status",
                       headers={"X-Status-Token": token})
        assert r.status_code == 200, r.text
        return r.json()

    case = api.get_case(case_id, bu).json()
    assert case["regime"] == "CSPR" and case["stage"] == "received"
    assert status() == {"reference": ref, "stage": "received", "decision": None,
                        "decision_label": None}
    assert api.act(case_id, bu, "start_screening").status_code == 200
    r = api.act(case_id, bu, "record_serious_incident_notification",
                notified_panel_on=TODAY.isoformat(), abuse_or_neglect_known_or_suspected=True,
                child_died_or_seriously_harmed=True)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "under_consideration"
    assert status()["stage"] == "under_consideration"  # the rapid review: still being considered
    r = api.act(case_id, chair, "complete_rapid_review", rapid_review_on=TODAY.isoformat(),
                sent_to_panel_on=TODAY.isoformat(), recommendation="lcspr", rationale=R,
                learning_identified="Sharing information between health and school.")
    assert r.status_code == 200, r.text
    r = client.patch(f"/api/v1/case-reviews/{case_id}",
                     json={"panel_response_on": TODAY.isoformat(), "panel_agrees": True},
                     headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    r = api.act(case_id, ic, "commission_lcspr", rationale=R)
    assert r.status_code == 200 and r.json()["decision"] == "lcspr"
    assert r.json()["decision_label"] == "Local child safeguarding practice review"
    decided = _emails(db, f"case_review:{case_id}")[-1]
    assert "decision made" in decided.subject
    assert "safeguarding partners" in decided.body
    assert "Local child safeguarding practice review" in decided.body
    assert "Serious Case Review" not in decided.body
    assert status()["stage"] == "decision_made" and status()["decision"] == "lcspr"
    assert api.act(case_id, bu, "submit_report").status_code == 200
    assert api.act(case_id, chair, "approve_report").status_code == 403
    assert api.act(case_id, ic, "approve_report").status_code == 200
    r = client.patch(f"/api/v1/case-reviews/{case_id}",
                     json={"final_report_sent_on": TODAY.isoformat()},
                     headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    assert api.act(case_id, bu, "close").status_code == 409  # an LCSPR is published, or not
    r = api.act(case_id, ic, "publish", published_on=TODAY.isoformat(),
                url="https://example.org/lcspr")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published"
    got = _deadlines(db, case_id)
    assert _outcome(got["serious_incident_notification"]) == "met_on_time"
    assert _outcome(got["rapid_review"]) == "met_on_time"
    assert _outcome(got["lcspr_publication"]) == "met_on_time"
    # sent on the day of publication: closer than 7 working days, so met late
    assert _outcome(got["final_report"]) == "met_late"
    _never_silently_cancelled(db, case_id)
    history = [h["action"] for h in client.get(f"/api/v1/case-reviews/{case_id}/history",
                                               headers=bu.headers).json()]
    assert history == ["receive", "start_screening", "record_serious_incident_notification",
                       "complete_rapid_review", "commission_lcspr", "submit_report",
                       "approve_report", "publish"]
    rep = client.get("/api/v1/reports/case-reviews",
                     params={"from": TODAY.isoformat(), "to": TODAY.isoformat()},
                     headers=ic.headers)
    assert rep.status_code == 200, rep.text
    figures = rep.json()["cspr"]
    assert figures == {"serious_incident_notifications": 1, "notified_within_5_working_days": 1,
                       "rapid_reviews_completed": 1, "rapid_reviews_within_15_working_days": 1,
                       "lcspr_commissioned": 1, "national_reviews": 0, "lcspr_published": 1,
                       "lcspr_published_within_6_months": 1}
    assert rep.json()["outcomes"]["lcspr"] == 1
    csv_text = client.get("/api/v1/reports/case-reviews",
                          params={"from": TODAY.isoformat(), "to": TODAY.isoformat()},
                          headers={**ic.headers, "Accept": "text/csv"}).text
    assert "cspr,serious_incident_notifications,,1" in csv_text
    assert "cspr,lcspr_published_within_6_months,,1" in csv_text
    assert "by_regime,CSPR,,1" in csv_text
    assert api.act(case_id, bu, "close").status_code == 200


def test_openapi_describes_the_cspr_actions(client) -> None:
    """The transition body in OpenAPI: each CSPR action with its required fields; an action of
    both regimes with what both require as required and the rest optional."""
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/case-reviews/{case_id}/transitions"]["post"]
    variants = {v["properties"]["action"]["const"]: v
                for v in op["requestBody"]["content"]["application/json"]["schema"]["oneOf"]}
    for action in ("record_serious_incident_notification", "complete_rapid_review",
                   "commission_lcspr", "refer_to_national_review", "decide_no_lcspr"):
        assert set(variants[action]["required"]) == {"action", *TABLE[action][4]}
    assert "panel_told_on" in variants["decide_not_to_publish"]["properties"]
    assert "final_report_sent_on" in variants["publish"]["properties"]
    assert set(variants["decide_not_to_publish"]["required"]) == {"action", "reason"}
