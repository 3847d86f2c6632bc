"""A second regime is data: another transition table, deadline rules and public stages,
chosen per case (``regime`` column); cases keep the regime they began with."""

from __future__ import annotations

import pytest

from core.deadlines import DeadlineRule
from core.workflow import Text, Transition, Workflow
from ecr.config import get_config
from ecr.workflow import REGIMES, Regime
from tests.ecr.conftest import make_case

BU, CHAIR = ("business_unit",), ("crg_chair",)

TOY = Workflow(
    name="case-review-test2018", subject_type="case_review", regime="TEST2018", initial="received",
    states=("received", "rapid_review", "local_review", "closed"), terminal=("closed",),
    transitions=(
        Transition("start_rapid_review", ("received",), "rapid_review", BU),
        Transition("commission_local_review", ("rapid_review",), "local_review", CHAIR,
                   fields={"rationale": Text}),
        Transition("close", ("local_review",), "closed", BU),
    ),
)


@pytest.fixture
def second_regime(monkeypatch):
    monkeypatch.setitem(REGIMES, "TEST2018", Regime(
        code="TEST2018", workflow=TOY,
        deadline_rules=lambda cfg: {"rapid_review": DeadlineRule("rapid_review", "Rapid review", 15,
                                                                  "working_days")},
        on_receipt=("rapid_review",),
        public_stages={"received": "received", "rapid_review": "under_consideration",
                       "local_review": "decision_made", "closed": "closed"},
    ))
    monkeypatch.setenv("ECR_CASE_REVIEW_REGIME", "TEST2018")
    get_config.cache_clear()
    yield
    get_config.cache_clear()


def test_a_second_regime_as_data(client, api, db, users, second_regime) -> None:
    bu, chair = users["business_unit"], users["crg_chair"]
    old = make_case(db, "received", regime="WT2015")  # begun under WT2015: stays there
    r = api.create_staff(bu)
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["regime"] == "TEST2018"
    assert [d["kind"] for d in new["deadlines"]] == ["rapid_review"]
    offered = client.get(f"/api/v1/case-reviews/{new['id']}/transitions", headers=bu.headers).json()
    assert [t["action"] for t in offered] == ["start_rapid_review"]
    assert api.act(new["id"], bu, "start_screening").status_code == 409
    assert api.act(new["id"], bu, "start_rapid_review").json()["stage"] == "under_consideration"
    assert api.act(new["id"], bu, "commission_local_review", rationale="x y z").status_code == 403
    assert api.act(new["id"], chair, "commission_local_review",
                   rationale="Learning for the partnership.").status_code == 200
    assert api.act(new["id"], bu, "close").json()["status"] == "closed"
    history = client.get(f"/api/v1/case-reviews/{new['id']}/history", headers=bu.headers).json()
    assert [h["action"] for h in history] == ["receive", "start_rapid_review",
                                              "commission_local_review", "close"]
    # the older case still follows WT2015
    assert old.regime == "WT2015"
    assert api.act(old.id, bu, "start_screening").json()["status"] == "screening"
