"""Bug 9: emails to staff link to the staff app page where the work is (``/app/...``), never
"sign in" at ``/`` (404). The single-use link for an agency contact without an account stays."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.outbox.models import OutboxMessage
from core.settings import Settings, get_settings
from tests.cdop.helpers import API, notification, quick_user, transition

BASE = "https://cdop.example.org"


def _mails_to(db, address: str) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == address)
                           .order_by(OutboxMessage.id)).scalars())


def test_assigned_author_is_sent_to_my_forms_and_contacts_keep_their_link(session_factory, db) -> None:
    from core.app import create_app

    settings = Settings(public_base_url=BASE + "/", secret_key=get_settings().secret_key)
    app = create_app(settings, session_factory=session_factory, start_worker=False)
    coordinator = quick_user(session_factory, "cdop_coordinator")
    author = quick_user(session_factory, "agency_author", agency="Testshire School")
    with TestClient(app) as client:
        case = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
        assert transition(client, case["id"], coordinator, "start_information_gathering").status_code == 200
        r = client.post(f"{API}/child-deaths/{case['id']}/reporting-forms",
                        json={"agency": "Testshire School", "assignee_user_id": author.id},
                        headers=coordinator.headers)
        assert r.status_code == 201, r.text
        (mail,) = _mails_to(db, author.email)
        assert f"{BASE}/app/my-forms" in mail.body, mail.body
        assert "sign in" not in mail.body.lower()
        assert f"{BASE}/\n" not in mail.body and not mail.body.rstrip().endswith(f"{BASE}/")
        assert case["reference"] in mail.body and "Testchild" not in mail.body

        # the agency contact without an account: the single-use public link, as before
        (contact,) = _mails_to(db, "police.cdop@example.org")
        assert f"{BASE}/forms/reporting/" in contact.body
        assert f"{BASE}/api/v1/public/reporting-forms/" in contact.body
        assert "/app/" not in contact.body


def test_reminder_to_an_assigned_author_links_to_my_forms(client, db, session_factory, coordinator) -> None:
    from cdop.service import reminder_job

    author = quick_user(session_factory, "agency_author", agency="Testshire School")
    case = client.post(f"{API}/child-deaths", json=notification(agencies=[]), headers=coordinator.headers).json()
    assert transition(client, case["id"], coordinator, "start_information_gathering").status_code == 200
    form = client.post(f"{API}/child-deaths/{case['id']}/reporting-forms",
                       json={"agency": "Testshire School", "assignee_user_id": author.id},
                       headers=coordinator.headers).json()
    due = dt.date.fromisoformat(form["due_on"])
    with session_factory() as s:
        assert reminder_job(s, due + dt.timedelta(days=1)) == 1
        s.commit()
    reminder = _mails_to(db, author.email)[-1]
    assert reminder.subject.endswith("is overdue")
    base = get_settings().public_base_url.rstrip("/")
    assert f"{base}/app/my-forms" in reminder.body and "sign in" not in reminder.body.lower()


def test_coordinator_links_point_at_the_case_page() -> None:
    from cdop.emails import staff_case_url

    settings = Settings(public_base_url=BASE + "/", secret_key=get_settings().secret_key)
    assert staff_case_url(settings, 42) == f"{BASE}/app/child-deaths/42"
