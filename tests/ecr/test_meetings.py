"""CRG meetings: agenda lines, the tracker as a standing item, and a crg_member reading only
the cases on agendas of meetings they belong to (lists, details and sub-resources alike)."""

from __future__ import annotations

import datetime as dt

from tests.ecr.conftest import make_case

WHEN = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()


def _meeting(client, bu, member_ids: list[int], case_ids: list[int]) -> dict:
    r = client.post("/api/v1/meetings", json={"kind": "crg", "scheduled_for": WHEN,
                                               "member_ids": member_ids}, headers=bu.headers)
    assert r.status_code == 201, r.text
    meeting = r.json()
    for cid in case_ids:
        r = client.post(f"/api/v1/meetings/{meeting['id']}/agenda", json={"case_id": cid},
                        headers=bu.headers)
        assert r.status_code == 201, r.text
    return r.json() if case_ids else meeting


def test_crg_member_reads_only_agenda_cases(client, db, users, fast_user) -> None:
    bu = users["business_unit"]
    member, outsider = users["crg_member"], fast_user("crg_member")
    on_agenda = make_case(db, "awaiting_decision")
    elsewhere = make_case(db, "awaiting_decision")
    other_meeting_case = make_case(db, "screening")
    meeting = _meeting(client, bu, [member.id], [on_agenda.id])
    _meeting(client, bu, [outsider.id], [other_meeting_case.id])

    listed = client.get("/api/v1/case-reviews", headers=member.headers).json()["items"]
    assert [c["id"] for c in listed] == [on_agenda.id]
    assert client.get(f"/api/v1/case-reviews/{on_agenda.id}", headers=member.headers).status_code == 200
    for path in ("", "/history", "/transitions", "/recommendations", "/agency-reports"):
        r = client.get(f"/api/v1/case-reviews/{elsewhere.id}{path}", headers=member.headers)
        assert r.status_code == 404, (path, r.text)
        assert client.get(f"/api/v1/case-reviews/{other_meeting_case.id}{path}",
                          headers=member.headers).status_code == 404
        assert client.get(f"/api/v1/case-reviews/{on_agenda.id}{path}",
                          headers=member.headers).status_code == 200
    # the member can read but not act
    assert client.get(f"/api/v1/case-reviews/{on_agenda.id}/transitions",
                      headers=member.headers).json() == []
    r = client.post(f"/api/v1/case-reviews/{on_agenda.id}/transitions",
                    json={"action": "recommend_scr", "rationale": "I think it meets criteria."},
                    headers={**member.headers, "If-Match": "*"})
    assert r.status_code == 403
    # filters cannot widen what is readable
    r = client.get("/api/v1/case-reviews", params={"meeting_id": meeting["id"]}, headers=outsider.headers)
    assert r.json()["items"] == []
    r = client.get("/api/v1/case-reviews", params={"q": elsewhere.reference}, headers=member.headers)
    assert r.json()["items"] == []
    # a member of no meeting sees nothing; staff see everything
    nobody = fast_user("crg_member")
    assert client.get("/api/v1/case-reviews", headers=nobody.headers).json()["items"] == []
    all_ids = {c["id"] for c in client.get("/api/v1/case-reviews", headers=bu.headers).json()["items"]}
    assert {on_agenda.id, elsewhere.id, other_meeting_case.id} <= all_ids
    by_meeting = client.get("/api/v1/case-reviews", params={"meeting_id": meeting["id"]},
                            headers=bu.headers).json()["items"]
    assert [c["id"] for c in by_meeting] == [on_agenda.id]


def test_agenda_lines_and_tracker(client, db, users) -> None:
    bu, chair = users["business_unit"], users["crg_chair"]
    open_case = make_case(db, "awaiting_decision", received_on=dt.date.today() - dt.timedelta(days=40))
    reviewing = make_case(db, "review_in_progress", decision="learning_event")
    closed = make_case(db, "closed", decision="nfa")
    withdrawn = make_case(db, "withdrawn")
    meeting = _meeting(client, bu, [], [open_case.id])
    line = meeting["agenda"][0]["case"]
    assert line["reference"] == open_case.reference and line["status"] == "awaiting_decision"
    assert "Testchild" not in str(line)  # agenda lines carry no identifying detail
    r = client.get(f"/api/v1/meetings/{meeting['id']}", headers=chair.headers)
    assert r.status_code == 200
    tracker = {t["id"]: t for t in r.json()["standing_items"]}
    assert open_case.id in tracker and reviewing.id in tracker
    assert closed.id not in tracker and withdrawn.id not in tracker
    assert tracker[open_case.id]["stage"] == "under_consideration"
    assert tracker[open_case.id]["overdue"] is True
    assert {d["kind"] for d in tracker[open_case.id]["deadlines"]} == {"screening", "decision"}
    assert tracker[reviewing.id]["decision"] == "learning_event"
    # closed cases cannot be put on an agenda; unknown cases are refused
    r = client.post(f"/api/v1/meetings/{meeting['id']}/agenda", json={"case_id": closed.id},
                    headers=bu.headers)
    assert r.status_code == 409
    r = client.post(f"/api/v1/meetings/{meeting['id']}/agenda", json={"case_id": 999999},
                    headers=bu.headers)
    assert r.status_code == 422


def test_a_member_without_a_case_review_role_sees_no_agenda_lines_or_minutes(client, db, users,
                                                                             fast_user) -> None:
    """DOMAIN.md Roles: a crg_member sees the cases on agendas of CRG meetings they belong to;
    a member who holds no case review role (here a cdop_panel_member) sees neither the agenda
    lines nor the minutes."""
    bu = users["business_unit"]
    crg_member, panel_member = fast_user("crg_member"), fast_user("cdop_panel_member")
    case = make_case(db, "awaiting_decision")
    meeting = _meeting(client, bu, [crg_member.id, panel_member.id], [case.id])
    r = client.put(f"/api/v1/meetings/{meeting['id']}/minutes",
                   json={"minutes": "Synthetic minutes about the case."},
                   headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 200, r.text
    seen = client.get(f"/api/v1/meetings/{meeting['id']}", headers=crg_member.headers).json()
    assert seen["agenda"][0]["case"]["reference"] == case.reference
    assert seen["minutes"] == "Synthetic minutes about the case."
    r = client.get(f"/api/v1/meetings/{meeting['id']}", headers=panel_member.headers)
    if r.status_code == 200:
        out = r.json()
        assert all(line["case"] is None for line in out["agenda"])
        assert out["minutes"] is None
        assert case.reference not in r.text
    else:
        assert r.status_code in (403, 404)
    assert client.get(f"/api/v1/case-reviews/{case.id}", headers=panel_member.headers).status_code in (403, 404)
