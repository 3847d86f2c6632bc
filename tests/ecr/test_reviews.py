"""Agency reports (core agency requests) and recommendations with action plans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.outbox.models import OutboxMessage
from tests.ecr.conftest import make_case

TODAY = dt.date.today()
DUE = (TODAY + dt.timedelta(days=20)).isoformat()
ANSWERS = {"chronology": "Synthetic chronology.", "analysis": "Synthetic analysis.",
           "learning": "Synthetic learning."}


def _request(client, bu, case_id, **extra):
    r = client.post(f"/api/v1/case-reviews/{case_id}/agency-reports",
                    json={"agency": "Example Police", "due_on": DUE, **extra}, headers=bu.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_agency_report_request_submit_by_assigned_author(client, db, users, fast_user) -> None:
    bu = users["business_unit"]
    author, other_author = fast_user("agency_author"), fast_user("agency_author")
    case = make_case(db, "review_in_progress", decision="management_review")
    report = _request(client, bu, case.id, assignee_user_id=author.id)
    assert report["status"] == "requested" and report["case_reference"] == case.reference
    # the request is emailed to the assignee, with the reference only
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == author.email)).scalar_one()
    assert case.reference in mail.body and "Testchild" not in mail.body

    url = f"/api/v1/case-reviews/{case.id}/agency-reports/{report['id']}"
    payload = {"answers": ANSWERS, "not_known": ["recommendations"]}
    # another author: 404, as if it did not exist; so is reading it
    assert client.post(f"{url}/submit", json=payload, headers=other_author.headers).status_code == 404
    assert client.get(url, headers=other_author.headers).status_code == 404
    # the author cannot read the case itself
    assert client.get(f"/api/v1/case-reviews/{case.id}", headers=author.headers).status_code == 403
    got = client.get(url, headers=author.headers)
    assert got.status_code == 200 and got.json()["case_reference"] == case.reference
    # every section answered or marked not known
    r = client.post(f"{url}/submit", json={"answers": ANSWERS}, headers=author.headers)
    assert r.status_code == 422
    assert ["body", "answers", "recommendations"] in [e["loc"] for e in r.json()["errors"]]
    r = client.post(f"{url}/submit", json={"answers": {**ANSWERS, "extra": "x"}}, headers=author.headers)
    assert r.status_code == 422
    r = client.post(f"{url}/submit", json=payload, headers=author.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted"
    assert r.json()["answers"]["analysis"] == "Synthetic analysis."
    assert client.post(f"{url}/submit", json=payload, headers=author.headers).status_code == 409
    listed = client.get(f"/api/v1/case-reviews/{case.id}/agency-reports", headers=bu.headers).json()
    assert [x["status"] for x in listed] == ["submitted"]
    assert client.get(f"/api/v1/case-reviews/{case.id}/agency-reports",
                      headers=author.headers).status_code == 403


def test_business_unit_submits_or_waives(client, db, users) -> None:
    bu = users["business_unit"]
    case = make_case(db, "review_in_progress", decision="scr")
    one = _request(client, bu, case.id, contact_email="safeguarding@police.example.org")
    two = _request(client, bu, case.id, agency="Example Health Trust")
    base = f"/api/v1/case-reviews/{case.id}/agency-reports"
    r = client.post(f"{base}/{one['id']}/submit",
                    json={"answers": ANSWERS, "not_known": ["recommendations"]}, headers=bu.headers)
    assert r.status_code == 200
    r = client.post(f"{base}/{two['id']}/waive", json={"reason": "The agency had no contact."},
                    headers=bu.headers)
    assert r.status_code == 200 and r.json()["status"] == "waived"
    assert client.post(f"{base}/{two['id']}/waive", json={"reason": "Again."},
                       headers=bu.headers).status_code == 409
    assert client.post(f"{base}/{two['id']}/waive", json={"reason": "x"},
                       headers=users["crg_chair"].headers).status_code == 403
    assert client.post(f"{base}/999999/waive", json={"reason": "x"}, headers=bu.headers).status_code == 404


def test_agency_report_validation_and_closed_cases(client, db, users, fast_user) -> None:
    bu = users["business_unit"]
    case = make_case(db, "review_in_progress", decision="scr")
    url = f"/api/v1/case-reviews/{case.id}/agency-reports"
    for bad, loc in (({"due_on": "2020-01-01"}, "due_on"), ({"contact_email": "nope"}, "contact_email"),
                     ({"assignee_user_id": users["crg_chair"].id}, "assignee_user_id"),
                     ({"agency": ""}, "agency")):
        r = client.post(url, json={"agency": "Example Police", "due_on": DUE, **bad}, headers=bu.headers)
        assert r.status_code == 422, bad
        assert ["body", loc] in [e["loc"] for e in r.json()["errors"]]
    closed = make_case(db, "closed", decision="nfa")
    r = client.post(f"/api/v1/case-reviews/{closed.id}/agency-reports",
                    json={"agency": "Example Police", "due_on": DUE}, headers=bu.headers)
    assert r.status_code == 409


def test_reminders_before_and_after_the_due_date(client, db, users, session_factory) -> None:
    from core.registry import PERIODIC_JOBS

    bu = users["business_unit"]
    case = make_case(db, "review_in_progress", decision="scr")
    soon = _request(client, bu, case.id, contact_email="soon@agency.example.org",
                    due_on=(TODAY + dt.timedelta(days=2)).isoformat())
    _request(client, bu, case.id, contact_email="later@agency.example.org",
             due_on=(TODAY + dt.timedelta(days=30)).isoformat())
    job = PERIODIC_JOBS["ecr.agency_report_reminders"]
    with session_factory() as s:
        assert job(s, TODAY) == 1
        s.commit()
        assert job(s, TODAY) == 0  # not again the same day
        # after the due date (and a week after the last reminder): reminded again
        assert job(s, TODAY + dt.timedelta(days=10)) == 1
        s.commit()
    mails = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "soon@agency.example.org")
                       .order_by(OutboxMessage.id)).scalars().all()
    assert len(mails) == 3  # the request, the reminder before, the one after
    assert "is due" in mails[1].body and "was due" in mails[2].body
    assert all(case.reference in m.body and "Testchild" not in m.body for m in mails)
    listed = client.get(f"/api/v1/case-reviews/{case.id}/agency-reports", headers=bu.headers).json()
    assert next(x for x in listed if x["id"] == soon["id"])["reminders_sent"] == 2


def test_recommendations_and_action_plans(client, db, users) -> None:
    bu = users["business_unit"]
    case = make_case(db, "report_approved", decision="learning_event")
    base = f"/api/v1/case-reviews/{case.id}/recommendations"
    r = client.post(base, json={"text": "Agencies share chronologies at strategy meetings.",
                                "actions": [{"description": "Revise the strategy meeting template",
                                             "owner_agency": "Children's social care",
                                             "due_on": (TODAY - dt.timedelta(days=1)).isoformat()}]},
                    headers=bu.headers)
    assert r.status_code == 201, r.text
    rec = r.json()
    assert rec["number"] == 1 and rec["status"] == "open"
    assert rec["actions"][0]["overdue"] is True
    etag = r.headers["ETag"]
    url = f"{base}/{rec['id']}"
    # If-Match: 428 without, 412 when stale
    assert client.patch(url, json={"status": "in_progress"}, headers=bu.headers).status_code == 428
    r = client.patch(url, json={"status": "in_progress",
                                "actions": [{"id": rec["actions"][0]["id"], "status": "completed"},
                                            {"description": "Audit six strategy meetings",
                                             "owner_agency": "Police"}]},
                     headers={**bu.headers, "If-Match": etag})
    assert r.status_code == 200, r.text
    updated = r.json()
    assert [a["status"] for a in updated["actions"]] == ["completed", "open"]
    assert updated["actions"][0]["completed_on"] == TODAY.isoformat()
    assert client.patch(url, json={"status": "completed"},
                        headers={**bu.headers, "If-Match": etag}).status_code == 412
    new_etag = r.headers["ETag"]
    r = client.patch(url, json={"actions": [{"id": 999999, "status": "completed"}]},
                     headers={**bu.headers, "If-Match": new_etag})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "actions", 0, "id"]
    r = client.patch(url, json={"actions": [{"owner_agency": "Police"}]},
                     headers={**bu.headers, "If-Match": new_etag})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "actions", 0, "description"]
    r = client.patch(url, json={"status": "carried_forward"}, headers={**bu.headers, "If-Match": new_etag})
    assert r.status_code == 422
    # open recommendations block closing; completing them unblocks it
    t = client.post(f"/api/v1/case-reviews/{case.id}/transitions", json={"action": "close"},
                    headers={**bu.headers, "If-Match": "*"})
    assert t.status_code == 409
    offered = client.get(f"/api/v1/case-reviews/{case.id}/transitions", headers=bu.headers).json()
    assert next(o for o in offered if o["action"] == "close")["blocked_reason"]
    items = updated["actions"]
    r = client.patch(url, json={"status": "completed",
                                "actions": [{"id": items[1]["id"], "status": "completed"}]},
                     headers={**bu.headers, "If-Match": new_etag})
    assert r.status_code == 200
    listed = client.get(base, headers=users["crg_chair"].headers).json()
    assert listed[0]["status"] == "completed"
    t = client.post(f"/api/v1/case-reviews/{case.id}/transitions", json={"action": "close"},
                    headers={**bu.headers, "If-Match": "*"})
    assert t.status_code == 200, t.text


def test_recommendations_only_once_a_review_is_under_way(client, db, users) -> None:
    bu = users["business_unit"]
    for state in ("received", "awaiting_decision", "closed", "withdrawn"):
        case = make_case(db, state)
        r = client.post(f"/api/v1/case-reviews/{case.id}/recommendations",
                        json={"text": "Something to improve."}, headers=bu.headers)
        assert r.status_code == 409, state
    case = make_case(db, "review_in_progress", decision="scr")
    r = client.post(f"/api/v1/case-reviews/{case.id}/recommendations",
                    json={"text": "Something to improve.", "actions": [{"description": "x"}]},
                    headers=bu.headers)
    assert r.status_code == 422
    assert ["body", "actions", 0, "owner_agency"] in [e["loc"] for e in r.json()["errors"]]
    r = client.post(f"/api/v1/case-reviews/{case.id}/recommendations",
                    json={"text": "Something to improve."}, headers=users["crg_chair"].headers)
    assert r.status_code == 403
