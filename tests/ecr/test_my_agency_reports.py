"""An agency author's list of the case review agency reports assigned to them (issue 18, "My
forms": the reporting forms AND the agency reports assigned to them): only their own, with the
case's reference and nothing else of the case, still awaited unless asked for all, paged."""

from __future__ import annotations

import datetime as dt

from tests.ecr.conftest import make_case

DUE = (dt.date.today() + dt.timedelta(days=20)).isoformat()
MINE = "/api/v1/agency-reports/mine"
PAYLOAD = {"answers": {"chronology": "C.", "analysis": "A.", "learning": "L."}, "not_known": ["recommendations"]}


def _request(client, bu, case_id, author_id, agency="Example Police"):
    r = client.post(f"/api/v1/case-reviews/{case_id}/agency-reports",
                    json={"agency": agency, "due_on": DUE, "assignee_user_id": author_id}, headers=bu.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_an_author_lists_only_their_own_reports(client, db, users, fast_user) -> None:
    bu = users["business_unit"]
    author, other = fast_user("agency_author"), fast_user("agency_author")
    first, second = make_case(db, "review_in_progress", decision="management_review"), \
        make_case(db, "review_in_progress", decision="learning_event")
    a = _request(client, bu, first.id, author.id)
    b = _request(client, bu, second.id, author.id, agency="Example School")
    _request(client, bu, first.id, other.id, agency="Example Health")

    r = client.get(MINE, headers=author.headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(i["id"], i["case_id"], i["case_reference"], i["status"]) for i in items] == [
        (a["id"], first.id, first.reference, "requested"), (b["id"], second.id, second.reference, "requested")]
    assert "Testchild" not in r.text  # the reference only, never the child
    assert [i["agency"] for i in client.get(MINE, headers=other.headers).json()["items"]] == ["Example Health"]
    assert client.get(MINE, headers=bu.headers).json()["items"] == []  # none assigned to the business unit

    # paged by keyset
    page = client.get(MINE, params={"limit": 1}, headers=author.headers).json()
    assert [i["id"] for i in page["items"]] == [a["id"]] and page["next_cursor"]
    rest = client.get(MINE, params={"limit": 1, "cursor": page["next_cursor"]}, headers=author.headers).json()
    assert [i["id"] for i in rest["items"]] == [b["id"]] and rest["next_cursor"] is None

    # submitted: gone from the awaited list, still in the whole list
    url = f"/api/v1/case-reviews/{first.id}/agency-reports/{a['id']}/submit"
    assert client.post(url, json=PAYLOAD, headers=author.headers).status_code == 200
    assert [i["id"] for i in client.get(MINE, headers=author.headers).json()["items"]] == [b["id"]]
    every = client.get(MINE, params={"open_only": "false"}, headers=author.headers).json()["items"]
    assert [(i["id"], i["status"]) for i in every] == [(a["id"], "submitted"), (b["id"], "requested")]


def test_who_may_ask_and_bad_input(client, users, fast_user) -> None:
    assert client.get(MINE, headers=users["crg_member"].headers).status_code == 403
    assert client.get(MINE).status_code == 401
    author = fast_user("agency_author")
    for bad in ({"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor!"}):
        r = client.get(MINE, params=bad, headers=author.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"][0] == "query", bad


def test_an_author_saves_a_draft_then_submits_once(client, db, users, fast_user) -> None:
    bu = users["business_unit"]
    author, other = fast_user("agency_author"), fast_user("agency_author")
    case = make_case(db, "review_in_progress", decision="management_review")
    report = _request(client, bu, case.id, author.id)
    draft = f"/api/v1/agency-reports/mine/{report['id']}/draft"
    r = client.put(draft, json={"answers": {"chronology": "Seen in March."}, "not_known": ["learning"]},
                   headers=author.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "requested" and r.json()["answers"] == {"chronology": "Seen in March."}
    got = client.get(f"/api/v1/case-reviews/{case.id}/agency-reports/{report['id']}", headers=author.headers).json()
    assert got["answers"] == {"chronology": "Seen in March."} and got["not_known"] == ["learning"]
    # replaced by the next draft; someone else's, or a bad one, changes nothing
    r = client.put(draft, json={"answers": {"analysis": "A."}, "not_known": []}, headers=author.headers)
    assert r.json()["answers"] == {"analysis": "A."} and r.json()["not_known"] == []
    assert client.put(draft, json={"answers": {}}, headers=other.headers).status_code == 404
    r = client.put(draft, json={"answers": {"analysis": "A."}, "not_known": ["analysis"]}, headers=author.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "not_known"]
    r = client.put(draft, json={"answers": {"nonsense": "x"}}, headers=author.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][:2] == ["body", "answers"]
    assert client.get(f"/api/v1/case-reviews/{case.id}/agency-reports/{report['id']}",
                      headers=author.headers).json()["answers"] == {"analysis": "A."}
    # submitted once; no draft after that
    url = f"/api/v1/case-reviews/{case.id}/agency-reports/{report['id']}/submit"
    assert client.post(url, json=PAYLOAD, headers=author.headers).status_code == 200
    assert client.put(draft, json={"answers": {}}, headers=author.headers).status_code == 409
