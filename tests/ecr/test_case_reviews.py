"""Staff entry, detail, PATCH with If-Match, lists with filters and keyset pagination,
audit of reads, thematic links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from core.audit.models import AuditEvent
from ecr.models import CaseReview
from tests.ecr.conftest import body, make_case

TODAY = dt.date.today()


def _case(api, user, **overrides):
    r = api.create_staff(user, **overrides)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.usefixtures("wt2015_default")
# ---- staff entry ----------------------------------------------------------------------------

def test_staff_entry_with_received_on(client, api, users) -> None:
    bu = users["business_unit"]
    received = (TODAY - dt.timedelta(days=40)).isoformat()
    r = api.create_staff(bu, received_on=received, incident__date="2025-01-05")
    assert r.status_code == 201, r.text
    assert r.headers["ETag"] == '"1"'
    out = r.json()
    assert out["received_on"] == received
    assert out["source"] == "staff"
    assert out["status"] == "received" and out["decision"] is None
    # deadlines count from the date received, so this one is already overdue
    assert out["overdue"] is True
    assert {d["kind"] for d in out["deadlines"]} == {"screening", "decision"}
    # the staff entry carries no status token
    assert "status_token" not in out


@pytest.mark.parametrize(("received_on", "loc"), [
    ((TODAY + dt.timedelta(days=1)).isoformat(), ["body", "received_on"]),
    ("2026-13-01", ["body", "received_on"]),
    ("2025-01-01", ["body", "received_on"]),  # before the incident (2026-01-10)
])
def test_staff_entry_received_on_must_be_real_past_date(api, users, received_on, loc) -> None:
    r = api.create_staff(users["business_unit"], received_on=received_on)
    assert r.status_code == 422
    assert loc in [e["loc"] for e in r.json()["errors"]]


def test_only_business_unit_enters_notifications(api, users) -> None:
    for role in ("crg_chair", "independent_chair", "crg_member", "admin", "agency_author"):
        assert api.create_staff(users[role]).status_code == 403


# ---- detail, ETag, PATCH ----------------------------------------------------------------------

def test_detail_has_etag_and_the_decision_fields(client, api, users) -> None:
    case = _case(api, users["business_unit"])
    r = client.get(f"/api/v1/case-reviews/{case['id']}", headers=users["crg_chair"].headers)
    assert r.status_code == 200
    assert r.headers["ETag"] == f'"{r.json()["version"]}"'
    out = r.json()
    for key in ("status", "decision", "review_type", "deadlines", "scr_recommendation",
                "scr_decision", "linked_cases", "child_death"):
        assert key in out
    assert out["child"]["first_name"] == "Testchild"
    assert client.get("/api/v1/case-reviews/999999", headers=users["business_unit"].headers).status_code == 404
    for bad in ("0", "-1", "99999999999999999999", "abc"):
        r = client.get(f"/api/v1/case-reviews/{bad}", headers=users["business_unit"].headers)
        assert r.status_code == 422, bad  # never a 500


def test_patch_needs_if_match_428_and_stale_412(client, api, users) -> None:
    bu = users["business_unit"]
    case = _case(api, bu)
    url = f"/api/v1/case-reviews/{case['id']}"
    r = client.patch(url, json={"lead_reviewer_name": "Testreviewer Echo"}, headers=bu.headers)
    assert r.status_code == 428
    assert r.json()["code"] == "precondition_required"
    etag = client.get(url, headers=bu.headers).headers["ETag"]
    r = client.patch(url, json={"lead_reviewer_name": "Testreviewer Echo"},
                     headers={**bu.headers, "If-Match": etag})
    assert r.status_code == 200, r.text
    new_etag = r.headers["ETag"]
    assert new_etag != etag
    assert r.json()["review"]["lead_reviewer_name"] == "Testreviewer Echo"
    # the old ETag is stale now
    r = client.patch(url, json={"review_chair_name": "Testchair Foxtrot"},
                     headers={**bu.headers, "If-Match": etag})
    assert r.status_code == 412
    assert r.json()["code"] == "precondition_failed"
    # transitions need it too
    r = client.post(f"{url}/transitions", json={"action": "start_screening"}, headers=bu.headers)
    assert r.status_code == 428
    r = client.post(f"{url}/transitions", json={"action": "start_screening"},
                    headers={**bu.headers, "If-Match": etag})
    assert r.status_code == 412
    r = client.post(f"{url}/transitions", json={"action": "start_screening"},
                    headers={**bu.headers, "If-Match": new_etag})
    assert r.status_code == 200
    assert r.headers["ETag"] != new_etag
    assert r.headers["ETag"] == client.get(url, headers=bu.headers).headers["ETag"]  # the stored version


def test_patch_never_changes_status_and_is_business_unit_only(client, api, users) -> None:
    bu = users["business_unit"]
    case = _case(api, bu)
    url = f"/api/v1/case-reviews/{case['id']}"
    for field, value in (("status", "closed"), ("decision", "scr"), ("reference", "CR-1-1")):
        r = client.patch(url, json={field: value}, headers={**bu.headers, "If-Match": "*"})
        assert r.status_code == 422
        assert ["body", field] in [e["loc"] for e in r.json()["errors"]]
    for role in ("crg_chair", "independent_chair", "crg_member"):
        r = client.patch(url, json={"lead_reviewer_name": "X Y"},
                         headers={**users[role].headers, "If-Match": "*"})
        assert r.status_code == 403
    r = client.patch(url, json={}, headers={**bu.headers, "If-Match": "*"})
    assert r.status_code == 422
    assert client.get(url, headers=bu.headers).json()["status"] == "received"


def test_patch_fields_and_their_rules(client, api, users, db) -> None:
    bu = users["business_unit"]
    h = {**bu.headers, "If-Match": "*"}
    case = _case(api, bu)
    url = f"/api/v1/case-reviews/{case['id']}"
    r = client.patch(url, json={"child": {"first_name": "Testchild", "last_name": "Golf",
                                          "local_authority": "Exampletown"},
                                "terms_of_reference": "Examine joint working in 2025.",
                                "terms_of_reference_agreed_on": TODAY.isoformat()}, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["child"]["last_name"] == "Golf" and out["child"]["local_authority"] == "Exampletown"
    assert out["review"]["terms_of_reference"] == "Examine joint working in 2025."
    # required fields cannot be emptied
    r = client.patch(url, json={"child": {"last_name": None}}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "child", "last_name"]
    # the review type follows the decision
    r = client.patch(url, json={"review_type": "learning_event"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "review_type"]
    decided = make_case(db, "review_in_progress", decision="management_review")
    r = client.patch(f"/api/v1/case-reviews/{decided.id}", json={"review_type": "learning_event"},
                     headers=h)
    assert r.status_code == 200
    assert r.json()["review_type"] == "learning_event" and r.json()["decision"] == "management_review"
    # dates in the future where they record the past
    r = client.patch(url, json={"terms_of_reference_agreed_on": (TODAY + dt.timedelta(days=1)).isoformat()},
                     headers=h)
    assert r.status_code == 422


def test_planned_publication_opens_the_pre_publication_deadline(client, db, users) -> None:
    bu = users["business_unit"]
    h = {**bu.headers, "If-Match": "*"}
    case = make_case(db, "review_in_progress", decision="scr")
    url = f"/api/v1/case-reviews/{case.id}"
    planned = TODAY + dt.timedelta(days=40)
    r = client.patch(url, json={"planned_publication_on": planned.isoformat()}, headers=h)
    assert r.status_code == 200
    deadlines = {d["kind"]: d for d in r.json()["deadlines"]}
    assert deadlines["pre_publication"]["due_on"] == (planned - dt.timedelta(days=7)).isoformat()
    r = client.patch(url, json={"report_sent_to_national_panel_on": TODAY.isoformat()}, headers=h)
    assert "pre_publication" not in {d["kind"] for d in r.json()["deadlines"]}
    r = client.patch(url, json={"planned_publication_on": "2020-01-01"}, headers=h)
    assert r.status_code == 422


def test_national_panel_notice_met_by_patch(client, db, users) -> None:
    case = make_case(db, "scr_recommended")
    ic = users["independent_chair"]
    r = client.post(f"/api/v1/case-reviews/{case.id}/transitions",
                    json={"action": "decline_scr", "rationale": "The criteria are not met here."},
                    headers={**ic.headers, "If-Match": "*"})
    assert r.status_code == 200
    assert "national_panel_notice" in {d["kind"] for d in r.json()["deadlines"]}
    r = client.patch(f"/api/v1/case-reviews/{case.id}",
                     json={"national_panel_notified_on": TODAY.isoformat()},
                     headers={**users["business_unit"].headers, "If-Match": "*"})
    assert r.status_code == 200
    assert r.json()["national_panel_notified_on"] == TODAY.isoformat()
    assert "national_panel_notice" not in {d["kind"] for d in r.json()["deadlines"]}


# ---- lists ----------------------------------------------------------------------------------

def test_list_filters(client, api, users, db) -> None:
    bu = users["business_unit"]
    a = _case(api, bu, child__first_name="Testchild", child__last_name="Hotel",
              received_on="2026-02-01", incident__date="2026-01-01")
    b = _case(api, bu, child__first_name="Testchild", child__last_name="India",
              received_on="2026-03-01", incident__date="2026-01-01")
    c = make_case(db, "review_in_progress", decision="scr", received_on=TODAY)
    d = make_case(db, "closed", decision="nfa", received_on=TODAY)

    def ids(**params) -> list[int]:
        r = client.get("/api/v1/case-reviews", params=params, headers=bu.headers)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert ids(q="hotel") == [a["id"]]
    assert ids(q="testchild india") == [b["id"]]
    assert ids(q=a["reference"]) == [a["id"]]
    assert ids(q="%") == []  # wildcards are literal
    assert set(ids(status=["closed", "review_in_progress"])) == {c.id, d.id}
    assert ids(decision="scr") == [c.id]
    assert {a["id"], b["id"]} <= set(ids(decision="pending"))
    assert ids(received_from="2026-02-01", received_to="2026-02-28") == [a["id"]]
    overdue = set(ids(overdue="true"))
    assert {a["id"], b["id"]} <= overdue and c.id not in overdue and d.id not in overdue
    assert client.get("/api/v1/case-reviews", params={"status": "nonsense"},
                      headers=bu.headers).status_code == 422
    assert client.get("/api/v1/case-reviews", params={"received_from": "2026-03-01",
                                                     "received_to": "2026-02-01"},
                      headers=bu.headers).status_code == 422
    assert client.get("/api/v1/case-reviews", params={"limit": 201},
                      headers=bu.headers).status_code == 422
    assert client.get("/api/v1/case-reviews", params={"cursor": "garbage!"},
                      headers=bu.headers).status_code == 422


def test_keyset_pagination_is_stable_under_inserts(client, db, users) -> None:
    bu = users["business_unit"]
    for i in range(7):
        make_case(db, "received", received_on=TODAY - dt.timedelta(days=i % 3))
    seen: list[int] = []
    r = client.get("/api/v1/case-reviews", params={"limit": 3}, headers=bu.headers).json()
    seen += [c["id"] for c in r["items"]]
    make_case(db, "received", received_on=TODAY)  # a newer case arrives meanwhile
    while r["next_cursor"]:
        r = client.get("/api/v1/case-reviews", params={"limit": 3, "cursor": r["next_cursor"]},
                       headers=bu.headers).json()
        seen += [c["id"] for c in r["items"]]
    assert len(seen) == len(set(seen)) == 7
    keys = [(c.received_on, c.id) for c in db.execute(
        select(CaseReview).where(CaseReview.id.in_(seen))).scalars()]
    assert sorted(keys, reverse=True) == [k for k in sorted(keys, reverse=True)]
    rows = {c.id: (c.received_on, c.id) for c in db.execute(select(CaseReview)).scalars()}
    assert [rows[i] for i in seen] == sorted((rows[i] for i in seen), reverse=True)


def test_list_uses_a_constant_number_of_statements(client, db, users, engine) -> None:
    bu = users["business_unit"]
    from ecr.models import ThematicReview

    thematic = ThematicReview(created_by="test")
    db.add(thematic)
    db.flush()
    for _ in range(12):
        make_case(db, "received").thematic_review_id = thematic.id
    db.commit()
    counts = []

    def count(*_args) -> None:
        counts[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for limit in (2, 12):
            counts.append(0)
            r = client.get("/api/v1/case-reviews", params={"limit": limit}, headers=bu.headers)
            assert r.status_code == 200 and len(r.json()["items"]) == limit
            assert all(len(i["linked_cases"]) == 11 for i in r.json()["items"])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1], counts


def test_reads_are_audited(client, api, users, db) -> None:
    bu = users["business_unit"]
    case = _case(api, bu)
    client.get(f"/api/v1/case-reviews/{case['id']}", headers=bu.headers)
    client.get("/api/v1/case-reviews", headers=bu.headers)
    client.get(f"/api/v1/case-reviews/{case['id']}/history", headers=bu.headers)
    actions = {e.action: e for e in db.execute(
        select(AuditEvent).where(AuditEvent.actor == f"user:{bu.id}")).scalars()}
    assert actions["case_review.read"].subject_id == str(case["id"])
    assert case["id"] in actions["case_review.list"].data["ids"]
    assert "case_review.history" in actions
    assert "case_review.create" in actions
    for e in actions.values():  # identifiers only, no case content
        assert "Testchild" not in str(e.data) and "Alpha" not in str(e.data)


# ---- thematic reviews -----------------------------------------------------------------------

def test_thematic_links_show_each_others_references(client, api, users) -> None:
    bu = users["business_unit"]
    a, b, c = (_case(api, bu) for _ in range(3))
    r = client.post(f"/api/v1/case-reviews/{a['id']}/links", json={"case_id": b["id"]}, headers=bu.headers)
    assert r.status_code == 200, r.text
    assert [x["reference"] for x in r.json()["linked_cases"]] == [b["reference"]]
    r = client.post(f"/api/v1/case-reviews/{c['id']}/links", json={"case_id": b["id"]}, headers=bu.headers)
    assert {x["reference"] for x in r.json()["linked_cases"]} == {a["reference"], b["reference"]}
    got = client.get(f"/api/v1/case-reviews/{a['id']}", headers=bu.headers).json()
    assert {x["reference"] for x in got["linked_cases"]} == {b["reference"], c["reference"]}
    listed = {i["id"]: i for i in client.get("/api/v1/case-reviews", headers=bu.headers).json()["items"]}
    assert {x["id"] for x in listed[b["id"]]["linked_cases"]} == {a["id"], c["id"]}
    # errors
    assert client.post(f"/api/v1/case-reviews/{a['id']}/links", json={"case_id": a["id"]},
                       headers=bu.headers).status_code == 422
    assert client.post(f"/api/v1/case-reviews/{a['id']}/links", json={"case_id": 999999},
                       headers=bu.headers).status_code == 422
    assert client.post(f"/api/v1/case-reviews/{a['id']}/links", json={"case_id": c["id"]},
                       headers=bu.headers).status_code == 409
    assert client.post(f"/api/v1/case-reviews/{a['id']}/links", json={"case_id": b["id"]},
                       headers=users["crg_chair"].headers).status_code == 403
    # unlink
    r = client.delete(f"/api/v1/case-reviews/{a['id']}/links/{c['id']}", headers=bu.headers)
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["linked_cases"]] == [b["id"]]
    r = client.delete(f"/api/v1/case-reviews/{a['id']}/links/{b['id']}", headers=bu.headers)
    assert r.json()["linked_cases"] == [] and r.json()["thematic_review_id"] is None


def test_body_helper_is_valid() -> None:
    from ecr.schemas import PublicNotificationIn

    PublicNotificationIn.model_validate(body())
