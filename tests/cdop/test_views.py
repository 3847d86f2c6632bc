"""The list, detail, history and transition answers are serialised without FastAPI validating
them again through their ``response_model`` (cdop.router._json): they must be exactly what that
model would send, byte for byte (same fields, order, types and values), and the history must
stay what ``core.workflow.history_for`` gives. Synthetic data only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import text

from core.agency_requests import service as requests
from core.auth.principal import Principal
from cdop.workflow import HISTORY_LABELS
from core.workflow import history_for
from cdop import repository as repo
from cdop import service, views
from cdop.models import ChildDeath, ChildDeathAction, ChildDeathHold, DuplicateFlag
from cdop.schemas import ChildDeathOut, ChildDeathPage, HistoryEntry, OutstandingSummary
from tests.cdop.helpers import API, VALID_NHS, make_case, notification, transition

FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(microsecond=0).isoformat()
DETAIL = TypeAdapter(ChildDeathOut)
PAGE = TypeAdapter(ChildDeathPage)
HISTORY = TypeAdapter(list[HistoryEntry])
SUMMARY = TypeAdapter(OutstandingSummary)


def _as_the_model_sends_it(adapter: TypeAdapter[Any], body: bytes) -> None:
    """What FastAPI would send for this content through the model (validate, dump_json)."""
    assert body == adapter.dump_json(adapter.validate_json(body)), body.decode()[:2000]


@pytest.fixture
def cases(client, coordinator, db) -> dict[str, int]:
    """Cases in many shapes: forms open, submitted and waived; holds open and released; duplicate
    flags; an analysis; out of area; scheduled for a meeting; nothing at all."""
    h = coordinator.headers
    out: dict[str, int] = {}
    for name in ("gathering", "held", "released"):
        nhs = VALID_NHS if name == "gathering" else "not available"
        r = client.post(f"{API}/child-deaths",
                        json=notification(child={"last_name": f"View{name.title()}", "nhs_number": nhs}), headers=h)
        assert r.status_code == 201, r.text
        out[name] = r.json()["id"]
        assert transition(client, out[name], coordinator, "start_information_gathering").status_code == 200
    expected_on = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    for name in ("held", "released"):
        r = transition(client, out[name], coordinator, "place_on_hold", hold_reason="inquest",
                       expected_on=expected_on, note="Synthetic note")
        assert r.status_code == 200, r.text
    assert transition(client, out["released"], coordinator, "release_hold").status_code == 200
    forms = requests.list_for(db, "child_death", [out["gathering"]])[out["gathering"]]
    requests.submit(db, forms[0], answers={"health": "Synthetic answer"}, not_known=["other_information"],
                    actor="test")
    requests.waive(db, forms[1], reason="Synthetic reason", actor="test")
    # the same NHS number as "gathering": flagged both ways
    r = client.post(f"{API}/child-deaths", json=notification(child={"last_name": "ViewDuplicate",
                                                                     "nhs_number": VALID_NHS}), headers=h)
    assert r.status_code == 201, r.text
    out["duplicate"] = r.json()["id"]
    out["bare"] = make_case(db, status="notified", date_of_death=dt.date(2025, 1, 2)).id
    out["analysed"] = make_case(
        db, status="reviewed", category=5, modifiable="no", domain_scores={"A": 1, "B": 0, "C": 2, "D": 1},
        learning="Synthetic learning.", learning_points=["Synthetic point"],
        factors=[{"domain": "C", "factor": "Synthetic factor", "score": 2, "comment": None}],
        event_leading_to_death="Synthetic event.",
        refer_to_case_review=False, analysed_at=dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), analysed_by="user:1",
        date_of_death=dt.date(2025, 3, 4),
    ).id
    db.add(ChildDeathAction(child_death_id=out["analysed"], position=1, description="Synthetic action",
                            owner_agency="Testshire Health", due_on=None, status="open", created_by="test",
                            reminders_sent=0))
    out["out_of_area"] = make_case(db, status="transferred_out", home_area="Otherland",
                                   home_cdop_email="cdop@example.org", non_resident=True).id
    r = client.post(f"{API}/meetings", json={"kind": "cdop_panel", "scheduled_for": FUTURE}, headers=h)
    assert r.status_code == 201, r.text
    out["scheduled"] = make_case(db, status="scheduled_for_panel", panel_meeting_id=r.json()["id"],
                                 date_of_death=dt.date(2025, 8, 9)).id
    db.add(ChildDeathHold(child_death_id=out["bare"], reason="other", expected_on=dt.date(2027, 1, 1),
                          placed_by="test", placed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    db.commit()
    return out


def test_detail_and_history_are_what_the_models_send(client, coordinator, cases) -> None:
    for name, case_id in cases.items():
        r = client.get(f"{API}/child-deaths/{case_id}", headers=coordinator.headers)
        assert r.status_code == 200, (name, r.text)
        assert r.headers["content-type"] == "application/json"
        assert r.headers["etag"] == f'"{r.json()["version"]}"'
        _as_the_model_sends_it(DETAIL, r.content)
        r = client.get(f"{API}/child-deaths/{case_id}/history", headers=coordinator.headers)
        assert r.status_code == 200, (name, r.text)
        _as_the_model_sends_it(HISTORY, r.content)
    detail = client.get(f"{API}/child-deaths/{cases['gathering']}", headers=coordinator.headers).json()
    assert [f["status"] for f in detail["reporting_forms"]] == ["submitted", "waived"]
    assert detail["reporting_forms"][0]["answers"] == {"health": "Synthetic answer"}
    assert "kind" not in detail["reporting_forms"][0]
    assert [d["reason"] for d in detail["possible_duplicates"]] == ["nhs_number"]
    held = client.get(f"{API}/child-deaths/{cases['released']}", headers=coordinator.headers).json()
    assert held["holds"][0]["released_by"] and held["holds"][0]["note"] == "Synthetic note"
    scheduled = client.get(f"{API}/child-deaths/{cases['scheduled']}", headers=coordinator.headers).json()
    assert scheduled["waiting_on"] == [f"panel meeting {scheduled['panel_meeting_id']} on {FUTURE[:10]}"]


def test_lists_are_what_the_model_sends(client, coordinator, cases) -> None:
    for query in ("", "outstanding=true", "outstanding=true&older_than_days=180", "limit=3", "hold_reason=other"):
        r = client.get(f"{API}/child-deaths?{query}", headers=coordinator.headers)
        assert r.status_code == 200, (query, r.text)
        assert r.headers["content-type"] == "application/json"
        _as_the_model_sends_it(PAGE, r.content)
    r = client.get(f"{API}/child-deaths?limit=3", headers=coordinator.headers)
    assert r.json()["next_cursor"]
    items = {i["id"]: i for i in client.get(f"{API}/child-deaths", headers=coordinator.headers).json()["items"]}
    assert items[cases["duplicate"]]["possible_duplicates"] and items[cases["held"]]["open_holds"]
    assert items[cases["bare"]]["open_holds"][0]["reason"] == "other"
    scheduled = items[cases["scheduled"]]
    assert scheduled["waiting_on"] == [f"panel meeting {scheduled['panel_meeting_id']} on {FUTURE[:10]}"]


def test_summary_is_what_the_model_sends(client, coordinator, cases) -> None:
    r = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    _as_the_model_sends_it(SUMMARY, r.content)
    assert r.json()["total"] >= len(cases) - 1 and r.json()["on_hold_by_reason"]["inquest"] >= 1


def test_transition_and_creation_answers_are_what_the_model_sends(client, coordinator, cases) -> None:
    r = transition(client, cases["held"], coordinator, "release_hold")
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
    _as_the_model_sends_it(DETAIL, r.content)
    r = client.post(f"{API}/child-deaths",
                    json=notification(child={"last_name": "ViewCreated", "nhs_number": "not available"}),
                    headers=coordinator.headers)
    assert r.status_code == 201 and r.headers["location"] == f"/api/v1/child-deaths/{r.json()['id']}"
    _as_the_model_sends_it(DETAIL, r.content)
    r = client.patch(f"{API}/child-deaths/{r.json()['id']}", json={"case_summary": "Synthetic summary."},
                     headers={**coordinator.headers, "If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    _as_the_model_sends_it(DETAIL, r.content)


def test_views_from_rows_equal_views_from_entities(db, cases) -> None:
    """The detail of a ``get_case_view`` row (what GET shows) equals the detail of the entity
    (what a change answers), and the history rows give what ``history_for`` gives."""
    reader = Principal(subject="1", email="r@example.org", name="R", roles=frozenset({"cdop_coordinator"}),
                       user_id=1)
    for case_id in cases.values():
        row = repo.get_case_view(db, reader, case_id)
        from_row = views.detail(db, row, meeting_at=row.meeting_at, holds=repo.HOLD_ROWS.parse(row.hold_rows),
                                  forms=repo.FORM_ROWS.parse(row.form_rows), has_duplicates=row.has_duplicates)
        assert from_row == views.detail(db, db.get(ChildDeath, case_id))
        # the collections read back from the view's JSON are what their own queries give
        assert repo.HOLD_ROWS.parse(row.hold_rows) == [tuple(h) for h in repo.holds_of(db, case_id)]
        assert repo.FORM_ROWS.parse(row.form_rows) == [tuple(f) for f in repo.forms_of(db, case_id)]
        assert repo.collections_of(db, case_id) == (repo.HOLD_ROWS.parse(row.hold_rows),
                                                    repo.FORM_ROWS.parse(row.form_rows))
        assert service.history(db, reader, case_id) == history_for(db, "child_death", case_id, labels=HISTORY_LABELS)
    assert db.query(DuplicateFlag).count() == 2


def test_collections_read_back_in_utc_whatever_the_session_time_zone(db, cases) -> None:
    """PostgreSQL writes times into JSON in the session's time zone: read back, they are the
    same instants in UTC as the columns give."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite stores UTC text; no session time zone")
    db.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
    for case_id in cases.values():
        holds, forms = repo.collections_of(db, case_id)
        assert holds == [tuple(h) for h in repo.holds_of(db, case_id)]
        assert forms == [tuple(f) for f in repo.forms_of(db, case_id)]
        assert all(h.placed_at.tzinfo is dt.UTC for h in holds)
    assert any(holds for holds, _ in (repo.collections_of(db, i) for i in cases.values()))
