"""Every state x action x role of the case review table, over HTTP.

The expected answers come from the table of API.md written out again here (not read from the
implementation), so the test fails if the engine and the contract drift apart. Cases are put
into each state directly in the database; one HTTP call per combination.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.ecr.conftest import ALL_ROLES, make_case

TODAY = dt.date.today()
R = "The group's reasons for this decision are recorded here."

# action: (sources, target, roles for a non-SCR case, roles for an SCR, required fields)
TABLE: dict[str, tuple[tuple[str, ...], str, set[str], set[str], dict[str, Any]]] = {}


def row(action: str, sources: str, target: str, roles: str, fields: dict[str, Any] | None = None,
        scr_roles: str | None = None) -> None:
    TABLE[action] = (tuple(sources.split()), target, set(roles.split()),
                     set((scr_roles or roles).split()), fields or {})


row("start_screening", "received", "screening", "business_unit")
row("request_information", "screening", "information_requested", "business_unit",
    {"note": "Asked the GP for records."})
row("record_information", "information_requested", "screening", "business_unit")
row("refer_to_group", "screening", "awaiting_decision", "business_unit")
row("recommend_scr", "awaiting_decision", "scr_recommended", "crg_chair", {"rationale": R})
row("commission_management_review", "awaiting_decision", "review_in_progress", "crg_chair",
    {"rationale": R})
row("commission_single_agency_review", "awaiting_decision", "review_in_progress", "crg_chair",
    {"rationale": R})
row("commission_learning_event", "awaiting_decision", "review_in_progress", "crg_chair",
    {"rationale": R})
row("refer_to_other_la", "awaiting_decision", "monitoring_other_la_review", "crg_chair",
    {"rationale": R, "other_la": "Exampleshire"})
row("no_further_action", "awaiting_decision", "closed", "crg_chair", {"rationale": R})
row("endorse_scr", "scr_recommended", "review_in_progress", "independent_chair", {"rationale": R})
row("decline_scr", "scr_recommended", "awaiting_decision", "independent_chair", {"rationale": R})
row("submit_report", "review_in_progress", "report_submitted", "business_unit")
row("return_report", "report_submitted", "review_in_progress", "crg_chair independent_chair",
    {"note": "Needs more analysis."})
row("approve_report", "report_submitted", "report_approved", "crg_chair",
    scr_roles="independent_chair")
row("defer_publication", "report_approved", "publication_deferred", "independent_chair",
    {"reason": "Inquest pending.", "review_on": (TODAY + dt.timedelta(days=30)).isoformat()})
row("resume_publication", "publication_deferred", "report_approved", "independent_chair")
row("publish", "report_approved", "published", "crg_chair",
    {"published_on": TODAY.isoformat(), "url": "https://example.org/report"},
    scr_roles="independent_chair")
row("decide_not_to_publish", "report_approved", "closed", "independent_chair",
    {"reason": "Would identify the family."})
row("close", "published monitoring_other_la_review report_approved", "closed", "business_unit")
row("withdraw", "received screening information_requested awaiting_decision", "withdrawn",
    "business_unit", {"reason": "Duplicate notification."})

# roles holding the permission to attempt any transition (the route's permission)
TRANSITION_ROLES = {"business_unit", "crg_chair", "independent_chair"}

# (state, decision) variants: after a decision, both an SCR and a non-SCR case
VARIANTS = [
    ("received", None), ("screening", None), ("information_requested", None),
    ("awaiting_decision", None), ("scr_recommended", None),
    ("review_in_progress", "management_review"), ("review_in_progress", "scr"),
    ("monitoring_other_la_review", "other_la_review"),
    ("report_submitted", "learning_event"), ("report_submitted", "scr"),
    ("report_approved", "single_agency_review"), ("report_approved", "scr"),
    ("publication_deferred", "scr"), ("publication_deferred", "management_review"),
    ("published", "management_review"), ("published", "scr"),
    ("closed", "nfa"), ("withdrawn", None),
]


def expected(state: str, decision: str | None, action: str, role: str) -> int:
    sources, _target, roles, scr_roles, _fields = TABLE[action]
    if role not in TRANSITION_ROLES:
        return 403
    if state not in sources:
        return 409
    allowed = scr_roles if decision == "scr" else roles
    if role not in allowed:
        return 403
    if action == "close" and state == "report_approved" and decision == "scr":
        return 409  # an SCR closes through publish or decide_not_to_publish
    return 200


def test_the_table_covers_the_contract() -> None:
    from ecr.workflow import WT2015

    assert set(TABLE) == {t.action for t in WT2015.transitions}
    assert {s for s, _ in VARIANTS} == set(WT2015.states)


def _post(client, case_id: int, user, action: str, fields: dict[str, Any]):
    return client.post(f"/api/v1/case-reviews/{case_id}/transitions",
                       json={"action": action, **fields},
                       headers={**user.headers, "If-Match": "*"})


def _check_http(client, db, users, state, decision, action, roles) -> list:
    """One HTTP call per role (plus a 422 probe where the action would succeed)."""
    _s, target, _r, _sr, fields = TABLE[action]
    base = make_case(db, state, decision=decision)
    mismatches = []
    for role in roles:
        want = expected(state, decision, action, role)
        user = users[role]
        case_id = base.id
        if want == 200:
            case_id = make_case(db, state, decision=decision).id
            if fields:  # a required field missing: 422 naming it, nothing changes
                first = next(iter(fields))
                r = _post(client, case_id, user, action, {k: v for k, v in fields.items() if k != first})
                if r.status_code != 422 or ["body", first] not in [e["loc"] for e in r.json()["errors"]]:
                    mismatches.append((state, decision, action, role, "missing field", r.status_code))
        r = _post(client, case_id, user, action, fields)
        if r.status_code != want:
            mismatches.append((state, decision, action, role, want, r.status_code, r.text[:200]))
            continue
        body = r.json()
        if want == 200 and body["status"] != target:
            mismatches.append((state, decision, action, role, "target", body["status"]))
        if want == 409 and body["code"] != "invalid_transition":
            mismatches.append((state, decision, action, role, "code", body["code"]))
        if want == 403 and body["code"] != "forbidden":
            mismatches.append((state, decision, action, role, "code", body["code"]))
    db.expire_all()
    db.refresh(base)
    if base.status != state:
        mismatches.append((state, decision, action, "the refused attempts moved the case"))
    return mismatches


# Every action from each of its source states (and both SCR and non-SCR cases), for every role.
SOURCE_PAIRS = [(s, d, a) for s, d in VARIANTS for a, spec in TABLE.items() if s in spec[0]]


@pytest.mark.parametrize("action", list(TABLE))
def test_http_matrix_every_action_from_its_sources_for_every_role(client, db, users, action) -> None:
    mismatches = []
    for state, decision, a in SOURCE_PAIRS:
        if a == action:
            mismatches += _check_http(client, db, users, state, decision, action, ALL_ROLES)
    assert not mismatches, "\n".join(map(str, mismatches))


@pytest.mark.parametrize(("state", "decision"), VARIANTS, ids=[f"{s}-{d}" for s, d in VARIANTS])
def test_http_matrix_actions_not_from_this_state(client, db, users, state, decision) -> None:
    """From each state an action of another state: 409 for those who may transition, 403 for
    the others (their route permission is checked first)."""
    others = [a for a, spec in TABLE.items() if state not in spec[0]]
    action = others[len(state) % len(others)]
    assert not _check_http(client, db, users, state, decision, action, ALL_ROLES)


@pytest.mark.parametrize(("state", "decision"), VARIANTS, ids=[f"{s}-{d}" for s, d in VARIANTS])
def test_full_matrix_through_the_service(db, users, state, decision) -> None:
    """Every state x action x role. Roles without the route permission are refused by the
    route (403) before the service runs; the others go through the same service call as the
    endpoint, each in a savepoint. The HTTP tests above cover the routing of each answer."""
    from core.auth.principal import Principal
    from core.auth.roles import has_permission
    from core.errors import AppError
    from ecr import service

    principals = {
        role: Principal(subject=str(u.id), email=u.email, name=f"Test {role}",
                        roles=frozenset({role}), user_id=u.id)
        for role, u in users.items()
    }
    base = make_case(db, state, decision=decision)
    mismatches = []
    for action, (_s, target, _r, _sr, fields) in TABLE.items():
        for role in ALL_ROLES:
            want = expected(state, decision, action, role)
            if not has_permission(frozenset({role}), "case_review:transition"):
                got = 403
            else:
                case_id = base.id if want != 200 else make_case(db, state, decision=decision).id
                nested = db.begin_nested()
                try:
                    case, _ = service.transition(db, principals[role], case_id,
                                                 {"action": action, **fields}, "*")
                    got = 200
                    if case.status != target:
                        mismatches.append((action, role, "target", case.status))
                    nested.commit()
                except AppError as exc:
                    got = exc.status
                    nested.rollback()
            if got != want:
                mismatches.append((action, role, want, got))
    assert not mismatches, "\n".join(map(str, mismatches))
    db.expire_all()
    assert db.get(type(base), base.id).status == state


def test_unknown_action_is_409_listing_allowed_actions(client, db, users) -> None:
    case = make_case(db, "screening")
    r = client.post(f"/api/v1/case-reviews/{case.id}/transitions", json={"action": "teleport"},
                    headers={**users["business_unit"].headers, "If-Match": "*"})
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_transition"
    assert set(r.json()["allowed_actions"]) == {"request_information", "refer_to_group", "withdraw"}
    r = client.post(f"/api/v1/case-reviews/{case.id}/transitions", json={"note": "no action"},
                    headers={**users["business_unit"].headers, "If-Match": "*"})
    assert r.status_code == 422  # no action at all: the field is missing
    assert r.json()["errors"][0]["loc"] == ["body", "action"]


def test_extra_fields_and_bad_values_are_422(client, db, users) -> None:
    case = make_case(db, "awaiting_decision")
    h = {**users["crg_chair"].headers, "If-Match": "*"}
    url = f"/api/v1/case-reviews/{case.id}/transitions"
    r = client.post(url, json={"action": "recommend_scr", "rationale": R, "status": "closed"}, headers=h)
    assert r.status_code == 422 and ["body", "status"] in [e["loc"] for e in r.json()["errors"]]
    r = client.post(url, json={"action": "recommend_scr", "rationale": "   "}, headers=h)
    assert r.status_code == 422 and ["body", "rationale"] in [e["loc"] for e in r.json()["errors"]]
    approved = make_case(db, "report_approved", decision="scr")
    h = {**users["independent_chair"].headers, "If-Match": "*"}
    url = f"/api/v1/case-reviews/{approved.id}/transitions"
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    r = client.post(url, json={"action": "publish", "published_on": future,
                               "url": "https://example.org/x"}, headers=h)
    assert r.status_code == 422 and ["body", "published_on"] in [e["loc"] for e in r.json()["errors"]]
    r = client.post(url, json={"action": "publish", "published_on": TODAY.isoformat(),
                               "url": "javascript:alert(1)"}, headers=h)
    assert r.status_code == 422 and ["body", "url"] in [e["loc"] for e in r.json()["errors"]]
    r = client.post(url, json={"action": "defer_publication", "reason": "Trial.",
                               "review_on": "2001-01-01"}, headers=h)
    assert r.status_code == 422 and ["body", "review_on"] in [e["loc"] for e in r.json()["errors"]]


def test_transitions_lists_what_the_caller_may_do(client, db, users) -> None:
    case = make_case(db, "report_submitted", decision="scr")
    url = f"/api/v1/case-reviews/{case.id}/transitions"
    ic = client.get(url, headers=users["independent_chair"].headers)
    assert ic.status_code == 200 and ic.headers["ETag"]
    assert {t["action"] for t in ic.json()} == {"return_report", "approve_report"}
    chair = client.get(url, headers=users["crg_chair"].headers).json()
    assert {t["action"] for t in chair} == {"return_report"}
    assert client.get(url, headers=users["business_unit"].headers).json() == []
    assert client.get(url, headers=users["admin"].headers).status_code == 403
    ret = next(t for t in ic.json() if t["action"] == "return_report")
    assert ret == {"action": "return_report", "label": "Return the report", "to": "review_in_progress",
                   "fields": ["note"], "optional_fields": [], "blocked_reason": None,
                   "inputs": [{"name": "note", "label": "Note", "type": "text", "required": True,
                               "choices": None}]}


def test_workflow_served_by_core(client, users) -> None:
    r = client.get("/api/v1/workflows/case-review", headers=users["crg_member"].headers)
    assert r.status_code == 200
    wf = r.json()
    assert wf["regime"] == "WT2015"
    assert set(wf["states"]) == {s for s, _ in VARIANTS}
    by_action = {t["action"]: t for t in wf["transitions"]}
    for action, (sources, target, roles, scr_roles, fields) in TABLE.items():
        t = by_action[action]
        assert set(t["from"]) == set(sources) and t["to"] == target
        assert set(t["roles"]) == roles | scr_roles
        assert set(t["fields"]) == set(fields)


def test_openapi_describes_each_action_of_the_table(client) -> None:
    """The transition body in OpenAPI is one object per action of API.md's table, with that
    action's required fields (a client can build each form from it)."""
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/case-reviews/{case_id}/transitions"]["post"]
    variants = op["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    described = {v["properties"]["action"]["const"]: set(v["required"]) for v in variants}
    # the actions of WT2015 (an action in both regimes is described once, by WT2015's table;
    # the CSPR-only actions: tests/ecr/test_cspr.py)
    wt2015 = {a: req for a, req in described.items() if a in TABLE}
    assert wt2015 == {action: {"action", *spec_[4]} for action, spec_ in TABLE.items()}
    assert all(v["additionalProperties"] is False for v in variants)
    if_match = [p for p in op["parameters"] if p["name"].lower() == "if-match"]
    assert [p["required"] for p in if_match] == [True]


# Every action of the table that ends a case (its target is closed or withdrawn); API.md: an
# SCR is not closed from report_approved (it is published or not published).
ENDINGS = [(s, d, a) for s, d, a in SOURCE_PAIRS
           if TABLE[a][1] in ("closed", "withdrawn")
           and not (a == "close" and s == "report_approved" and d == "scr")]


@pytest.mark.parametrize(("state", "decision", "action"), ENDINGS,
                         ids=[f"{a}-from-{s}-{d}" for s, d, a in ENDINGS])
def test_every_ending_closes_what_the_case_owed(client, db, users, state, decision, action) -> None:
    """Whatever ends a case waives its awaited agency reports and leaves no deadline open but
    the duties to the national panel, which outlive the case (DOMAIN.md)."""
    from sqlalchemy import select

    from core.deadlines.models import Deadline

    _s, target, roles, scr_roles, fields = TABLE[action]
    role = sorted(scr_roles if decision == "scr" else roles)[0]
    case = make_case(db, state, decision=decision)
    bu = users["business_unit"]
    r = client.post(f"/api/v1/case-reviews/{case.id}/agency-reports", headers=bu.headers,
                    json={"agency": "Example Police", "contact_email": "police@example.org",
                          "due_on": (TODAY + dt.timedelta(days=5)).isoformat()})
    assert r.status_code == 201, r.text
    r = _post(client, case.id, users[role], action, fields)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == target
    assert {d["kind"] for d in r.json()["deadlines"]} <= {"national_panel_notice",
                                                         "national_panel_not_published"}
    reports = client.get(f"/api/v1/case-reviews/{case.id}/agency-reports", headers=bu.headers).json()
    assert [x["status"] for x in reports] == ["waived"]
    db.expire_all()
    for d in db.execute(select(Deadline).where(Deadline.subject_type == "case_review",
                                               Deadline.subject_id == case.id)).scalars():
        assert d.outcome is not None or d.kind.startswith("national_panel"), d.kind
        assert d.outcome != "waived" or d.waived_reason
