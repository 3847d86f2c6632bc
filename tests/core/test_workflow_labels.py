"""Action labels (API.md "Additions (v1.1)"): every action of every workflow table has human
words, and every field a label, a type and ``required``, served by ``GET /workflows/{name}``
and by each ``/transitions``. Expected words are written out here from API.md and DOMAIN.md."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pytest

from core.workflow import FieldInfo, Text, Transition, Workflow
from core.workflow.table import FIELD_TYPES, WORKFLOWS
from tests.cdop.helpers import API, quick_user
from tests.cdop.helpers import make_case as make_child_death
from tests.ecr.conftest import make_case as make_case_review

NOTE = {"name": "note", "label": "Note", "type": "text", "required": False, "choices": None}

# DOMAIN.md, the category of death (CDOP analysis form)
CATEGORIES = [
    "deliberately inflicted injury, abuse or neglect",
    "suicide or deliberate self-inflicted harm",
    "trauma and other external factors, including medical/surgical complications or error",
    "malignancy",
    "acute medical or surgical condition",
    "chronic medical condition",
    "chromosomal, genetic and congenital anomalies",
    "perinatal/neonatal event",
    "infection",
    "sudden unexpected, unexplained death",
]


def _tables(app: Any) -> list[Workflow]:
    """Every table the service drives: each registered workflow and every case review regime
    (a regime's table is served under one name, so it is checked here too)."""
    from ecr.workflow import REGIMES

    tables = {id(wf): wf for wf in WORKFLOWS.values() if not wf.name.startswith("test-")}
    tables.update({id(r.workflow): r.workflow for r in REGIMES.values()})
    return list(tables.values())


def _check_served(transition: dict[str, Any]) -> None:
    assert isinstance(transition["label"], str) and transition["label"].strip(), transition
    names = [i["name"] for i in transition["inputs"]]
    assert set(names) == {*transition["fields"], *transition["optional_fields"], "note"}, transition
    for item in transition["inputs"]:
        assert item["label"].strip() and item["type"] in FIELD_TYPES, item
        assert item["required"] is (item["name"] in transition["fields"]), item
        if item["type"] == "choice":
            assert item["choices"] and all(c["label"].strip() for c in item["choices"]), item
        else:
            assert item["choices"] is None, item


def test_every_action_and_field_of_every_table_is_labelled(app) -> None:
    tables = _tables(app)
    names = {(wf.name, wf.regime) for wf in tables}
    assert {("case-review", "WT2015"), ("child-death", "CDR2018")} <= names
    for wf in tables:
        assert wf.label_problems() == [], wf.name
        for t in wf.describe()["transitions"]:
            _check_served(t)


def test_a_missing_label_or_type_is_found() -> None:
    """The check above fails for an unlabelled action, a field without a label, a type no form
    can show and a choice value without words."""
    wf = Workflow(
        name="test-unlabelled", subject_type="test_unlabelled", states=("a", "b"), initial="a",
        field_info={"reason": FieldInfo("Reason"), "kind": FieldInfo("Kind", choices={"x": "X"}),
                    "at": FieldInfo("At")},
        transitions=(
            Transition("go", ("a",), "b", ("admin",)),
            Transition("stop", ("a",), "b", ("admin",), label="Stop",
                       fields={"reason": Text, "why": Text, "at": dt.datetime,
                               "kind": Literal["x", "y"]}),
        ),
    )
    problems = wf.label_problems()
    assert any("go: the action has no label" in p for p in problems)
    assert any("stop: field why has no label" in p for p in problems)
    assert any("stop: field at has no valid type" in p for p in problems)
    assert any("stop: field kind: values without a label ['y']" in p for p in problems)
    assert not any("field reason" in p or "field note" in p for p in problems)


def test_types_come_from_the_annotations() -> None:
    from core.workflow.table import field_type

    assert field_type(dt.date) == ("date", None)
    assert field_type(bool) == ("boolean", None)
    assert field_type(int) == ("integer", None)
    assert field_type(Text) == ("text", None)
    assert field_type(Text | None) == ("text", None)
    assert field_type(Literal["yes", "no"]) == ("choice", ("yes", "no"))
    assert field_type(list[str]) == ("object", None)
    assert field_type(dt.datetime) == (None, None)


def test_case_review_table_served_with_labels(client, session_factory) -> None:
    user = quick_user(session_factory, "crg_member")
    r = client.get(f"{API}/workflows/case-review", headers=user.headers)
    assert r.status_code == 200
    by_action = {t["action"]: t for t in r.json()["transitions"]}
    for t in by_action.values():
        _check_served(t)
    assert by_action["start_screening"]["label"] == "Start screening"
    assert by_action["start_screening"]["inputs"] == [NOTE]
    assert by_action["request_information"]["inputs"] == [{**NOTE, "required": True}]
    assert by_action["refer_to_other_la"]["inputs"] == [
        {"name": "rationale", "label": "Rationale", "type": "text", "required": True, "choices": None},
        {"name": "other_la", "label": "Other local authority", "type": "text", "required": True,
         "choices": None},
        NOTE,
    ]
    assert by_action["publish"]["inputs"] == [
        {"name": "published_on", "label": "Date published", "type": "date", "required": True,
         "choices": None},
        {"name": "url", "label": "Web address of the report", "type": "text", "required": True,
         "choices": None},
        NOTE,
    ]
    planned = by_action["approve_report"]["inputs"][1]
    assert planned["name"] == "planned_publication_on" and planned["type"] == "date"
    assert planned["required"] is False


def test_child_death_table_served_with_labels(client, session_factory) -> None:
    user = quick_user(session_factory, "cdop_coordinator")
    r = client.get(f"{API}/workflows/child-death", headers=user.headers)
    assert r.status_code == 200
    by_action = {t["action"]: t for t in r.json()["transitions"]}
    for t in by_action.values():
        _check_served(t)
    analysis = by_action["record_analysis"]
    assert analysis["label"] == "Record the panel's analysis"
    inputs = {i["name"]: i for i in analysis["inputs"]}
    category = inputs["category"]
    assert category["type"] == "choice" and category["required"] is True
    assert [c["value"] for c in category["choices"]] == list(range(1, 11))
    assert [c["label"].lower() for c in category["choices"]] == CATEGORIES
    assert inputs["modifiable"]["type"] == "choice"
    assert [c["value"] for c in inputs["modifiable"]["choices"]] == ["yes", "no", "insufficient_information"]
    assert inputs["domain_scores"]["type"] == "object"
    assert inputs["refer_to_case_review"]["type"] == "boolean"
    assert inputs["learning"]["type"] == "text"
    assert inputs["learning_points"]["type"] == "object" and inputs["learning_points"]["required"] is False
    hold = {i["name"]: i for i in by_action["place_on_hold"]["inputs"]}
    assert hold["hold_reason"]["label"] == "Reason for the hold"
    assert hold["hold_reason"]["choices"] == [
        {"value": "inquest", "label": "Inquest"},
        {"value": "criminal_proceedings", "label": "Criminal proceedings"},
        {"value": "case_review", "label": "Case review"},
        {"value": "other", "label": "Other"},
    ]
    assert hold["expected_on"] == {"name": "expected_on", "label": "Expected date", "type": "date",
                                   "required": True, "choices": None}
    meeting = by_action["schedule_for_panel"]["inputs"][0]
    assert meeting["name"] == "meeting_id" and meeting["type"] == "meeting" and meeting["required"]


def test_case_review_transitions_carry_labels(client, db, session_factory) -> None:
    case = make_case_review(db, "received")
    bu = quick_user(session_factory, "business_unit")
    r = client.get(f"{API}/case-reviews/{case.id}/transitions", headers=bu.headers)
    assert r.status_code == 200
    start = next(t for t in r.json() if t["action"] == "start_screening")
    assert start == {"action": "start_screening", "label": "Start screening", "to": "screening",
                     "fields": [], "optional_fields": [], "blocked_reason": None, "inputs": [NOTE]}
    screening = make_case_review(db, "screening")
    r = client.get(f"{API}/case-reviews/{screening.id}/transitions", headers=bu.headers)
    by_action = {t["action"]: t for t in r.json()}
    assert by_action["request_information"]["label"] == "Request more information"
    assert by_action["request_information"]["inputs"] == [{**NOTE, "required": True}]
    for t in by_action.values():
        assert t["label"].strip()
        assert all(i["label"].strip() and i["type"] in FIELD_TYPES for i in t["inputs"])


@pytest.mark.parametrize("role", ["cdop_chair", "cdop_coordinator"])
def test_child_death_transitions_carry_labels(client, db, session_factory, role) -> None:
    case = make_child_death(db, status="scheduled_for_panel")
    user = quick_user(session_factory, role)
    r = client.get(f"{API}/child-deaths/{case.id}/transitions", headers=user.headers)
    assert r.status_code == 200
    by_action = {t["action"]: t for t in r.json()}
    defer = by_action["defer_at_panel"]
    assert defer["label"] and defer["inputs"] == [{**NOTE, "required": True}]
    if role == "cdop_chair":
        analysis = by_action["record_analysis"]
        assert analysis["label"] == "Record the panel's analysis"
        category = next(i for i in analysis["inputs"] if i["name"] == "category")
        assert category["label"] == "Category of death"
        assert [c["label"].lower() for c in category["choices"]] == CATEGORIES
    else:
        assert "record_analysis" not in by_action


def test_a_table_cannot_name_an_unknown_field_type() -> None:
    with pytest.raises(ValueError, match="not one of"):
        FieldInfo("Meeting", type="calendar")


def test_case_review_history_names_each_action_in_words(client, db, session_factory) -> None:
    bu = quick_user(session_factory, "business_unit")
    r = client.post(f"{API}/case-reviews", headers=bu.headers, json={
        "notifier": {"name": "Pat Example", "email": "pat@council.example", "agency": "Police"},
        "child": {"first_name": "Alex", "last_name": "Sample"},
        "incident": {"date": "2026-01-05", "type": "serious_harm", "description": "Admitted to hospital."},
        "rationale": "Agencies did not share concerns.", "abuse_or_neglect_suspected": True,
        "agencies_involved": ["Police"]})
    assert r.status_code == 201, r.text
    case_id, etag = r.json()["id"], r.headers["ETag"]
    r = client.post(f"{API}/case-reviews/{case_id}/transitions", headers={**bu.headers, "If-Match": etag},
                    json={"action": "start_screening"})
    assert r.status_code == 200, r.text
    history = client.get(f"{API}/case-reviews/{case_id}/history", headers=bu.headers).json()
    assert [(h["action"], h["label"]) for h in history] == [
        ("receive", "Notification received"), ("start_screening", "Start screening")]


def test_child_death_history_names_each_action_in_words(client, db, session_factory) -> None:
    coordinator = quick_user(session_factory, "cdop_coordinator")
    r = client.post(f"{API}/child-deaths", headers=coordinator.headers, json={
        "notifier": {"name": "Pat Example", "email": "pat@council.example", "agency": "NHS Trust"},
        "child": {"first_name": "Sam", "last_name": "Sample", "date_of_birth": "2020-02-02"},
        "death": {"date": "2026-11-30", "place": "hospital", "expected": False},
        "agencies": [{"name": "NHS Trust"}]})
    assert r.status_code == 201, r.text
    case_id, etag = r.json()["id"], r.headers["ETag"]
    r = client.post(f"{API}/child-deaths/{case_id}/transitions", headers={**coordinator.headers, "If-Match": etag},
                    json={"action": "start_information_gathering"})
    assert r.status_code == 200, r.text
    history = client.get(f"{API}/child-deaths/{case_id}/history", headers=coordinator.headers).json()
    assert [h["label"] for h in history] == ["Death notified", "Start gathering information"]
