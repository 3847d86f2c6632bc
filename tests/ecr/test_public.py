"""Public intake, the notifier's status lookup, idempotency and field-level validation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from core.outbox.models import OutboxMessage
from ecr.models import CaseReview
from tests.ecr.conftest import DROP, body

URL = "/api/v1/public/case-review-notifications"


@pytest.mark.usefixtures("wt2015_default")
def test_public_post_creates_a_received_notification(client, api, db, users) -> None:
    r = api.create_public()
    assert r.status_code == 201, r.text
    out = r.json()
    assert set(out) == {"reference", "status", "status_token"}
    assert out["status"] == "received"
    year = dt.date.today().year
    assert re.fullmatch(rf"CR-{year}-\d{{4}}", out["reference"])
    case = db.execute(select(CaseReview).where(CaseReview.reference == out["reference"])).scalar_one()
    assert case.status == "received" and case.source == "public"
    # only the hash of the token is stored
    assert case.status_token_hash and out["status_token"] not in case.status_token_hash
    # the receipt email carries the reference and no case detail
    mails = db.execute(select(OutboxMessage).where(OutboxMessage.topic == f"case_review:{case.id}")).scalars().all()
    assert len(mails) == 1
    assert mails[0].to_addr == "notifier@example.org"
    assert out["reference"] in mails[0].body
    for secret in ("Testchild", "Alpha", "Synthetic", "Police", out["status_token"]):
        assert secret not in mails[0].body and secret not in mails[0].subject
    # staff see it with its deadlines
    detail = api.get_case(case.id, users["business_unit"]).json()
    assert {d["kind"] for d in detail["deadlines"]} == {"screening", "decision"}


def test_references_are_sequential_and_unique(api) -> None:
    refs = [api.create_public().json()["reference"] for _ in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert numbers[1] == numbers[0] + 1


def test_status_lookup_with_token(client, api, users) -> None:
    out = api.create_public().json()
    url = f"{URL}/{out['reference']}/status"
    r = client.get(url, headers={"X-Status-Token": out["status_token"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"reference": out["reference"], "stage": "received", "decision": None,
                        "decision_label": None}


@pytest.mark.parametrize("headers", [{}, {"X-Status-Token": "wrong"}, {"X-Status-Token": ""},
                                     {"X-Status-Token": "x" * 400}, {"X-Status-Token": "y" * 5000}])
def test_status_lookup_with_wrong_or_missing_token_is_404(client, api, headers) -> None:
    out = api.create_public().json()
    r = client.get(f"{URL}/{out['reference']}/status", headers=headers)
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_status_lookup_token_of_another_notification_is_404(client, api) -> None:
    a = api.create_public().json()
    b = api.create_public().json()
    r = client.get(f"{URL}/{a['reference']}/status", headers={"X-Status-Token": b["status_token"]})
    assert r.status_code == 404
    r = client.get(f"{URL}/CR-1999-0001/status", headers={"X-Status-Token": a["status_token"]})
    assert r.status_code == 404
    r = client.get(f"{URL}/nonsense/status", headers={"X-Status-Token": a["status_token"]})
    assert r.status_code == 404


def test_status_lookup_stages_and_decision(client, api, users, db) -> None:
    out = api.create_public().json()
    case_id = db.execute(select(CaseReview.id).where(CaseReview.reference == out["reference"])).scalar_one()
    bu, chair = users["business_unit"], users["crg_chair"]

    def stage() -> dict:
        return client.get(f"{URL}/{out['reference']}/status",
                          headers={"X-Status-Token": out["status_token"]}).json()

    assert api.act(case_id, bu, "start_screening").status_code == 200
    assert stage() == {"reference": out["reference"], "stage": "under_consideration",
                       "decision": None, "decision_label": None}
    assert api.act(case_id, bu, "refer_to_group").status_code == 200
    r = api.act(case_id, chair, "commission_learning_event",
                rationale="Practitioners will learn most from an event together.")
    assert r.status_code == 200, r.text
    s = stage()
    assert s["stage"] == "decision_made" and s["decision"] == "learning_event"
    assert set(s) == {"reference", "stage", "decision", "decision_label"}


def test_idempotent_replay_of_public_post(client, db) -> None:
    headers = {"Idempotency-Key": "form-submission-1"}
    first = client.post(URL, json=body(), headers=headers)
    assert first.status_code == 201
    count = db.scalar(select(func.count()).select_from(CaseReview))
    again = client.post(URL, json=body(), headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert db.scalar(select(func.count()).select_from(CaseReview)) == count
    # same key, different body: 422 naming the header
    other = client.post(URL, json=body(rationale="A different reason for a review of this case."),
                        headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert db.scalar(select(func.count()).select_from(CaseReview)) == count


FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"rationale": "   "}, ["body", "rationale"]),
        ({"rationale": "concerns"}, ["body", "rationale"]),
        ({"rationale": "bad bad"}, ["body", "rationale"]),
        ({"rationale": DROP}, ["body", "rationale"]),
        ({"rationale": "word " * 3000}, ["body", "rationale"]),
        ({"notifier__email": "not-an-email"}, ["body", "notifier", "email"]),
        ({"notifier__name": ""}, ["body", "notifier", "name"]),
        ({"notifier__name": "x" * 201}, ["body", "notifier", "name"]),
        ({"notifier__phone": "call me"}, ["body", "notifier", "phone"]),
        ({"notifier__agency": DROP}, ["body", "notifier", "agency"]),
        ({"child__first_name": "a" * 101}, ["body", "child", "first_name"]),
        ({"child__last_name": "Line\nbreak"}, ["body", "child", "last_name"]),
        ({"child__date_of_birth": FUTURE}, ["body", "child", "date_of_birth"]),
        ({"child__date_of_birth": "2026-02-30"}, ["body", "child", "date_of_birth"]),
        ({"child__date_of_birth": "04/03/2015"}, ["body", "child", "date_of_birth"]),
        ({"child__date_of_birth": 1700000000}, ["body", "child", "date_of_birth"]),
        ({"child__date_of_birth": "2026-01-11"}, ["body", "child", "date_of_birth"]),
        ({"child__sex": "banana"}, ["body", "child", "sex"]),
        ({"child__address": "a" * 501}, ["body", "child", "address"]),
        ({"incident__date": FUTURE}, ["body", "incident", "date"]),
        ({"incident__date": "1850-01-01"}, ["body", "incident", "date"]),
        ({"incident__type": "accident"}, ["body", "incident", "type"]),
        ({"incident__description": " "}, ["body", "incident", "description"]),
        ({"incident__description": "x" * 10001}, ["body", "incident", "description"]),
        ({"abuse_or_neglect_suspected": "yes"}, ["body", "abuse_or_neglect_suspected"]),
        ({"abuse_or_neglect_suspected": DROP}, ["body", "abuse_or_neglect_suspected"]),
        ({"agencies_involved": ["Police"] * 31}, ["body", "agencies_involved"]),
        ({"agencies_involved": ["x" * 201]}, ["body", "agencies_involved", 0]),
        ({"agencies_involved": "Police"}, ["body", "agencies_involved"]),
        ({"surprise": "extra"}, ["body", "surprise"]),
        ({"child__nickname": "extra"}, ["body", "child", "nickname"]),
        ({"notifier": DROP}, ["body", "notifier"]),
    ],
)
def test_validation_422_names_the_field(client, overrides, loc) -> None:
    r = client.post(URL, json=body(**overrides))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "validation_error"
    assert r.headers["content-type"].startswith("application/problem+json")
    locs = [e["loc"] for e in problem["errors"]]
    assert loc in locs, locs


def test_not_json_is_422_not_500(client) -> None:
    r = client.post(URL, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    r = client.post(URL, json=["a", "list"])
    assert r.status_code == 422


def test_public_post_needs_no_login_and_staff_list_does(client, api) -> None:
    assert api.create_public().status_code == 201
    assert client.get("/api/v1/case-reviews").status_code == 401
