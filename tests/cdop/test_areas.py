"""Deaths in other areas (API.md "Responsibility and other areas"): the responsible area rule,
``ECR_CDOP_AREAS``, transfer out with the home CDOP's contact and a 6-month deadline for the
home panel's outcome, overdue when none came, the outcome recorded, deaths transferred in, and
the annual statistics by area. Synthetic data only; the clock is fixed with ``cdop.config``."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from cdop import config
from cdop.config import ChildDeathSettings, get_config
from cdop.domain import in_our_area, parse_areas, responsible_area
from core.deadlines import overdue_subject_ids
from core.deadlines.models import Deadline
from core.outbox.models import OutboxMessage
from tests.cdop.helpers import API, notification, transition

TRANSFER_DAY = dt.date(2026, 3, 2)  # a Monday, before the real date the suite runs on
DUE = dt.date(2026, 9, 2)  # six calendar months later, as API.md says (not working days)


def set_today(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(config, "today", lambda: day)


@pytest.fixture
def areas(monkeypatch):
    """The panel covers Testshire and Exampleton City."""
    monkeypatch.setenv("ECR_CDOP_AREAS", "Testshire, Exampleton City")
    get_config.cache_clear()
    yield
    get_config.cache_clear()


# ---- the rule and the setting (pure) ----


def test_responsible_area_is_where_the_child_lived_or_the_area_looking_after_them() -> None:
    assert responsible_area("Otherborough", None, None) == "Otherborough"
    assert responsible_area("Otherborough", False, "Testshire") == "Otherborough"
    # a looked-after child: the area looking after them, wherever they lived
    assert responsible_area("Otherborough", True, "Testshire") == "Testshire"
    assert responsible_area(None, True, "Testshire") == "Testshire"
    # not known: no local authority, or looked after by an area not recorded
    assert responsible_area(None, False, None) is None
    assert responsible_area("  ", None, None) is None
    assert responsible_area("Otherborough", True, None) is None


def test_in_our_area_ignores_case_and_spacing_and_is_unknown_without_areas() -> None:
    ours = ("Testshire", "Exampleton City")
    assert in_our_area("testshire", ours) is True
    assert in_our_area("Exampleton  city", ours) is True
    assert in_our_area("Otherborough", ours) is False
    assert in_our_area(None, ours) is None
    assert in_our_area("Otherborough", ()) is None  # ECR_CDOP_AREAS not configured


def test_areas_setting(monkeypatch) -> None:
    assert ChildDeathSettings().areas == ()  # not configured by default
    assert ChildDeathSettings().cdop_external_outcome_months == 6
    monkeypatch.setenv("ECR_CDOP_AREAS", " Testshire ,Exampleton   City, TESTSHIRE ")
    assert ChildDeathSettings().areas == ("Testshire", "Exampleton City")  # trimmed, de-duplicated
    assert parse_areas("") == ()
    for bad in ("Testshire,,Otherborough", "Testshire, ", "x" * 201):
        monkeypatch.setenv("ECR_CDOP_AREAS", bad)
        with pytest.raises(ValueError):
            ChildDeathSettings()


# ---- on the case ----


def _create(client, user, **overrides):
    r = client.post(f"{API}/child-deaths", json=notification(**overrides), headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_case_shows_responsible_area_and_whether_it_is_ours(client, coordinator, areas) -> None:
    ours = _create(client, coordinator)  # lives in Testshire
    assert (ours["responsible_area"], ours["in_our_area"]) == ("Testshire", True)

    other = _create(client, coordinator, child={"local_authority": "Otherborough"})
    assert (other["responsible_area"], other["in_our_area"]) == ("Otherborough", False)
    assert other["out_of_area"] is None  # nothing is transferred automatically
    assert other["status"] == "notified"

    # lived elsewhere but looked after by Exampleton City: ours
    looked_after = _create(client, coordinator, child={
        "local_authority": "Otherborough", "looked_after": True, "looked_after_by": "exampleton city"})
    assert looked_after["child"]["looked_after"] is True
    assert (looked_after["responsible_area"], looked_after["in_our_area"]) == ("exampleton city", True)

    # corrected by PATCH: the child was looked after by Otherborough, so not ours
    r = client.patch(f"{API}/child-deaths/{ours['id']}",
                     json={"looked_after": True, "looked_after_by": "Otherborough"},
                     headers={**coordinator.headers, "If-Match": f'"{ours["version"]}"'})
    assert r.status_code == 200, r.text
    assert (r.json()["responsible_area"], r.json()["in_our_area"]) == ("Otherborough", False)


def test_without_areas_configured_nothing_is_said_about_our_area(client, coordinator) -> None:
    case = _create(client, coordinator, child={"local_authority": "Otherborough"})
    assert (case["responsible_area"], case["in_our_area"]) == ("Otherborough", None)


# ---- transfer out, overdue, outcome ----


def _transfer(client, coordinator, monkeypatch, day: dt.date = TRANSFER_DAY, **fields):
    set_today(monkeypatch, day)
    case = _create(client, coordinator, child={"local_authority": "Otherborough"},
                   death={"date": "2026-02-20"})
    r = transition(client, case["id"], coordinator, "transfer_out", **{
        "home_area": "Otherborough", "home_cdop_email": "cdop@otherborough.example.org",
        "home_cdop_contact_name": "Olive Other", "home_cdop_phone": "01632 960000", **fields})
    assert r.status_code == 200, r.text
    return r.json()


def test_transfer_out_records_the_contact_opens_a_deadline_and_emails_the_home_cdop(
        client, db, coordinator, monkeypatch) -> None:
    case = _transfer(client, coordinator, monkeypatch)
    assert case["status"] == "transferred_out"
    assert case["out_of_area"] == {
        "home_area": "Otherborough", "home_cdop_email": "cdop@otherborough.example.org",
        "home_cdop_contact_name": "Olive Other", "home_cdop_phone": "01632 960000",
        "transferred_on": TRANSFER_DAY.isoformat(), "outcome_due_on": DUE.isoformat(),
        "outcome_overdue": False, "outcome": None,
    }
    (deadline,) = db.execute(select(Deadline).where(Deadline.subject_type == "child_death",
                                                    Deadline.subject_id == case["id"],
                                                    Deadline.kind == "external_outcome")).scalars()
    assert (deadline.start_on, deadline.due_on, deadline.outcome) == (TRANSFER_DAY, DUE, None)
    mail = db.execute(select(OutboxMessage).where(
        OutboxMessage.to_addr == "cdop@otherborough.example.org")).scalar_one()
    assert case["reference"] in mail.body and "Testchild" not in mail.body
    history = client.get(f"{API}/child-deaths/{case['id']}/history", headers=coordinator.headers).json()
    assert history[-1]["action"] == "transfer_out"
    assert history[-1]["data"]["outcome_due_on"] == DUE.isoformat()


def test_the_outcome_deadline_follows_the_setting(client, coordinator, monkeypatch) -> None:
    monkeypatch.setenv("ECR_CDOP_EXTERNAL_OUTCOME_MONTHS", "3")
    get_config.cache_clear()
    try:
        case = _transfer(client, coordinator, monkeypatch)
    finally:
        get_config.cache_clear()
    assert case["out_of_area"]["outcome_due_on"] == "2026-06-02"


def _overdue_ids(db, today: dt.date) -> set[int]:
    """The cases with an open deadline past its due date: the query GET /child-deaths?overdue=true
    filters on."""
    return set(db.execute(overdue_subject_ids("child_death", today)).scalars())


def test_no_outcome_after_six_months_is_overdue(client, db, coordinator, monkeypatch) -> None:
    late = _transfer(client, coordinator, monkeypatch)
    recent = _transfer(client, coordinator, monkeypatch, dt.date(2026, 6, 1))  # not yet due

    set_today(monkeypatch, DUE)  # the due day itself: not yet overdue
    assert client.get(f"{API}/child-deaths/{late['id']}", headers=coordinator.headers).json()[
        "out_of_area"]["outcome_overdue"] is False

    set_today(monkeypatch, DUE + dt.timedelta(days=1))
    got = client.get(f"{API}/child-deaths/{late['id']}", headers=coordinator.headers).json()
    assert got["out_of_area"]["outcome_overdue"] is True
    assert client.get(f"{API}/child-deaths/{recent['id']}", headers=coordinator.headers).json()[
        "out_of_area"]["outcome_overdue"] is False

    assert late["id"] not in _overdue_ids(db, DUE)
    ids = _overdue_ids(db, DUE + dt.timedelta(days=1))
    assert late["id"] in ids and recent["id"] not in ids
    listed = client.get(f"{API}/child-deaths?overdue=true&limit=200", headers=coordinator.headers)
    assert listed.status_code == 200, listed.text
    ids = {c["id"] for c in listed.json()["items"]}
    assert late["id"] in ids and recent["id"] not in ids
    # the transfers whose home panel's outcome is overdue, and nothing else
    listed = client.get(f"{API}/child-deaths?overdue_kind=external_outcome&limit=200", headers=coordinator.headers)
    assert listed.status_code == 200, listed.text
    assert {c["id"] for c in listed.json()["items"]} == {late["id"]}


def test_list_of_transfers_awaiting_the_home_panels_outcome(client, coordinator, monkeypatch) -> None:
    awaited = _transfer(client, coordinator, monkeypatch)
    answered = _transfer(client, coordinator, monkeypatch)
    _create(client, coordinator, death={"date": "2026-02-01"})  # not transferred
    assert transition(client, answered["id"], coordinator, "record_external_outcome",
                      outcome_received_on=TRANSFER_DAY.isoformat(), category=4, modifiable="no").status_code == 200
    r = client.get(f"{API}/child-deaths?awaiting_external_outcome=true", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    assert [c["id"] for c in r.json()["items"]] == [awaited["id"]]
    # what each waits on, in the list and on the case
    waits = "the outcome of Otherborough's child death overview panel (transferred out)"
    assert r.json()["items"][0]["waiting_on"] == [waits]
    listed = client.get(f"{API}/child-deaths?status=transferred_out", headers=coordinator.headers).json()["items"]
    assert {c["id"]: c["waiting_on"] for c in listed} == {awaited["id"]: [waits], answered["id"]: []}
    got = client.get(f"{API}/child-deaths/{awaited['id']}", headers=coordinator.headers).json()
    assert got["waiting_on"] == [waits]
    assert client.get(f"{API}/child-deaths/{answered['id']}", headers=coordinator.headers).json()["waiting_on"] == []
    assert client.get(f"{API}/child-deaths?awaiting_external_outcome=maybe",
                      headers=coordinator.headers).status_code == 422


def test_record_external_outcome(client, db, coordinator, chair, monkeypatch) -> None:
    case = _transfer(client, coordinator, monkeypatch)
    cid = case["id"]
    set_today(monkeypatch, dt.date(2026, 9, 10))  # after the due date: met late

    good = {"outcome_received_on": "2026-09-09", "category": 5, "modifiable": "no"}
    # refused, naming the field, and nothing is stored
    for field, value, words in (
        ("outcome_received_on", "2026-09-11", "future"),
        ("outcome_received_on", "2026-03-01", "before the transfer"),
        ("category", 11, ""),
        ("modifiable", "maybe", ""),
    ):
        r = transition(client, cid, coordinator, "record_external_outcome", **{**good, field: value})
        assert r.status_code == 422, (field, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert any(e["loc"][-1] == field and words in e["msg"] for e in r.json()["errors"]), r.text
    r = transition(client, cid, coordinator, "record_external_outcome",
                   **{k: v for k, v in good.items() if k != "category"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "category"]
    assert transition(client, cid, chair, "record_external_outcome", **good).status_code == 403

    r = transition(client, cid, coordinator, "record_external_outcome", **good,
                   note="Reviewed by the Otherborough panel in September.")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "transferred_out"
    assert out["status_changed_at"] == case["status_changed_at"]  # the state did not change
    outcome = out["out_of_area"]["outcome"]
    assert (outcome["received_on"], outcome["category"], outcome["modifiable"], outcome["note"]) == (
        "2026-09-09", 5, "no", "Reviewed by the Otherborough panel in September.")
    assert outcome["category_label"] == "Acute medical or surgical condition"
    assert (out["out_of_area"]["outcome_due_on"], out["out_of_area"]["outcome_overdue"]) == (None, False)

    db.expire_all()
    (deadline,) = db.execute(select(Deadline).where(Deadline.subject_id == cid,
                                                    Deadline.kind == "external_outcome")).scalars()
    assert deadline.outcome == "met_late"  # received 2026-09-09, due 2026-09-02
    history = client.get(f"{API}/child-deaths/{cid}/history", headers=coordinator.headers).json()
    last = history[-1]
    assert (last["action"], last["from"], last["to"]) == ("record_external_outcome", "transferred_out",
                                                          "transferred_out")
    assert last["label"] == "Record the home area's panel outcome"
    assert last["data"]["category"] == 5 and last["data"]["outcome_received_on"] == "2026-09-09"

    # no longer overdue
    assert cid not in _overdue_ids(db, dt.date(2026, 9, 10))
    listed = client.get(f"{API}/child-deaths?overdue=true&limit=200", headers=coordinator.headers).json()
    assert cid not in {c["id"] for c in listed["items"]}


def test_outcome_only_for_a_death_transferred_out(client, coordinator) -> None:
    case = _create(client, coordinator)
    r = transition(client, case["id"], coordinator, "record_external_outcome",
                   outcome_received_on=dt.date.today().isoformat(), category=5, modifiable="no")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"


# ---- transferred in ----


def test_a_death_transferred_in(client, coordinator, monkeypatch) -> None:
    set_today(monkeypatch, dt.date(2026, 4, 1))
    body = notification(death={"date": "2026-03-01"})
    body["transferred_from"] = {"area": "Farshire", "contact_email": "cdop@farshire.example.org",
                                "received_on": "2026-03-20"}
    r = client.post(f"{API}/child-deaths", json=body, headers=coordinator.headers)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["transferred_from"] == {"area": "Farshire", "contact_email": "cdop@farshire.example.org",
                                        "received_on": "2026-03-20"}
    history = client.get(f"{API}/child-deaths/{case['id']}/history", headers=coordinator.headers).json()
    assert history[0]["action"] == "notify" and history[0]["data"] == {"transferred_from": "Farshire"}
    # notified to Farshire's panel, not to ours: our 1-day notification clock is not "met late"
    # 19 days after the death, it is waived as not ours; the CDRM and panel clocks run from the death
    clocks = {c["kind"]: c for c in case["clocks"]}
    assert clocks["cdop_notification"]["outcome"] == "waived"
    assert clocks["cdop_cdrm"]["outcome"] is None and clocks["cdop_cdrm"]["due_on"] == "2026-06-01"
    assert clocks["cdop_panel"]["due_on"] == "2026-09-01"

    for received_on, words in (("2026-04-02", "future"), ("2026-02-28", "before the death")):
        bad = {**body, "transferred_from": {**body["transferred_from"], "received_on": received_on}}
        r = client.post(f"{API}/child-deaths", json=bad, headers=coordinator.headers)
        assert r.status_code == 422, r.text
        (err,) = r.json()["errors"]
        assert err["loc"] == ["body", "transferred_from", "received_on"] and words in err["msg"]
    r = client.post(f"{API}/child-deaths", json={**body, "transferred_from": {"area": " "}},
                    headers=coordinator.headers)
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["errors"]} >= {("body", "transferred_from", "area"),
                                                               ("body", "transferred_from", "received_on")}


# ---- the annual statistics ----


def test_statistics_by_area_and_out_of_area_deaths(client, coordinator, monkeypatch, areas) -> None:
    awaited = _transfer(client, coordinator, monkeypatch)
    answered = _transfer(client, coordinator, monkeypatch, home_area="Farshire")
    set_today(monkeypatch, dt.date(2026, 9, 10))
    assert transition(client, answered["id"], coordinator, "record_external_outcome",
                      outcome_received_on="2026-09-01", category=10,
                      modifiable="insufficient_information").status_code == 200
    body = notification(death={"date": "2026-03-01"})
    body["transferred_from"] = {"area": "Farshire", "received_on": "2026-03-20"}
    moved_in = client.post(f"{API}/child-deaths", json=body, headers=coordinator.headers).json()
    _create(client, coordinator, child={"local_authority": None})
    withdrawn = _create(client, coordinator, child={"local_authority": "Exampleton City"})
    assert transition(client, withdrawn["id"], coordinator, "withdraw", reason="Notified in error").status_code == 200

    r = client.get(f"{API}/reports/child-deaths?from=2026-01-01&to=2026-12-31", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    s = r.json()
    mine = {awaited["id"], answered["id"], moved_in["id"]}
    assert s["transferred_in"] == 1 and s["transferred_out"] == 2
    # the two transferred out lived in Otherborough; the one moved in in Testshire; the withdrawn
    # notification (Exampleton City) is not counted; most first
    assert s["by_local_authority"] == [
        {"local_authority": "Otherborough", "notifications": 2, "in_our_area": False},
        {"local_authority": "Testshire", "notifications": 1, "in_our_area": True},
        {"local_authority": None, "notifications": 1, "in_our_area": None},
    ]
    assert [row["id"] for row in s["out_of_area"]] == [awaited["id"], answered["id"], moved_in["id"]]
    rows = {row["id"]: row for row in s["out_of_area"] if row["id"] in mine}
    assert rows[awaited["id"]] == {
        "id": awaited["id"], "reference": awaited["reference"], "direction": "out", "area": "Otherborough",
        "transferred_on": TRANSFER_DAY.isoformat(), "status": "transferred_out", "outcome": "awaiting",
        "outcome_received_on": None, "category": None, "category_label": None, "modifiable": None,
        "due_on": DUE.isoformat(), "overdue": True,
    }
    a = rows[answered["id"]]
    assert (a["direction"], a["area"], a["outcome"], a["outcome_received_on"], a["category"], a["modifiable"],
            a["due_on"], a["overdue"]) == ("out", "Farshire", "recorded", "2026-09-01", 10,
                                           "insufficient_information", None, False)
    m = rows[moved_in["id"]]
    assert (m["direction"], m["area"], m["transferred_on"], m["outcome"], m["overdue"]) == (
        "in", "Farshire", "2026-03-20", "awaiting", False)

    narrow = client.get(f"{API}/reports/child-deaths?from=2026-04-01&to=2026-04-30",
                        headers=coordinator.headers).json()
    assert not {row["id"] for row in narrow["out_of_area"]} & {awaited["id"], answered["id"]}

    c = client.get(f"{API}/reports/child-deaths?from=2026-01-01&to=2026-12-31",
                   headers={**coordinator.headers, "Accept": "text/csv"})
    lines = list(csv.reader(io.StringIO(c.text)))
    assert ["by_local_authority", "Otherborough", "2", ""] in lines
    assert ["by_local_authority", "not recorded", "1", ""] in lines
    awaited_text = f"{awaited['reference']} to Otherborough on 2026-03-02; outcome awaited, due 2026-09-02 (overdue)"
    assert ["transferred_out", awaited_text, "", ""] in lines
    answered_text = (f"{answered['reference']} to Farshire on 2026-03-02; outcome received 2026-09-01: "
                     "category 10, modifiable insufficient information")
    assert ["transferred_out", answered_text, "", ""] in lines


def test_a_bad_list_of_areas_stops_the_app_at_start(monkeypatch) -> None:
    from core.app import create_app
    from core.settings import get_settings

    monkeypatch.setenv("ECR_CDOP_AREAS", "Testshire,,Otherborough")
    get_config.cache_clear()
    try:
        with pytest.raises(ValueError, match="entry 2 of the list of areas is empty"):
            create_app(get_settings(), start_worker=False)
    finally:
        monkeypatch.delenv("ECR_CDOP_AREAS")
        get_config.cache_clear()
