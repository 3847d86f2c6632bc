"""Operations provided to the child death module, and the child death shown on a referral."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core import interop
from core.errors import ValidationFailed
from core.outbox.models import OutboxMessage
from ecr.models import CaseReview

REFERRAL = {
    "child_death_reference": "CD-2026-0042",
    "child": {"first_name": "Testchild", "last_name": "Juliet", "date_of_birth": "2019-05-05",
              "sex": "male", "nhs_number": "9434765919"},
    "incident": {"date": "2026-02-02", "type": "death", "description": "Synthetic panel summary."},
    "rationale": "The panel found modifiable factors in how agencies shared information.",
    "referred_by": "Testchair Kilo",
}


def test_create_referral_and_status(client, db, users, app, monkeypatch) -> None:
    assert interop.is_provided("case_review.create_referral")
    out = interop.call(db, "case_review.create_referral", REFERRAL)
    assert out["status"] == "received" and out["reference"].startswith("CR-")
    db.commit()
    case = db.get(CaseReview, out["id"])
    assert case.source == "cdop_referral" and case.child_death_reference == "CD-2026-0042"
    assert case.incident_type == "death" and case.referred_by == "Testchair Kilo"
    assert db.scalar(select(func.count()).select_from(OutboxMessage)
                     .where(OutboxMessage.topic == f"case_review:{case.id}")) == 0
    # a repeated call does not create a second notification
    again = interop.call(db, "case_review.create_referral", REFERRAL)
    assert again == out
    # the case review status, for the child death side
    assert interop.call(db, "case_review.status", {"reference": out["reference"]}) == {
        "id": out["id"], "reference": out["reference"], "status": "received", "decision": None, "stage": "received"}
    assert interop.call(db, "case_review.status", {"reference": "CR-1900-0001"}) is None

    # the case shows the child death and, when that module answers, its status
    monkeypatch.setitem(interop._PROVIDERS, "child_death.status",
                        lambda s, p: {"id": 42, "reference": p["reference"], "status": "reviewed"}
                        if p["reference"] == "CD-2026-0042" else None)
    got = client.get(f"/api/v1/case-reviews/{case.id}", headers=users["business_unit"].headers).json()
    assert got["child_death"] == {"reference": "CD-2026-0042", "id": 42, "status": "reviewed"}
    assert got["child_death_reference"] == "CD-2026-0042"
    listed = client.get("/api/v1/case-reviews", params={"q": out["reference"]},
                        headers=users["business_unit"].headers).json()["items"]
    assert listed[0]["child_death_reference"] == "CD-2026-0042"


def test_child_death_status_when_module_absent(client, db, users, monkeypatch) -> None:
    monkeypatch.delitem(interop._PROVIDERS, "child_death.status", raising=False)
    out = interop.call(db, "case_review.create_referral", {**REFERRAL, "child_death_reference": "CD-2026-0043"})
    db.commit()
    got = client.get(f"/api/v1/case-reviews/{out['id']}", headers=users["business_unit"].headers).json()
    assert got["child_death"] == {"reference": "CD-2026-0043", "id": None, "status": None}


@pytest.mark.parametrize("bad", [
    {"rationale": "   "},
    {"child": {"first_name": "Testchild"}},
    {"incident": {"date": "2999-01-01", "description": "x"}},
    {"child_death_reference": ""},
])
def test_create_referral_validates(app, db, bad) -> None:
    with pytest.raises(ValidationFailed):
        interop.call(db, "case_review.create_referral", {**REFERRAL, **bad})
