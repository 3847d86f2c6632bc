"""Public intake writes its rows with Core statements: exactly the rows the ORM path wrote
(case, deadlines, history, audit event, receipt email, idempotency record), in a constant
number of statements; staff entry and referrals get a usable entity without reading it back."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import event, func, select, text

from core.audit.models import AuditEvent
from core.deadlines.models import Deadline
from core.idempotency.models import IdempotencyRecord
from core.outbox.models import OutboxMessage
from core.workflow.models import WorkflowHistory
from ecr.models import CaseReview
from tests.conftest import IS_POSTGRES
from tests.ecr.conftest import body

URL = "/api/v1/public/case-review-notifications"


@pytest.mark.usefixtures("wt2015_default")
def test_public_intake_stores_the_same_rows(client, db) -> None:
    r = client.post(URL, json=body(child__ethnicity="Not stated"), headers={"Idempotency-Key": "rows-1"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert r.headers["Location"] == f"{URL}/{out['reference']}/status"
    case = db.execute(select(CaseReview).where(CaseReview.reference == out["reference"])).scalar_one()
    today = dt.date.today()
    assert (case.regime, case.status, case.source, case.created_by) == ("WT2015", "received", "public", "public")
    assert case.version == 1 and case.received_on == today
    assert case.received_at == case.status_changed_at
    assert case.created_at.tzinfo is not None and case.created_at == case.updated_at
    assert (case.notifier_name, case.notifier_email, case.notifier_agency, case.notifier_role,
            case.notifier_phone) == ("Testnotifier Bravo", "notifier@example.org",
                                     "Example Health Trust", "Named nurse", None)
    assert (case.child_first_name, case.child_last_name, case.child_date_of_birth, case.child_sex,
            case.child_ethnicity, case.child_address) == (
        "Testchild", "Alpha", dt.date(2015, 3, 4), "female", "Not stated", None)
    assert (case.incident_date, case.incident_type) == (dt.date(2026, 1, 10), "serious_harm")
    assert case.abuse_or_neglect_suspected is True
    assert case.agencies_involved == ["Police", "Children's social care"]
    assert case.decision is None and case.child_death_reference is None and case.referred_by is None
    assert len(case.status_token_hash or "") == 64
    # JSON columns never set stay SQL NULL (not the JSON value null), as the ORM left them
    nulls = db.execute(text(
        "SELECT scr_recommendation IS NULL, scr_decision IS NULL FROM ecr_case_reviews WHERE id = :id"
    ), {"id": case.id}).one()
    assert tuple(nulls) == (True, True)

    deadlines = db.execute(select(Deadline).where(Deadline.subject_type == "case_review",
                                                  Deadline.subject_id == case.id)
                           .order_by(Deadline.kind)).scalars().all()
    assert [(d.kind, d.label, d.start_on, d.outcome) for d in deadlines] == [
        ("decision", "Decision on the notification", today, None),
        ("screening", "Screening to the Case Review Group's recommendation", today, None),
    ]
    assert all(d.created_at is not None for d in deadlines)

    history = db.execute(select(WorkflowHistory).where(WorkflowHistory.subject_type == "case_review",
                                                       WorkflowHistory.subject_id == case.id)).scalars().all()
    assert [(h.actor, h.actor_name, h.action, h.from_state, h.to_state, h.note, h.data)
            for h in history] == [("public", "Public notification form", "receive", None, "received",
                                   None, {})]

    events = db.execute(select(AuditEvent).where(AuditEvent.action == "case_review.create",
                                                 AuditEvent.subject_id == str(case.id))).scalars().all()
    assert len(events) == 1
    assert (events[0].actor, events[0].subject_type, events[0].data) == (
        "public", "case_review", {"reference": out["reference"], "source": "public"})

    mails = db.execute(select(OutboxMessage).where(OutboxMessage.topic == f"case_review:{case.id}")).scalars().all()
    assert len(mails) == 1
    mail = mails[0]
    assert (mail.kind, mail.status, mail.attempts, mail.to_addr, mail.sent_at, mail.last_error) == (
        "email", "pending", 0, "notifier@example.org", None, None)
    assert mail.subject == f"Case review notification {out['reference']} received"
    assert mail.next_attempt_at is not None and mail.created_at is not None

    # keyed by the path itself (a path without parameters carries no secret to hide)
    record = db.get(IdempotencyRecord, (URL, "rows-1"))
    assert record is not None and record.status_code == 201 and len(record.request_hash) == 64


def test_no_email_no_outbox_row(client, db) -> None:
    from ecr import service
    from ecr.schemas import PublicNotificationIn

    before = db.scalar(select(func.count()).select_from(OutboxMessage))
    payload = PublicNotificationIn.model_validate(body())
    payload.notifier.email = None  # as a referral from the child death module has none
    created, token = service.create_public(db, payload)
    db.flush()
    assert created.reference.startswith("CR-") and token
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_public_intake_uses_a_constant_number_of_statements(client, engine) -> None:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            return
        if "core_audit" not in statement:  # the audit append is core.audit's own business
            statements.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        seen = []
        for i in range(2):
            statements.clear()
            r = client.post(URL, json=body(), headers={"Idempotency-Key": f"count-{i}"})
            assert r.status_code == 201, r.text
            seen.append(list(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # (the advisory lock on PostgreSQL), the key lookup, the counter, then one INSERT each for
    # the case, its deadlines (both in one executemany), the history row, the email and the key
    assert seen[0] == seen[1]
    assert len(seen[0]) == (8 if IS_POSTGRES else 7), seen[0]
    assert sum(s.startswith("INSERT INTO") for s in seen[0]) == 6, seen[0]


def test_staff_entry_gives_an_entity_without_reading_it_back(db, engine) -> None:
    from ecr import service
    from ecr.schemas import StaffNotificationIn

    selects: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        case, token = service.create_notification(
            db, StaffNotificationIn.model_validate(body()), source="staff", actor="user:1",
            actor_name="Test Staff", with_token=False)
        assert token is None
        assert case in db and case.id is not None and case.etag == '"1"'
        assert (case.status, case.decision, case.scr_recommendation, case.closed_at) == (
            "received", None, None, None)
        assert case.child_first_name == "Testchild" and case.agencies_involved == [
            "Police", "Children's social care"]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert not [s for s in selects if "ecr_case_reviews" in s], selects
    # the entity is a normal persistent one: a change is an UPDATE with the version check
    case.child_sex = "unknown"
    db.flush()
    assert case.version == 2
    db.expire_all()
    assert db.get(CaseReview, case.id).child_sex == "unknown"


@pytest.mark.postgres
def test_postgres_intake_is_not_serialised_through_the_commit(committed_db, engine) -> None:
    """A notification whose transaction is still open (held just before it stores its key, i.e.
    after its reference, rows, audit event and email) does not hold back another one."""
    from fastapi.testclient import TestClient

    from core.app import create_app
    from core.settings import get_settings

    reached, release = threading.Event(), threading.Event()
    armed = [True]

    def gate(_conn, _cursor, statement, *_args) -> None:
        if "INSERT INTO core_idempotency_keys" in statement and armed[0]:
            armed[0] = False
            reached.set()
            release.wait(30)

    app = create_app(get_settings(), committed_db, start_worker=False)
    results: dict[str, object] = {}
    event.listen(engine, "before_cursor_execute", gate)
    try:
        with TestClient(app, raise_server_exceptions=False) as c:
            first = threading.Thread(target=lambda: results.__setitem__(
                "first", c.post(URL, json=body(), headers={"Idempotency-Key": "held-1"})))
            first.start()
            assert reached.wait(20), "the first request never reached its key"
            second = threading.Thread(target=lambda: results.__setitem__(
                "second", c.post(URL, json=body(child__last_name="Bravo"),
                                 headers={"Idempotency-Key": "free-2"})))
            second.start()
            second.join(15)
            assert not second.is_alive(), "the second notification waited for the first one"
            release.set()
            first.join(30)
    finally:
        release.set()
        event.remove(engine, "before_cursor_execute", gate)
    a, b = results["first"], results["second"]
    assert a.status_code == 201 and b.status_code == 201, (a.text, b.text)
    numbers = sorted(int(r.json()["reference"].rsplit("-", 1)[1]) for r in (a, b))
    assert numbers[1] == numbers[0] + 1
    with committed_db() as s:
        assert s.scalar(select(func.count()).select_from(CaseReview)) == 2
