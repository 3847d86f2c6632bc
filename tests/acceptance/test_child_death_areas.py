"""Acceptance (issue 20, "Other areas"; the board's own challenge to "follow up and report on out of
area child deaths and the outcome of other LA's CDOP panels"): a death of a child from an area the
panel does not cover is shown as belonging there, transferred out (the home CDOP emailed through a
real local SMTP server, the reference only), has no outcome six months on (overdue: in the list,
the outstanding summary and the statistics), gets the home panel's outcome, and is counted in the
annual statistics with it. Over HTTP, the service's clock moved with ``cdop.config``."""

from __future__ import annotations

import datetime as dt

import pytest

from cdop import config
from cdop.config import get_config
from tests.cdop.helpers import API, notification, quick_user
from tests.conftest import deliver_outbox

T0 = dt.date(2026, 1, 12)  # the transfer (a Monday)
DUE = dt.date(2026, 7, 12)  # six calendar months on


@pytest.fixture
def areas(monkeypatch):
    monkeypatch.setenv("ECR_CDOP_AREAS", "Testshire,Exampleton City")
    get_config.cache_clear()
    yield
    get_config.cache_clear()


def _go(client, user, case_id: int, action: str, **fields):
    tag = client.get(f"{API}/child-deaths/{case_id}", headers=user.headers).headers["etag"]
    return client.post(f"{API}/child-deaths/{case_id}/transitions", json={"action": action, **fields},
                       headers={**user.headers, "If-Match": tag})


def test_out_of_area_death_followed_to_its_home_panels_outcome(client, session_factory, smtp_server, areas,
                                                               monkeypatch) -> None:
    coordinator = quick_user(session_factory, "cdop_coordinator", name="Cora Coordinator")
    monkeypatch.setattr(config, "today", lambda: T0)

    r = client.post(f"{API}/child-deaths", headers=coordinator.headers, json=notification(
        child={"local_authority": "Otherborough"}, death={"date": "2026-01-10"}, agencies=[]))
    assert r.status_code == 201, r.text
    case = r.json()
    cid, reference = case["id"], case["reference"]
    assert (case["responsible_area"], case["in_our_area"]) == ("Otherborough", False)

    r = _go(client, coordinator, cid, "transfer_out", home_area="Otherborough",
            home_cdop_email="cdop@otherborough.example.org", home_cdop_contact_name="Olive Other")
    assert r.status_code == 200, r.text
    assert r.json()["out_of_area"]["outcome_due_on"] == DUE.isoformat()
    sent, _failed = deliver_outbox(session_factory, smtp_server.url)
    assert sent >= 2  # the notifier's receipt and the home CDOP's email
    home = next(m for m in smtp_server.wait_for(2) if m["to"] == ["cdop@otherborough.example.org"])
    assert reference in home["body"] and "Otherborough" in home["body"]
    for identifier in ("Testchild", "Bravo", "9434765919", "Testing Lane"):
        assert identifier not in home["body"] and identifier not in home["subject"]

    # six months and a day on, nothing from Otherborough: overdue
    monkeypatch.setattr(config, "today", lambda: DUE + dt.timedelta(days=1))
    listed = client.get(f"{API}/child-deaths?overdue=true", headers=coordinator.headers).json()
    assert cid in {c["id"] for c in listed["items"]}
    summary = client.get(f"{API}/child-deaths/outstanding/summary", headers=coordinator.headers).json()
    assert {c["kind"]: c["count"] for c in summary["overdue_clocks"]}.get("external_outcome") == 1
    stats = client.get(f"{API}/reports/child-deaths?from=2026-01-01&to=2026-12-31", headers=coordinator.headers).json()
    (row,) = [x for x in stats["out_of_area"] if x["id"] == cid]
    assert (row["outcome"], row["due_on"], row["overdue"]) == ("awaiting", DUE.isoformat(), True)

    # the home panel's outcome arrives
    r = _go(client, coordinator, cid, "record_external_outcome", outcome_received_on="2026-07-13",
            category=2, modifiable="yes", note="Otherborough CDOP, July panel")
    assert r.status_code == 200, r.text
    assert client.get(f"{API}/child-deaths?overdue=true", headers=coordinator.headers).json()["items"] == []

    stats = client.get(f"{API}/reports/child-deaths?from=2026-01-01&to=2026-12-31", headers=coordinator.headers).json()
    assert stats["transferred_out"] == 1
    assert stats["by_local_authority"] == [{"local_authority": "Otherborough", "notifications": 1, "in_our_area": False}]
    (row,) = [x for x in stats["out_of_area"] if x["id"] == cid]
    assert (row["reference"], row["direction"], row["area"], row["transferred_on"], row["outcome"],
            row["outcome_received_on"], row["category"], row["modifiable"], row["overdue"]) == (
        reference, "out", "Otherborough", T0.isoformat(), "recorded", "2026-07-13", 2, "yes", False)
