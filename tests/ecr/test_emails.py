"""The notifier is kept informed: receipt and decision emails delivered over a real local
SMTP server by the outbox worker's code, carrying only the reference and the decision."""

from __future__ import annotations

from tests.conftest import deliver_outbox
from tests.ecr.conftest import make_case

WHY = "The group found learning for several agencies here."
CASE_CONTENT = ("Testchild", "Alpha", "Synthetic", "Agencies may not", "Police", "2015-03-04",
                WHY)


def _assert_no_case_content(message: dict) -> None:
    for text in CASE_CONTENT:
        assert text not in message["body"] and text not in message["subject"], text


def test_receipt_and_crg_decision_emails(client, api, users, session_factory, smtp_server, db) -> None:
    out = api.create_public().json()
    ref = out["reference"]
    assert deliver_outbox(session_factory, smtp_server.url) == (1, 0)
    [receipt] = smtp_server.wait_for(1)
    assert receipt["to"] == ["notifier@example.org"]
    assert ref in receipt["subject"] and ref in receipt["body"]
    assert out["status_token"] not in receipt["body"]
    _assert_no_case_content(receipt)

    from sqlalchemy import select

    from ecr.models import CaseReview

    case_id = db.execute(select(CaseReview.id).where(CaseReview.reference == ref)).scalar_one()
    bu, chair = users["business_unit"], users["crg_chair"]
    for action in ("start_screening", "refer_to_group"):
        assert api.act(case_id, bu, action).status_code == 200
    assert deliver_outbox(session_factory, smtp_server.url) == (0, 0)  # no email for screening
    assert api.act(case_id, chair, "commission_management_review", rationale=WHY).status_code == 200
    assert deliver_outbox(session_factory, smtp_server.url) == (1, 0)
    messages = smtp_server.wait_for(2)
    decision = messages[1]
    assert decision["to"] == ["notifier@example.org"]
    assert ref in decision["body"] and "Management review" in decision["body"]
    _assert_no_case_content(decision)


def test_scr_emails_the_chairs_decision_not_the_recommendation(client, api, users, session_factory,
                                                               smtp_server, db) -> None:
    case = make_case(db, "awaiting_decision")
    ref = case.reference
    deliver_outbox(session_factory, smtp_server.url)  # the receipt
    start = len(smtp_server.messages)
    assert api.act(case.id, users["crg_chair"], "recommend_scr", rationale=WHY).status_code == 200
    assert api.act(case.id, users["independent_chair"], "decline_scr", rationale=WHY).status_code == 200
    assert deliver_outbox(session_factory, smtp_server.url) == (0, 0)  # still pending a decision
    assert api.act(case.id, users["crg_chair"], "recommend_scr", rationale=WHY).status_code == 200
    assert api.act(case.id, users["independent_chair"], "endorse_scr", rationale=WHY).status_code == 200
    assert deliver_outbox(session_factory, smtp_server.url) == (1, 0)
    message = smtp_server.wait_for(start + 1)[start]
    assert ref in message["body"] and "Serious Case Review" in message["body"]
    _assert_no_case_content(message)


def test_no_further_action_emails_the_label(api, users, session_factory, smtp_server, db, monkeypatch) -> None:
    from ecr.config import get_config

    monkeypatch.setenv("ECR_CASE_REVIEW_DECISION_LABELS", '{"nfa": "Limited multi-agency learning"}')
    get_config.cache_clear()
    try:
        case = make_case(db, "awaiting_decision")
        deliver_outbox(session_factory, smtp_server.url)
        start = len(smtp_server.messages)
        assert api.act(case.id, users["crg_chair"], "no_further_action", rationale=WHY).status_code == 200
        deliver_outbox(session_factory, smtp_server.url)
        message = smtp_server.wait_for(start + 1)[start]
        assert "Limited multi-agency learning" in message["body"]
    finally:
        get_config.cache_clear()
