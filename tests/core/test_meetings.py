"""Core /api/v1/meetings routes with fake meeting kinds registered by the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.meetings import MeetingKind, agenda_subject_ids_for_member, is_on_member_agenda, register_meeting_kind
from core.meetings.registry import MEETING_KINDS

KNOWN = {1, 2, 3, 4, 5, 6}
WHEN = "2027-02-03T10:00:00Z"


def _describe(prefix: str):
    def describe(session, ids) -> dict[int, dict[str, Any]]:
        return {i: {"id": i, "reference": f"{prefix}-{i}", "status": "awaiting_decision"} for i in ids if i in KNOWN}
    return describe


def _can_add(session, case_id: int) -> str | None:
    return "the case is closed" if case_id == 6 else None


TRACKER = [{"id": 3, "reference": "FAKE-3", "status": "awaiting_decision", "stage": "Decision",
            "decision": None, "review_type": None, "received_on": "2026-11-02",
            "deadlines": [{"kind": "decision", "label": "Decision", "start_on": "2026-11-02",
                           "due_on": "2026-11-23", "overdue": True}],
            "overdue": True}]
REMOVED: list[tuple[int, str]] = []


def _on_agenda_remove(session, case_id: int, principal) -> None:
    REMOVED.append((case_id, principal.actor))


@pytest.fixture
def kinds() -> Iterator[None]:
    saved = dict(MEETING_KINDS)
    MEETING_KINDS.clear()
    REMOVED.clear()
    register_meeting_kind(MeetingKind(
        kind="crg", subject_type="fake_case",
        manager_roles=frozenset({"business_unit"}),
        reader_roles=frozenset({"business_unit", "crg_chair", "independent_chair", "cdop_chair"}),
        describe=_describe("FAKE"), can_add=_can_add,
        standing_items=lambda session: [dict(t) for t in TRACKER],
        member_roles=frozenset({"crg_member"}),
    ))
    register_meeting_kind(MeetingKind(
        kind="cdop_panel", subject_type="fake_death",
        manager_roles=frozenset({"cdop_coordinator"}),
        reader_roles=frozenset({"cdop_coordinator", "cdop_chair"}),
        describe=_describe("DEATH"), member_roles=frozenset(), on_agenda_remove=_on_agenda_remove,
    ))
    yield
    MEETING_KINDS.clear()
    MEETING_KINDS.update(saved)


def _create(client: TestClient, user, **body) -> Any:
    payload = {"kind": "crg", "scheduled_for": WHEN, **body}
    return client.post("/api/v1/meetings", json=payload, headers=user.headers)


def test_create_meeting(client: TestClient, make_user, kinds) -> None:
    bu = make_user("business_unit")
    member = make_user("crg_member")
    r = _create(client, bu, member_ids=[member.id, member.id], location="Room 4", title="February CRG")
    assert r.status_code == 201, r.text
    m = r.json()
    assert r.headers["etag"] == '"1"'
    assert m["member_ids"] == [member.id] and m["agenda"] == [] and m["location"] == "Room 4"
    assert m["scheduled_for"].startswith("2027-02-03T10:00:00")
    assert m["standing_items"] == TRACKER


@pytest.mark.parametrize("role", ["crg_chair", "crg_member", "cdop_coordinator"])
def test_create_needs_a_manager_of_the_kind(client: TestClient, make_user, kinds, role: str) -> None:
    r = _create(client, make_user(role))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert client.post("/api/v1/meetings", json={"kind": "crg", "scheduled_for": WHEN}).status_code == 401


def test_create_validation(client: TestClient, make_user, kinds, db) -> None:
    bu = make_user("business_unit")
    inactive = make_user("crg_member")
    admin = make_user("admin")
    client.patch(f"/api/v1/users/{inactive.id}", json={"is_active": False}, headers=admin.headers)
    for member_ids in ([999999], [inactive.id]):
        r = _create(client, bu, member_ids=member_ids)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "member_ids"]
        assert str(member_ids[0]) in r.json()["errors"][0]["msg"]
    assert _create(client, bu, member_ids=[0]).status_code == 422
    r = _create(client, bu, scheduled_for="2027-02-03T10:00:00")  # no offset
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "scheduled_for"]
    r = _create(client, bu, kind="board")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "kind"]
    r = _create(client, bu, agenda=[1])
    assert r.status_code == 422
    # A kind no module registered.
    del MEETING_KINDS["cdop_panel"]
    r = _create(client, make_user("cdop_coordinator"), kind="cdop_panel")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "kind"]


def test_get_as_member_reader_and_non_member(client: TestClient, make_user, kinds, db) -> None:
    bu = make_user("business_unit")
    member = make_user("crg_member")
    outsider = make_user("crg_member")
    chair = make_user("crg_chair")
    mid = _create(client, bu, member_ids=[member.id]).json()["id"]
    assert client.post(f"/api/v1/meetings/{mid}/agenda", json={"case_id": 2}, headers=bu.headers).status_code == 201

    r = client.get(f"/api/v1/meetings/{mid}", headers=member.headers)
    assert r.status_code == 200 and r.headers["etag"]
    body = r.json()
    assert body["agenda"][0]["case"] == {"id": 2, "reference": "FAKE-2", "status": "awaiting_decision",
                                         "stage": None, "decision": None, "received_on": None}
    assert body["standing_items"] is None  # the tracker is for the group's officers

    r = client.get(f"/api/v1/meetings/{mid}", headers=outsider.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get(f"/api/v1/meetings/{mid}", headers=chair.headers).json()["standing_items"] == TRACKER
    assert client.get("/api/v1/meetings/999999", headers=bu.headers).status_code == 404
    assert client.get("/api/v1/meetings/99999999999", headers=bu.headers).status_code == 422
    assert client.get(f"/api/v1/meetings/{mid}").status_code == 401
    # agency authors hold no meeting permission at all
    assert client.get(f"/api/v1/meetings/{mid}", headers=make_user("agency_author").headers).status_code == 403

    reads = db.scalars(select(AuditEvent.actor).where(AuditEvent.action == "meeting.read")).all()
    assert f"user:{member.id}" in reads and f"user:{outsider.id}" not in reads


def test_membership_subqueries(client: TestClient, make_user, kinds, db) -> None:
    bu = make_user("business_unit")
    member = make_user("crg_member")
    mid = _create(client, bu, member_ids=[member.id]).json()["id"]
    client.post(f"/api/v1/meetings/{mid}/agenda", json={"case_id": 3}, headers=bu.headers)
    assert set(db.scalars(agenda_subject_ids_for_member(member.id, "fake_case"))) == {3}
    assert set(db.scalars(agenda_subject_ids_for_member(member.id, "fake_case", "cdop_panel"))) == set()
    assert is_on_member_agenda(db, member.id, "fake_case", 3, "crg")
    assert not is_on_member_agenda(db, member.id, "fake_case", 4)
    assert not is_on_member_agenda(db, bu.id, "fake_case", 3)
    assert not is_on_member_agenda(db, None, "fake_case", 3)


def test_agenda_add(client: TestClient, make_user, kinds) -> None:
    bu = make_user("business_unit")
    mid = _create(client, bu).json()["id"]
    url = f"/api/v1/meetings/{mid}/agenda"
    r = client.post(url, json={"case_id": 1}, headers=bu.headers)
    assert r.status_code == 201 and r.headers["etag"] == '"2"'
    r = client.post(url, json={"case_id": 4}, headers=bu.headers)
    assert [(a["case_id"], a["position"]) for a in r.json()["agenda"]] == [(1, 1), (4, 2)]

    r = client.post(url, json={"case_id": 99}, headers=bu.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "case_id"]
    r = client.post(url, json={"case_id": 1}, headers=bu.headers)
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = client.post(url, json={"case_id": 6}, headers=bu.headers)
    assert r.status_code == 409 and r.json()["detail"] == "the case is closed"
    assert client.post(url, json={"case_id": 0}, headers=bu.headers).status_code == 422
    assert client.post(url, json={"case_id": "x"}, headers=bu.headers).status_code == 422
    assert client.post(url, json={"case_id": 2}, headers=make_user("crg_chair").headers).status_code == 403
    assert client.post(url, json={"case_id": 2}, headers=make_user("cdop_coordinator").headers).status_code == 404
    assert client.post("/api/v1/meetings/999999/agenda", json={"case_id": 2}, headers=bu.headers).status_code == 404

    r = client.delete(f"{url}/1", headers=bu.headers)
    assert r.status_code == 200 and [a["case_id"] for a in r.json()["agenda"]] == [4]
    assert client.delete(f"{url}/1", headers=bu.headers).status_code == 404
    assert client.post(url, json={"case_id": 1}, headers=bu.headers).status_code == 201


def test_minutes_need_if_match(client: TestClient, make_user, kinds) -> None:
    bu = make_user("business_unit")
    created = _create(client, bu)
    mid, etag = created.json()["id"], created.headers["etag"]
    url = f"/api/v1/meetings/{mid}/minutes"
    r = client.put(url, json={"minutes": "Decisions recorded."}, headers=bu.headers)
    assert r.status_code == 428 and r.json()["code"] == "precondition_required"
    r = client.put(url, json={"minutes": "x"}, headers={**bu.headers, "If-Match": '"999"'})
    assert r.status_code == 412 and r.json()["code"] == "precondition_failed"
    r = client.put(url, json={"minutes": "Decisions recorded."}, headers={**bu.headers, "If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["minutes"] == "Decisions recorded." and r.json()["minutes_updated_at"]
    new_etag = r.headers["etag"]
    assert new_etag != etag
    assert client.put(url, json={"minutes": "again"}, headers={**bu.headers, "If-Match": etag}).status_code == 412
    assert client.put(url, json={"minutes": "again"}, headers={**bu.headers, "If-Match": new_etag}).status_code == 200
    r = client.put(url, json={"minutes": "x"}, headers={**make_user("crg_chair").headers, "If-Match": "*"})
    assert r.status_code == 403
    assert client.put(url, json={}, headers={**bu.headers, "If-Match": "*"}).status_code == 422


def _minuted_meeting(client: TestClient, manager, kind: str, member_ids: list[int], case_id: int) -> int:
    created = _create(client, manager, kind=kind, member_ids=member_ids)
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    r = client.post(f"/api/v1/meetings/{mid}/agenda", json={"case_id": case_id}, headers=manager.headers)
    assert r.status_code == 201, r.text
    r = client.put(f"/api/v1/meetings/{mid}/minutes", json={"minutes": "Case discussed; actions agreed."},
                   headers={**manager.headers, "If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    return mid


def test_crg_member_without_a_case_review_role_sees_no_cases_or_minutes(client: TestClient, make_user,
                                                                         kinds) -> None:
    """Bug 7. DOMAIN.md, Roles: crg_member sees "cases on agendas of CRG meetings they belong
    to"; a member of a CRG meeting who holds no case review role (here a CDOP panel member)
    may see the meeting, but not its agenda lines or its minutes."""
    bu = make_user("business_unit")
    crg_member = make_user("crg_member")
    panel_member = make_user("cdop_panel_member")
    mid = _minuted_meeting(client, bu, "crg", [crg_member.id, panel_member.id], 2)

    seen = client.get(f"/api/v1/meetings/{mid}", headers=crg_member.headers).json()
    assert seen["agenda"][0]["case"] == {"id": 2, "reference": "FAKE-2", "status": "awaiting_decision",
                                         "stage": None, "decision": None, "received_on": None}
    assert seen["minutes"] == "Case discussed; actions agreed." and seen["minutes_updated_at"]

    r = client.get(f"/api/v1/meetings/{mid}", headers=panel_member.headers)
    assert r.status_code == 200, r.text
    hidden = r.json()
    assert [a["case"] for a in hidden["agenda"]] == [None]
    assert hidden["minutes"] is None and hidden["minutes_updated_at"] is None
    assert hidden["standing_items"] is None
    assert "FAKE-2" not in r.text and "actions agreed" not in r.text
    # The same in the list.
    listed = client.get("/api/v1/meetings", headers=panel_member.headers).json()["items"]
    assert [(m["id"], [a["case"] for a in m["agenda"]], m["minutes"]) for m in listed] == [(mid, [None], None)]
    listed = client.get("/api/v1/meetings", headers=crg_member.headers).json()["items"]
    assert listed[0]["agenda"][0]["case"]["reference"] == "FAKE-2" and listed[0]["minutes"]
    # A reader of the kind who is not a member sees the cases and the minutes.
    chair = client.get(f"/api/v1/meetings/{mid}", headers=make_user("crg_chair").headers).json()
    assert chair["agenda"][0]["case"]["reference"] == "FAKE-2" and chair["minutes"]


def test_panel_members_see_no_cases_or_minutes_through_core(client: TestClient, make_user, kinds) -> None:
    """A CDOP panel member reads the anonymised papers (the CDOP domain's), never the agenda
    lines or the minutes of the panel through core; the coordinator and chair see them."""
    coord = make_user("cdop_coordinator")
    panel_member = make_user("cdop_panel_member")
    both = make_user("cdop_panel_member", "crg_member")
    mid = _minuted_meeting(client, coord, "cdop_panel", [panel_member.id, both.id], 5)
    for user in (panel_member, both):
        r = client.get(f"/api/v1/meetings/{mid}", headers=user.headers)
        assert r.status_code == 200, r.text
        assert [a["case"] for a in r.json()["agenda"]] == [None] and r.json()["minutes"] is None
        assert "DEATH-5" not in r.text
    for user in (coord, make_user("cdop_chair")):
        body = client.get(f"/api/v1/meetings/{mid}", headers=user.headers).json()
        assert body["agenda"][0]["case"]["reference"] == "DEATH-5" and body["minutes"]
    assert client.get(f"/api/v1/meetings/{mid}", headers=make_user("cdop_panel_member").headers).status_code == 404


def test_agenda_remove_calls_the_kinds_hook_first(client: TestClient, make_user, kinds, db) -> None:
    """Bug 8, core side: DELETE /meetings/{id}/agenda/{case_id} calls the kind's
    on_agenda_remove(session, case_id, principal) before removing the item, in the request's
    transaction; a refusal by the hook leaves the agenda as it was."""
    from core.errors import Conflict

    coord = make_user("cdop_coordinator")
    mid = _create(client, coord, kind="cdop_panel").json()["id"]
    for case_id in (4, 5):
        client.post(f"/api/v1/meetings/{mid}/agenda", json={"case_id": case_id}, headers=coord.headers)
    r = client.delete(f"/api/v1/meetings/{mid}/agenda/5", headers=coord.headers)
    assert r.status_code == 200, r.text
    assert [a["case_id"] for a in r.json()["agenda"]] == [4]
    assert REMOVED == [(5, f"user:{coord.id}")]
    # Not on the agenda: no call.
    assert client.delete(f"/api/v1/meetings/{mid}/agenda/5", headers=coord.headers).status_code == 404
    assert REMOVED == [(5, f"user:{coord.id}")]

    def refuse(session, case_id, principal) -> None:
        raise Conflict("the case has already been reviewed")

    from dataclasses import replace

    MEETING_KINDS["cdop_panel"] = replace(MEETING_KINDS["cdop_panel"], on_agenda_remove=refuse)
    r = client.delete(f"/api/v1/meetings/{mid}/agenda/4", headers=coord.headers)
    assert r.status_code == 409 and r.json()["detail"] == "the case has already been reviewed"
    agenda = client.get(f"/api/v1/meetings/{mid}", headers=coord.headers).json()["agenda"]
    assert [a["case_id"] for a in agenda] == [4]
    # A CRG kind without a hook removes as before.
    bu = make_user("business_unit")
    crg = _create(client, bu).json()["id"]
    client.post(f"/api/v1/meetings/{crg}/agenda", json={"case_id": 1}, headers=bu.headers)
    assert client.delete(f"/api/v1/meetings/{crg}/agenda/1", headers=bu.headers).json()["agenda"] == []


def test_load_meeting_is_the_rule_of_get_meeting(client: TestClient, make_user, kinds, db) -> None:
    """core.meetings.service.load_meeting: what a domain uses to serve a meeting's papers."""
    from core.auth.principal import Principal
    from core.errors import NotFound
    from core.meetings import load_meeting

    coord = make_user("cdop_coordinator")
    member = make_user("cdop_panel_member")
    mid = _create(client, coord, kind="cdop_panel", member_ids=[member.id]).json()["id"]

    def principal(user) -> Principal:
        return Principal(subject=str(user.id), email=user.email, name=user.name,
                         roles=frozenset(user.roles), user_id=user.id)

    meeting, mk = load_meeting(db, mid, principal(member))
    assert meeting.id == mid and mk.kind == "cdop_panel"
    assert load_meeting(db, mid, principal(coord))[0].id == mid
    for user in (make_user("cdop_panel_member"), make_user("business_unit")):
        with pytest.raises(NotFound):
            load_meeting(db, mid, principal(user))
        assert client.get(f"/api/v1/meetings/{mid}", headers=user.headers).status_code == 404
    with pytest.raises(NotFound):
        load_meeting(db, 999999, principal(coord))


def test_core_serves_no_papers_route() -> None:
    """GET /meetings/{id}/papers is the CDOP domain's; core keeps only the permission."""
    from core.auth.roles import PERMISSIONS
    from core.meetings.router import router

    assert not any("papers" in getattr(r, "path", "") for r in router.routes)
    assert "cdop_panel_member" in PERMISSIONS["meeting:papers"]


def test_list_meetings(client: TestClient, make_user, kinds) -> None:
    bu = make_user("business_unit")
    coord = make_user("cdop_coordinator")
    member = make_user("crg_member")
    ids = [_create(client, bu, member_ids=[member.id] if i == 1 else []).json()["id"] for i in range(3)]
    panel = _create(client, coord, kind="cdop_panel").json()["id"]

    def listed(user, **params) -> list[int]:
        r = client.get("/api/v1/meetings", params=params, headers=user.headers)
        assert r.status_code == 200, r.text
        assert all(i["standing_items"] is None for i in r.json()["items"])
        return [i["id"] for i in r.json()["items"]]

    assert listed(bu) == sorted(ids, reverse=True)
    assert listed(member) == [ids[1]]
    assert listed(coord) == [panel]
    assert listed(make_user("cdop_chair")) == sorted([*ids, panel], reverse=True)
    assert listed(bu, kind="cdop_panel") == []
    assert listed(bu, upcoming="true") == sorted(ids, reverse=True)
    page = client.get("/api/v1/meetings", params={"limit": 2}, headers=bu.headers).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get("/api/v1/meetings", params={"limit": 2, "cursor": page["next_cursor"]},
                      headers=bu.headers).json()
    assert [i["id"] for i in rest["items"]] == [min(ids)] and rest["next_cursor"] is None
    assert client.get("/api/v1/meetings", params={"cursor": "bad!"}, headers=bu.headers).status_code == 422


def test_list_describes_cases_once_per_kind(client: TestClient, make_user, kinds) -> None:
    calls: list[list[int]] = []
    crg = MEETING_KINDS["crg"]

    def counting(session, ids):
        calls.append(list(ids))
        return crg.describe(session, ids)

    bu = make_user("business_unit")
    for case_id in (1, 2, 3):
        mid = _create(client, bu).json()["id"]
        client.post(f"/api/v1/meetings/{mid}/agenda", json={"case_id": case_id}, headers=bu.headers)
    from dataclasses import replace

    MEETING_KINDS["crg"] = replace(crg, describe=counting)
    items = client.get("/api/v1/meetings", headers=bu.headers).json()["items"]
    assert [i["agenda"][0]["case"]["reference"] for i in items] == ["FAKE-3", "FAKE-2", "FAKE-1"]
    assert calls == [[1, 2, 3]]


def test_bodies_take_the_types_their_schema_states(client: TestClient, make_user, kinds) -> None:
    """A number is not a date-time and a string is not an id, as the OpenAPI schema says."""
    bu = make_user("business_unit")
    for body, loc in (({"scheduled_for": 0}, ["body", "scheduled_for"]),
                      ({"scheduled_for": 1.5e9}, ["body", "scheduled_for"]),
                      ({"member_ids": ["1"]}, ["body", "member_ids", 0]),
                      ({"title": 5}, ["body", "title"])):
        r = _create(client, bu, **body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["loc"] == loc
    mid = _create(client, bu).json()["id"]
    r = client.post(f"/api/v1/meetings/{mid}/agenda", json={"case_id": "1"}, headers=bu.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "case_id"]
    r = client.put(f"/api/v1/meetings/{mid}/minutes", json={"minutes": 5}, headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "minutes"]


def test_request_constraints_are_in_openapi(app) -> None:
    schemas = app.openapi()["components"]["schemas"]
    create = schemas["MeetingCreate"]["properties"]
    assert create["kind"]["enum"] == ["crg", "cdop_panel"]
    assert create["member_ids"]["maxItems"] == 100 and create["member_ids"]["items"]["minimum"] == 1
    assert create["scheduled_for"]["format"] == "date-time"
    assert schemas["MinutesIn"]["properties"]["minutes"]["maxLength"] == 100_000
    assert schemas["AgendaAdd"]["properties"]["case_id"]["minimum"] == 1
    agenda_case = schemas["AgendaItemOut"]["properties"]["case"]
    assert any(v.get("$ref", "").endswith("/AgendaCase") for v in agenda_case["anyOf"])
    assert set(schemas["TrackerItem"]["required"]) == {"id", "reference", "status"}
