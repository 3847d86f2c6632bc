"""Notification: public and staff, validation, references, duplicates, receipts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.outbox.models import OutboxMessage
from tests.cdop.helpers import API, VALID_NHS_2, notification

PUBLIC = f"{API}/public/child-death-notifications"


def test_public_notification_gives_reference_and_emails_receipt(client, db, coordinator) -> None:
    r = client.post(PUBLIC, json=notification())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "notified"
    assert body["reference"].startswith("CD-2026-")
    assert set(body) == {"reference", "status"}
    mails = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "nora.notifier@example.org")).scalars().all()
    assert len(mails) == 1
    assert body["reference"] in mails[0].body
    for identifier in ("Testchild", "Bravo", "9434765919", "943 476 5919", "Testing Lane"):
        assert identifier not in mails[0].body and identifier not in mails[0].subject

    listed = client.get(f"{API}/child-deaths", headers=coordinator.headers).json()["items"]
    case = next(i for i in listed if i["reference"] == body["reference"])
    detail = client.get(f"{API}/child-deaths/{case['id']}", headers=coordinator.headers)
    assert detail.status_code == 200
    assert detail.headers["etag"]
    d = detail.json()
    assert d["child"]["nhs_number"] == "9434765919"
    assert d["child"]["nhs_number_status"] == "provided"
    assert d["death"]["place"] == "hospital"
    assert d["source"] == "public"
    history = client.get(f"{API}/child-deaths/{case['id']}/history", headers=coordinator.headers).json()
    assert history[0]["action"] == "notify" and history[0]["to"] == "notified"


def test_references_are_sequential_per_year(client) -> None:
    refs = [client.post(PUBLIC, json=notification(child={"last_name": f"Seq{i}", "nhs_number": None})).json()["reference"]
            for i in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert len(set(refs)) == 3


def test_idempotent_replay(client) -> None:
    headers = {"Idempotency-Key": "notify-abc-1"}
    first = client.post(PUBLIC, json=notification(), headers=headers)
    again = client.post(PUBLIC, json=notification(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = client.post(PUBLIC, json=notification(child={"first_name": "Other"}), headers=headers)
    assert other.status_code == 422


def test_staff_notification(client, coordinator, chair) -> None:
    body = notification(received_on="2026-06-02", case_summary="Summary written by the coordinator.")
    r = client.post(f"{API}/child-deaths", json=body, headers=coordinator.headers)
    assert r.status_code == 201, r.text
    assert r.headers["etag"] and r.headers["location"].endswith(f"/child-deaths/{r.json()['id']}")
    assert r.json()["received_at"].startswith("2026-06-02")
    assert r.json()["source"] == "staff"
    assert client.post(f"{API}/child-deaths", json=body, headers=chair.headers).status_code == 403
    assert client.post(f"{API}/child-deaths", json=body).status_code == 401


def _errors(r) -> list[tuple[str, ...]]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "validation_error"
    return [tuple(str(p) for p in e["loc"]) for e in r.json()["errors"]]


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"child": {"date_of_birth": "2004-01-01"}}, ("body", "child", "date_of_birth")),  # 18 at death
        ({"death": {"date": "2020-01-01"}}, ("body", "death", "date")),  # before birth
        ({"death": {"date": "2099-01-01"}}, ("body", "death", "date")),  # future
        ({"child": {"nhs_number": "943 476 5918"}}, ("body", "child", "nhs_number")),  # bad check digit
        ({"child": {"nhs_number": "12345"}}, ("body", "child", "nhs_number")),
        ({"child": {"nhs_number": "94347659191"}}, ("body", "child", "nhs_number")),
        ({"child": {"nhs_number": "abcdefghij"}}, ("body", "child", "nhs_number")),
        ({"death": {"place": None}}, ("body", "death", "place")),
        ({"death": {"place": "moon"}}, ("body", "death", "place")),
        ({"death": {"expected": None}}, ("body", "death", "expected")),
        ({"death": {"time": "25:00"}}, ("body", "death", "time")),
        ({"child": {"first_name": "x" * 101}}, ("body", "child", "first_name")),
        ({"child": {"address": "x" * 501}}, ("body", "child", "address")),
        ({"notifier": {"email": "not-an-email"}}, ("body", "notifier", "email")),
        ({"agencies": [{"name": f"A{i}"} for i in range(31)]}, ("body", "agencies")),
        ({"surprise": 1}, ("body", "surprise")),
        ({"child": {"surprise": 1}}, ("body", "child", "surprise")),
    ],
)
def test_field_level_validation(client, overrides, loc) -> None:
    body = notification(**overrides)
    if overrides.get("death", {}).get("place", "") is None:
        del body["death"]["place"]
    if "expected" in overrides.get("death", {}) and overrides["death"]["expected"] is None:
        del body["death"]["expected"]
    locs = _errors(client.post(PUBLIC, json=body))
    assert any(found[: len(loc)] == loc for found in locs), locs


def test_age_exactly_under_eighteen_is_accepted(client) -> None:
    body = notification(child={"date_of_birth": "2008-06-02", "nhs_number": None}, death={"date": "2026-06-01"})
    assert client.post(PUBLIC, json=body).status_code == 201
    body = notification(child={"date_of_birth": "2008-06-01", "nhs_number": None}, death={"date": "2026-06-01"})
    assert _errors(client.post(PUBLIC, json=body)) == [("body", "child", "date_of_birth")]


@pytest.mark.parametrize(
    ("value", "stored", "status"),
    [
        ("9434765919", "9434765919", "provided"),
        ("943 476 5919", "9434765919", "provided"),
        (" 401 023 2137 ", "4010232137", "provided"),
        ("not available", None, "not_available"),
        ("Not Available", None, "not_available"),
        ("non-resident in England", None, "non_resident_in_england"),
        (None, None, "not_given"),
    ],
)
def test_nhs_number_answers(client, coordinator, value, stored, status) -> None:
    r = client.post(f"{API}/child-deaths", json=notification(child={"nhs_number": value}),
                    headers=coordinator.headers)
    assert r.status_code == 201, r.text
    assert r.json()["child"]["nhs_number"] == stored
    assert r.json()["child"]["nhs_number_status"] == status


def test_nhs_check_digit_rules() -> None:
    from cdop.domain import nhs_check_digit_ok

    assert nhs_check_digit_ok("9434765919")
    assert nhs_check_digit_ok("4010232137")
    assert not nhs_check_digit_ok("9434765918")
    # remainder giving check 11 -> 0: 000000000 sums to 0 -> check 11 -> 0
    assert nhs_check_digit_ok("0000000000")
    # every nine-digit stem has exactly one valid check digit, or none when it would be 10
    for nine in ("123456789", "987654321", "111111111", "400000000"):
        valid = [d for d in "0123456789" if nhs_check_digit_ok(nine + d)]
        total = sum(int(c) * w for c, w in zip(nine, range(10, 1, -1)))
        check = (11 - total % 11) % 11
        assert valid == ([] if check == 10 else [str(check)])


def test_duplicates_are_flagged_on_both_cases_never_merged(client, coordinator) -> None:
    first = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
    # same NHS number, different name spelling
    second = client.post(f"{API}/child-deaths", json=notification(child={"first_name": "Testchilde"}),
                         headers=coordinator.headers).json()
    # same names (other case), dates; no NHS number
    third = client.post(
        f"{API}/child-deaths",
        json=notification(child={"first_name": "TESTCHILD", "last_name": "bravo", "nhs_number": "not available"}),
        headers=coordinator.headers).json()
    # a different child
    other = client.post(
        f"{API}/child-deaths",
        json=notification(child={"first_name": "Testchild", "last_name": "Charlie", "nhs_number": VALID_NHS_2}),
        headers=coordinator.headers).json()
    assert {d["reference"] for d in second["possible_duplicates"]} == {first["reference"]}
    assert second["possible_duplicates"][0]["reason"] == "nhs_number"
    assert {d["reference"] for d in third["possible_duplicates"]} == {first["reference"]}
    assert third["possible_duplicates"][0]["reason"] == "name_and_dates"
    assert other["possible_duplicates"] == []

    first_now = client.get(f"{API}/child-deaths/{first['id']}", headers=coordinator.headers).json()
    assert {d["reference"] for d in first_now["possible_duplicates"]} == {second["reference"], third["reference"]}
    listed = {i["reference"]: i for i in client.get(f"{API}/child-deaths?limit=200", headers=coordinator.headers).json()["items"]}
    assert set(listed[first["reference"]]["possible_duplicates"]) == {second["reference"], third["reference"]}
    assert len({first["id"], second["id"], third["id"], other["id"]}) == 4  # nothing merged


def test_public_body_size_and_types_never_500(client) -> None:
    for bad in ([], "text", {"child": "x"}, {"notifier": None}):
        r = client.post(PUBLIC, json=bad)
        assert r.status_code == 422, (bad, r.status_code)
    r = client.post(PUBLIC, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
