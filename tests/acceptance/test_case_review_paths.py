"""One notification along every path of the case review table (API.md, regime WT2015),
through the HTTP API only, asserting status, decision and history at each step."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

NOTIFICATION: dict[str, Any] = {
    "notifier": {"name": "Testnotifier Charlie", "email": "notifier.charlie@example.org",
                 "agency": "Example School", "role": "Designated safeguarding lead"},
    "child": {"first_name": "Testchild", "last_name": "Delta", "date_of_birth": "2014-06-01"},
    "incident": {"date": "2026-02-01", "type": "serious_harm",
                 "description": "Synthetic account of a serious incident."},
    "rationale": "Several agencies knew the family and concerns were not shared.",
    "abuse_or_neglect_suspected": True,
    "agencies_involved": ["School", "Police"],
}
WHY = "The group agreed this reflects the learning needed from this case."
TODAY = dt.date.today()
# the WT2015 table's paths: public notifications follow WT2015 here whatever the default
pytestmark = pytest.mark.usefixtures("wt2015_default")


class Walker:
    """Drives one case through the API and checks every step against the history."""

    def __init__(self, client: TestClient, users: dict[str, Any]) -> None:
        self.client, self.users = client, users
        r = client.post("/api/v1/public/case-review-notifications", json=copy.deepcopy(NOTIFICATION))
        assert r.status_code == 201, r.text
        self.reference = r.json()["reference"]
        self.token = r.json()["status_token"]
        found = client.get("/api/v1/case-reviews", params={"q": self.reference},
                           headers=users["business_unit"].headers).json()["items"]
        assert [c["reference"] for c in found] == [self.reference]
        self.id = found[0]["id"]
        self.state = "received"
        self.steps = 1
        history = self.history()
        assert [(h["action"], h["from"], h["to"]) for h in history] == [("receive", None, "received")]

    def history(self) -> list[dict[str, Any]]:
        r = self.client.get(f"/api/v1/case-reviews/{self.id}/history",
                            headers=self.users["business_unit"].headers)
        assert r.status_code == 200, r.text
        return r.json()

    def case(self) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/case-reviews/{self.id}", headers=self.users["business_unit"].headers)
        assert r.status_code == 200
        return r.json()

    def do(self, role: str, action: str, to: str, decision: str | None, **fields: Any) -> dict[str, Any]:
        user = self.users[role]
        etag = self.client.get(f"/api/v1/case-reviews/{self.id}", headers=user.headers).headers["ETag"]
        offered = self.client.get(f"/api/v1/case-reviews/{self.id}/transitions", headers=user.headers)
        assert action in [t["action"] for t in offered.json()], (action, offered.json())
        r = self.client.post(f"/api/v1/case-reviews/{self.id}/transitions",
                             json={"action": action, **fields},
                             headers={**user.headers, "If-Match": etag})
        assert r.status_code == 200, (action, r.text)
        out = r.json()
        assert out["status"] == to
        assert out["decision"] == decision
        assert r.headers["ETag"] != etag
        history = self.history()
        self.steps += 1
        assert len(history) == self.steps
        last = history[-1]
        assert (last["action"], last["from"], last["to"]) == (action, self.state, to)
        assert last["actor"] == f"Test {role.replace('_', ' ').title()}"
        if "note" in fields:
            assert last["note"] == fields["note"]
        self.state = to
        return out

    def refused(self, role: str, action: str, status: int, **fields: Any) -> dict[str, Any]:
        r = self.client.post(f"/api/v1/case-reviews/{self.id}/transitions",
                             json={"action": action, **fields},
                             headers={**self.users[role].headers, "If-Match": "*"})
        assert r.status_code == status, (action, r.text)
        assert len(self.history()) == self.steps  # nothing recorded
        return r.json()

    def public_stage(self) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/public/case-review-notifications/{self.reference}/status",
                            headers={"X-Status-Token": self.token})
        assert r.status_code == 200
        return r.json()

    def screen(self) -> None:
        self.do("business_unit", "start_screening", "screening", None)
        self.do("business_unit", "refer_to_group", "awaiting_decision", None)


@pytest.fixture
def walker(client: TestClient, fast_users):
    return lambda: Walker(client, fast_users)


@pytest.fixture
def fast_users(session_factory):
    from core.auth.models import User
    from core.auth.tokens import issue_access_token
    from core.settings import get_settings

    out = {}
    roles = ("business_unit", "crg_member", "crg_chair", "independent_chair", "admin")
    with session_factory() as s:
        for role in roles:
            u = User(email=f"{role}-{uuid.uuid4().hex[:6]}@example.test",
                     name=f"Test {role.replace('_', ' ').title()}", roles=[role], is_active=True)
            s.add(u)
            s.flush()
            out[role] = u.id
        s.commit()

    class U:
        def __init__(self, uid: int) -> None:
            self.headers = {"Authorization": f"Bearer {issue_access_token(get_settings(), str(uid))}"}

    return {role: U(uid) for role, uid in out.items()}


def test_no_further_action_with_information_requested(walker) -> None:
    w = walker()
    w.do("business_unit", "start_screening", "screening", None)
    w.do("business_unit", "request_information", "information_requested", None,
         note="Asked the school for its chronology.")
    w.do("business_unit", "record_information", "screening", None)
    w.do("business_unit", "refer_to_group", "awaiting_decision", None)
    assert w.public_stage()["stage"] == "under_consideration"
    out = w.do("crg_chair", "no_further_action", "closed", "nfa",
               rationale="Limited multi-agency learning; single agency action under way.")
    assert out["review_type"] is None
    assert out["deadlines"] == []  # nothing left to chase
    assert w.public_stage() == {"reference": w.reference, "stage": "closed", "decision": "nfa",
                                "decision_label": "No further action"}
    w.refused("business_unit", "close", 409)


@pytest.mark.parametrize("action,decision", [
    ("commission_management_review", "management_review"),
    ("commission_single_agency_review", "single_agency_review"),
    ("commission_learning_event", "learning_event"),
])
def test_each_review_type_to_publication_and_closure(walker, client, fast_users, action, decision) -> None:
    w = walker()
    w.screen()
    out = w.do("crg_chair", action, "review_in_progress", decision, rationale=WHY)
    assert out["review_type"] == decision
    assert out["decision_rationale"] == WHY
    assert [d["kind"] for d in out["deadlines"]] == []  # screening and decision met
    w.do("business_unit", "submit_report", "report_submitted", decision)
    w.do("independent_chair", "return_report", "review_in_progress", decision,
         note="Please add the agencies' responses.")
    w.do("business_unit", "submit_report", "report_submitted", decision)
    w.refused("independent_chair", "approve_report", 403)  # not an SCR: the CRG chair signs off
    w.do("crg_chair", "approve_report", "report_approved", decision)
    if decision == "single_agency_review":
        # a non-SCR review may close without publication
        w.do("business_unit", "close", "closed", decision)
        return
    w.refused("independent_chair", "publish", 403, published_on=TODAY.isoformat(),
              url="https://example.org/brief")
    out = w.do("crg_chair", "publish", "published", decision, published_on=TODAY.isoformat(),
               url="https://example.org/learning-brief")
    assert out["publication"]["url"] == "https://example.org/learning-brief"
    # an open recommendation blocks closure until it is carried forward
    r = client.post(f"/api/v1/case-reviews/{w.id}/recommendations",
                    json={"text": "Share safeguarding concerns across agencies.",
                          "actions": [{"description": "Update the information-sharing protocol",
                                       "owner_agency": "Police"}]},
                    headers=fast_users["business_unit"].headers)
    assert r.status_code == 201, r.text
    problem = w.refused("business_unit", "close", 409)
    assert problem["code"] == "invalid_transition"
    assert "recommendation" in problem["detail"]
    out = w.do("business_unit", "close", "closed", decision,
               carry_forward_note="Carried to the partnership's learning plan.")
    assert out["carry_forward_note"] == "Carried to the partnership's learning plan."
    recs = client.get(f"/api/v1/case-reviews/{w.id}/recommendations",
                      headers=fast_users["business_unit"].headers).json()
    assert recs[0]["status"] == "carried_forward"
    assert recs[0]["actions"][0]["status"] == "carried_forward"


def test_scr_declined_then_endorsed_deferred_resumed_published(walker) -> None:
    w = walker()
    w.screen()
    out = w.do("crg_chair", "recommend_scr", "scr_recommended", None,
               rationale="Criteria met: serious harm and concerns about joint working.")
    assert out["scr_recommendation"]["rationale"].startswith("Criteria met")
    assert out["scr_recommendation"]["by"] == "Test Crg Chair"
    assert out["scr_decision"] is None
    w.refused("crg_chair", "endorse_scr", 403, rationale=WHY)
    out = w.do("independent_chair", "decline_scr", "awaiting_decision", None,
               rationale="The threshold is not met on the information available.")
    assert out["scr_decision"]["outcome"] == "declined"
    assert out["scr_recommendation"] is not None  # both records kept
    kinds = {d["kind"]: d for d in out["deadlines"]}
    assert "national_panel_notice" in kinds
    assert kinds["national_panel_notice"]["due_on"] == (TODAY + dt.timedelta(days=14)).isoformat()
    assert w.public_stage()["stage"] == "under_consideration"
    w.do("crg_chair", "recommend_scr", "scr_recommended", None,
         rationale="New information from the police meets the criteria.")
    out = w.do("independent_chair", "endorse_scr", "review_in_progress", "scr",
               rationale="I agree that a Serious Case Review is required.")
    assert out["review_type"] == "scr"
    assert out["scr_decision"]["outcome"] == "endorsed"
    assert out["scr_decision"]["by"] == "Test Independent Chair"
    kinds = {d["kind"]: d for d in out["deadlines"]}
    assert set(kinds) == {"scr_completion"}
    from core.deadlines import add_months

    assert kinds["scr_completion"]["due_on"] == add_months(TODAY, 6).isoformat()
    assert w.public_stage()["decision"] == "scr"
    w.do("business_unit", "submit_report", "report_submitted", "scr")
    w.refused("crg_chair", "approve_report", 403)  # an SCR: the independent chair signs off
    planned = TODAY + dt.timedelta(days=30)
    out = w.do("independent_chair", "approve_report", "report_approved", "scr",
               planned_publication_on=planned.isoformat())
    kinds = {d["kind"]: d for d in out["deadlines"]}
    assert set(kinds) == {"pre_publication"}
    assert kinds["pre_publication"]["due_on"] == (planned - dt.timedelta(days=7)).isoformat()
    problem = w.refused("business_unit", "close", 409)  # an SCR must be published or not
    assert "Serious Case Review" in problem["detail"]
    w.refused("independent_chair", "defer_publication", 422, reason="Criminal trial pending.")
    out = w.do("independent_chair", "defer_publication", "publication_deferred", "scr",
               reason="Parallel criminal proceedings.",
               review_on=(TODAY + dt.timedelta(days=60)).isoformat())
    assert out["publication"]["deferred_reason"] == "Parallel criminal proceedings."
    w.do("independent_chair", "resume_publication", "report_approved", "scr")
    w.refused("crg_chair", "publish", 403, published_on=TODAY.isoformat(),
              url="https://example.org/scr")
    out = w.do("independent_chair", "publish", "published", "scr",
               published_on=TODAY.isoformat(), url="https://example.org/scr-report")
    assert out["publication"]["keep_published_until"] == add_months(TODAY, 12).isoformat()
    w.do("business_unit", "close", "closed", "scr")
    history = w.history()
    actions = [h["action"] for h in history]
    assert actions.count("recommend_scr") == 2
    assert actions.count("decline_scr") == 1 and actions.count("endorse_scr") == 1
    decline = next(h for h in history if h["action"] == "decline_scr")
    assert decline["data"]["rationale"].startswith("The threshold")


def test_scr_not_published(walker) -> None:
    w = walker()
    w.screen()
    w.do("crg_chair", "recommend_scr", "scr_recommended", None, rationale=WHY)
    w.do("independent_chair", "endorse_scr", "review_in_progress", "scr", rationale=WHY)
    w.do("business_unit", "submit_report", "report_submitted", "scr")
    w.do("independent_chair", "approve_report", "report_approved", "scr")
    out = w.do("independent_chair", "decide_not_to_publish", "closed", "scr",
               reason="Publication would identify the surviving siblings.")
    assert out["publication"]["not_published_reason"].startswith("Publication would")
    # the national panel must still be told, a duty of its own met by its own date
    assert [d["kind"] for d in out["deadlines"]] == ["national_panel_not_published"]
    bu = w.users["business_unit"]
    etag = w.client.get(f"/api/v1/case-reviews/{w.id}", headers=bu.headers).headers["ETag"]
    r = w.client.patch(f"/api/v1/case-reviews/{w.id}", headers={**bu.headers, "If-Match": etag},
                       json={"national_panel_told_not_published_on": TODAY.isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["deadlines"] == []


def test_other_local_authority_review(walker) -> None:
    w = walker()
    w.screen()
    out = w.do("crg_chair", "refer_to_other_la", "monitoring_other_la_review", "other_la_review",
               rationale="The child lived in another area.", other_la="Exampleshire County Council")
    assert out["other_la"] == "Exampleshire County Council"
    w.do("business_unit", "close", "closed", "other_la_review")


@pytest.mark.parametrize("screen_first", [False, True])
def test_withdrawn(walker, screen_first) -> None:
    w = walker()
    if screen_first:
        w.screen()
    w.refused("business_unit", "withdraw", 422)  # reason required
    out = w.do("business_unit", "withdraw", "withdrawn", None,
               reason="The notifier sent the same notification twice.")
    assert out["withdrawn_reason"] == "The notifier sent the same notification twice."
    assert out["deadlines"] == []
    assert w.public_stage()["stage"] == "closed"
    w.refused("business_unit", "start_screening", 409)
