"""The national data export (API.md "National data"): one documented, versioned JSON record per
child death, checked against the schema committed in openapi/; the bulk export by the day the
panel's analysis was recorded; coordinator only; every export audited, with no case content
in the logs; the bulk export in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import event, select, update

from cdop import forms as form_defs
from cdop.models import ChildDeath
from core.audit.models import AuditEvent
from tests.cdop.helpers import API, make_case, notification, quick_user, transition

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "openapi" / "ncmd-record.v1.schema.json"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())


def _answers_for(definition) -> tuple[dict[str, Any], list[str]]:
    """Answers to every question shown (the first choice, no, a number in range, a date, text);
    a conditional question only when its condition holds (as the public page would)."""
    answers: dict[str, Any] = {}
    for q in definition.questions():
        if q.show_if is not None:
            given = answers.get(q.show_if.question)
            given = given if isinstance(given, list) else [given]
            if not any(v in q.show_if.in_ for v in given):
                continue
        answers[q.key] = {
            "yes_no": False, "choice": q.choices[0].value if q.choices else None,
            "multiple_choice": [q.choices[0].value] if q.choices else None,
            "number": int(q.min) if q.min is not None else 1, "date": "2026-05-01",
        }.get(q.type, f"Synthetic answer to {q.key}")
    return answers, []


def reviewed_case(client, db, coordinator, chair, *, last_name: str = "Exportcase") -> dict[str, Any]:
    """A death notified by staff, a reporting form with a supplementary form (SUDI/SUDC)
    answered, a child death review meeting, and the panel's analysis with factors and actions."""
    body = notification(agencies=[], child={"last_name": last_name, "local_authority": "Testshire"},
                        death={"date": (TODAY - dt.timedelta(days=90)).isoformat()})
    r = client.post(f"{API}/child-deaths", json=body, headers=coordinator.headers)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert transition(client, case_id, coordinator, "start_information_gathering").status_code == 200
    r = client.post(f"{API}/child-deaths/{case_id}/reporting-forms", headers=coordinator.headers,
                    json={"agency": "Testshire Health", "forms": ["reporting_form", "sudi_sudc"]})
    assert r.status_code == 201, r.text
    form_id = r.json()["id"]
    main, _ = _answers_for(form_defs.latest("reporting_form"))
    sudi, _ = _answers_for(form_defs.latest("sudi_sudc"))
    first_sudi = next(iter(sudi))
    del sudi[first_sudi]
    r = client.post(f"{API}/child-deaths/{case_id}/reporting-forms/{form_id}/submit", headers=coordinator.headers,
                    json={"answers": {**main, "sudi_sudc": sudi}, "not_known": [f"sudi_sudc.{first_sudi}"]})
    assert r.status_code == 200, r.text
    r = client.post(f"{API}/child-deaths/{case_id}/review-meetings", headers=coordinator.headers,
                    json={"kind": "cdrm", "held_on": (TODAY - dt.timedelta(days=10)).isoformat(),
                          "agencies": ["Testshire Health", "Testshire Police"], "outcome": "Synthetic CDRM outcome."})
    assert r.status_code == 201, r.text
    db.execute(update(ChildDeath).where(ChildDeath.id == case_id).values(status="scheduled_for_panel"))
    db.commit()
    r = transition(client, case_id, chair, "record_analysis", category=10, modifiable="yes",
                   domain_scores={"A": 1, "B": 2, "C": 0, "D": 1}, learning="Synthetic learning.",
                   refer_to_case_review=False, learning_points=["Synthetic point"],
                   event_leading_to_death="Synthetic event.",
                   factors=[{"domain": "B", "factor": "Synthetic factor", "score": 2, "comment": "Synthetic comment"},
                            {"domain": "D", "factor": "Another factor", "score": 1}],
                   actions=[{"description": "Synthetic action", "owner_agency": "Testshire Health",
                             "due_on": (TODAY + dt.timedelta(days=60)).isoformat()}])
    assert r.status_code == 200, r.text
    return r.json()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _unnamed(schema: dict[str, Any], node: dict[str, Any], value: Any, path: str = "$") -> list[str]:
    """Every key of ``value`` that the schema does not name (an open map only where the schema
    gives ``additionalProperties`` a schema: the answers by question key)."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        branches = [_resolve(schema, b) for b in node["anyOf"]]
        matching = [b for b in branches if (b.get("type") == "object") == isinstance(value, dict)
                    and (b.get("type") == "array") == isinstance(value, list)]
        return _unnamed(schema, matching[0], value, path) if matching else []
    out: list[str] = []
    if isinstance(value, dict):
        props = node.get("properties", {})
        extra = node.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                out += _unnamed(schema, props[k], v, f"{path}.{k}")
            elif isinstance(extra, dict):
                out += _unnamed(schema, extra, v, f"{path}.{k}")
            else:
                out.append(f"{path}.{k}")
    elif isinstance(value, list) and "items" in node:
        for i, v in enumerate(value):
            out += _unnamed(schema, node["items"], v, f"{path}[{i}]")
    return out


def _objects(node: Any):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for v in node.values():
            yield from _objects(v)
    elif isinstance(node, list):
        for v in node:
            yield from _objects(v)


def test_the_committed_schema_is_closed_versioned_and_the_models(schema) -> None:
    from cdop import ncmd

    assert schema == ncmd.json_schema(), "regenerate: make openapi"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == "ecr-ncmd-export"
    assert schema["properties"]["version"]["const"] == 1
    for obj in _objects(schema):
        if "properties" in obj:
            assert obj["additionalProperties"] is False, obj.get("title")
        else:  # the one open map: answers by question key, each a typed answer
            assert obj["additionalProperties"]["anyOf"]


def test_the_export_of_a_reviewed_case_validates_and_names_nothing_else(client, db, coordinator, chair,
                                                                         schema, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    case = reviewed_case(client, db, coordinator, chair)
    r = client.get(f"{API}/child-deaths/{case['id']}/ncmd", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    record = r.json()
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(record)
    assert _unnamed(schema, schema, record) == []
    assert record["schema"] == "ecr-ncmd-export" and record["version"] == 1
    assert record["case"]["reference"] == case["reference"] and record["case"]["source"] == "staff"
    assert record["notification"]["child"]["last_name"] == "Exportcase"
    assert record["notification"]["death"]["date"] == (TODAY - dt.timedelta(days=90)).isoformat()
    assert record["responsibility"]["responsible_area"] == "Testshire"
    assert [(m["kind"], m["agencies"]) for m in record["review_meetings"]] == [
        ("cdrm", ["Testshire Health", "Testshire Police"])]
    [form] = record["reporting_forms"]
    assert form["agency"] == "Testshire Health" and form["status"] == "submitted"
    assert form["submitted_on"] == TODAY.isoformat()
    assert [(f["form"], f["version"]) for f in form["forms"]] == [
        ("reporting_form", form_defs.latest("reporting_form").version), ("sudi_sudc", form_defs.latest("sudi_sudc").version)]
    sudi = form["forms"][1]
    assert len(sudi["not_known"]) == 1 and sudi["not_known"][0] not in sudi["answers"] and sudi["answers"]
    a = record["analysis"]
    assert a["reviewed_on"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert (a["category"], a["modifiable"], a["domain_scores"]) == (10, "yes", {"A": 1, "B": 2, "C": 0, "D": 1})
    assert a["factors"] == [{"domain": "B", "factor": "Synthetic factor", "score": 2, "comment": "Synthetic comment"},
                            {"domain": "D", "factor": "Another factor", "score": 1, "comment": None}]
    assert a["event_leading_to_death"] == "Synthetic event."
    assert [(x["description"], x["status"]) for x in a["actions"]] == [("Synthetic action", "open")]
    # audited: one event naming the case, and no case content in any log line
    events = db.execute(select(AuditEvent.data).where(AuditEvent.action == "child_death.ncmd_export",
                                                      AuditEvent.subject_id == str(case["id"]))).scalars().all()
    assert events == [{"case_ids": [case["id"]]}]
    logged = "\n".join(rec.getMessage() + json.dumps(rec.__dict__, default=str) for rec in caplog.records
                       if rec.name != "httpx")
    for content in ("Exportcase", "Synthetic answer", "Synthetic learning", "Synthetic factor"):
        assert content not in logged


def test_a_case_not_yet_analysed_exports_without_an_analysis(client, db, coordinator, schema) -> None:
    case = make_case(db, status="information_gathering")
    db.commit()
    record = client.get(f"{API}/child-deaths/{case.id}/ncmd", headers=coordinator.headers).json()
    jsonschema.Draft202012Validator(schema).validate(record)
    assert record["analysis"] is None and record["reporting_forms"] == [] and record["review_meetings"] == []


def test_bulk_export_of_the_cases_analysed_in_the_period(client, db, engine, coordinator, chair, schema) -> None:
    first = reviewed_case(client, db, coordinator, chair, last_name="Bulkone")
    second = reviewed_case(client, db, coordinator, chair, last_name="Bulktwo")
    not_analysed = make_case(db, status="information_gathering")
    earlier = make_case(db, status="reviewed", category=4, modifiable="no", domain_scores={"A": 0, "B": 0, "C": 0, "D": 0},
                        learning="x", refer_to_case_review=False,
                        analysed_at=dt.datetime.combine(TODAY - dt.timedelta(days=40), dt.time(9), dt.UTC))
    db.commit()
    period = {"from": (TODAY - dt.timedelta(days=30)).isoformat(), "to": TODAY.isoformat()}
    r = client.get(f"{API}/exports/ncmd", params=period, headers=coordinator.headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["schema"], out["version"], out["from"], out["to"]) == ("ecr-ncmd-export", 1, period["from"], period["to"])
    ids = [rec["case"]["id"] for rec in out["records"]]
    assert ids == [first["id"], second["id"]] and out["count"] == 2
    assert not_analysed.id not in ids and earlier.id not in ids
    for rec in out["records"]:
        jsonschema.Draft202012Validator(schema).validate(rec)
        assert _unnamed(schema, schema, rec) == []
    events = db.execute(select(AuditEvent.data).where(AuditEvent.action == "child_death.ncmd_export",
                                                      AuditEvent.subject_id.is_(None))).scalars().all()
    assert events == [{**period, "case_ids": [first["id"], second["id"]]}]
    wider = client.get(f"{API}/exports/ncmd", params={"from": (TODAY - dt.timedelta(days=50)).isoformat(),
                                                       "to": TODAY.isoformat()}, headers=coordinator.headers).json()
    assert [rec["case"]["id"] for rec in wider["records"]] == [earlier.id, first["id"], second["id"]]


def test_the_bulk_export_is_a_fixed_number_of_queries(client, db, engine, coordinator) -> None:
    """No query per case: exporting many cases costs what exporting one does."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def export(n: int, day: dt.date) -> int:
        for _ in range(n):
            make_case(db, status="reviewed", category=5, modifiable="no", domain_scores={"A": 1, "B": 1, "C": 1, "D": 1},
                      learning="x", refer_to_case_review=False, factors=[],
                      analysed_at=dt.datetime.combine(day, dt.time(9), dt.UTC))
        db.commit()
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            r = client.get(f"{API}/exports/ncmd", params={"from": day.isoformat(), "to": day.isoformat()},
                           headers=coordinator.headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert r.status_code == 200 and r.json()["count"] == n
        return len(statements)

    assert export(1, TODAY - dt.timedelta(days=100)) == export(6, TODAY - dt.timedelta(days=200))


@pytest.mark.parametrize("path", ["/child-deaths/{id}/ncmd", "/exports/ncmd"])
def test_only_the_coordinator_exports(client, db, session_factory, path) -> None:
    case = make_case(db, status="reviewed")
    db.commit()
    url = API + path.format(id=case.id)
    for roles in (("cdop_chair",), ("cdop_panel_member",), ("agency_author",), ("admin",), ("business_unit",)):
        assert client.get(url, headers=quick_user(session_factory, *roles).headers).status_code == 403, roles
    assert client.get(url).status_code == 401
    assert client.get(url, headers=quick_user(session_factory, "cdop_coordinator").headers).status_code == 200
    assert not db.execute(select(AuditEvent).where(AuditEvent.action == "child_death.ncmd_export",
                                                   AuditEvent.actor.not_like("user:%"))).first()


@pytest.mark.parametrize(
    ("params", "loc"),
    [({"from": "2026-06-02", "to": "2026-06-01"}, ["query", "to"]),
     ({"from": "2024-01-01", "to": "2026-01-01"}, ["query", "from"]),
     ({"from": "not-a-date"}, ["query", "from"])],
)
def test_a_bad_period_is_refused_naming_the_field(client, coordinator, params, loc) -> None:
    r = client.get(f"{API}/exports/ncmd", params=params, headers=coordinator.headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["loc"][:2] == loc


def test_the_export_routes_are_in_the_committed_openapi() -> None:
    spec = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    assert "get" in spec["paths"][f"{API}/child-deaths/{{case_id}}/ncmd"]
    assert "get" in spec["paths"][f"{API}/exports/ncmd"]


def test_transfers_and_the_home_panels_outcome_are_in_the_record(client, db, coordinator, schema) -> None:
    out = make_case(db, status="transferred_out", home_area="Otherland", local_authority="Otherland",
                    non_resident=True, transferred_out_on=dt.date(2026, 5, 10),
                    external_outcome_received_on=dt.date(2026, 10, 1), external_category=3,
                    external_modifiable="no")
    came_in = make_case(db, status="information_gathering", transferred_from_area="Elsewhere",
                        transferred_from_received_on=dt.date(2026, 5, 3), looked_after=True,
                        looked_after_by="Testshire")
    db.commit()
    first = client.get(f"{API}/child-deaths/{out.id}/ncmd", headers=coordinator.headers).json()
    jsonschema.Draft202012Validator(schema).validate(first)
    assert first["responsibility"]["transferred_out"] == {
        "home_area": "Otherland", "transferred_on": "2026-05-10",
        "outcome": {"received_on": "2026-10-01", "category": 3, "modifiable": "no"}}
    assert first["responsibility"]["responsible_area"] == "Otherland"
    second = client.get(f"{API}/child-deaths/{came_in.id}/ncmd", headers=coordinator.headers).json()
    jsonschema.Draft202012Validator(schema).validate(second)
    assert second["responsibility"]["transferred_from"] == {"area": "Elsewhere", "received_on": "2026-05-03"}
    assert second["responsibility"]["responsible_area"] == "Testshire"  # the area looking after the child
    assert second["responsibility"]["transferred_out"] is None
