"""Reporting forms: requested on start, single-use links, agency authors, waivers, reminders."""

from __future__ import annotations

import datetime as dt
import uuid

from jose import jwt
from sqlalchemy import select

from core.agency_requests.models import AgencyRequest
from core.deadlines import add_working_days
from core.outbox.models import OutboxMessage
from core.settings import get_settings
from cdop.config import get_config
from tests.cdop.helpers import API, all_sections, links_in, notification, quick_user, transition


def _latest_link(db, to: str) -> str:
    rows = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == to)
                      .order_by(OutboxMessage.id.desc())).scalars().all()
    assert rows, f"no email to {to}"
    found = links_in(rows[0].body)
    assert found, rows[0].body
    return found[0]


def _started_case(client, coordinator):
    case = client.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
    r = transition(client, case["id"], coordinator, "start_information_gathering")
    assert r.status_code == 200, r.text
    return r.json()


def test_start_requests_one_form_per_agency_and_emails_links(client, db, coordinator) -> None:
    case = _started_case(client, coordinator)
    forms = case["reporting_forms"]
    assert [f["agency"] for f in forms] == ["Testshire Police", "Testshire GP Practice"]
    expected_due = add_working_days(dt.date.today(), get_config().reporting_form_due_working_days)
    assert {f["due_on"] for f in forms} == {expected_due.isoformat()}
    assert {f["status"] for f in forms} == {"requested"}
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "police.cdop@example.org")).scalar_one()
    assert case["reference"] in mail.body and links_in(mail.body)
    for identifier in ("Testchild", "Bravo", "9434765919", "Testing Lane", "Nora"):
        assert identifier not in mail.body
    history = client.get(f"{API}/child-deaths/{case['id']}/history", headers=coordinator.headers).json()
    assert history[-1]["data"]["reporting_forms_requested"] == 2


def test_link_shows_form_once_then_dies(client, db, coordinator) -> None:
    case = _started_case(client, coordinator)
    token = _latest_link(db, "police.cdop@example.org")
    url = f"{API}/public/reporting-forms/{token}"
    view = client.get(url)
    assert view.status_code == 200, view.text
    v = view.json()
    assert v["reference"] == case["reference"] and v["agency"] == "Testshire Police"
    assert v["child_age_band"] == "5 to 9 years"
    assert [s["key"] for s in v["sections"]][0] == "agency_involvement"
    text = view.text
    for identifier in ("Testchild", "Bravo", "9434765919", "2021-03-15", "Testing Lane", "Nora", "nora.notifier"):
        assert identifier not in text

    # answer keys are validated; every section answered or not known, never both
    bad = client.post(url, json={"answers": {"nonsense": "x"}, "not_known": []})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:2] == ["body", "answers"]
    both = client.post(url, json={"answers": {"health": "x"}, "not_known": ["health", "agency_involvement",
                       "family_and_environment", "parenting_capacity", "service_provision", "other_information"]})
    assert both.status_code == 422
    missing = client.post(url, json={"answers": {"health": "Known to the service."}, "not_known": []})
    assert missing.status_code == 422 and "missing" in missing.json()["detail"]
    extra = client.post(url, json={**all_sections(health="x"), "extra": 1})
    assert extra.status_code == 422

    ok = client.post(url, json=all_sections(health="Seen by the health visitor.", agency_involvement="Known since 2022."))
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "submitted"
    assert client.post(url, json=all_sections(health="again")).status_code == 404
    assert client.get(url).status_code == 404

    forms = client.get(f"{API}/child-deaths/{case['id']}/reporting-forms", headers=coordinator.headers).json()
    police = next(f for f in forms if f["agency"] == "Testshire Police")
    assert police["status"] == "submitted"
    assert police["answers"]["health"] == "Seen by the health visitor."
    assert "other_information" in police["not_known"]


def test_altered_expired_and_superseded_links_are_404(client, db, coordinator) -> None:
    case = _started_case(client, coordinator)
    token = _latest_link(db, "gp.practice@example.org")
    head, payload, sig = token.split(".")
    altered = f"{head}.{payload}.{sig[:-2]}{'AA' if not sig.endswith('AA') else 'BB'}"
    assert client.get(f"{API}/public/reporting-forms/{altered}").status_code == 404
    assert client.get(f"{API}/public/reporting-forms/not-a-token-at-all").status_code == 404
    assert client.get(f"{API}/public/reporting-forms/abc").status_code == 404
    assert client.get(f"{API}/public/reporting-forms/{'x' * 3000}").status_code == 404
    assert client.post(f"{API}/public/reporting-forms/{altered}", json=all_sections()).status_code == 404

    # an expired link (correctly signed, the current jti, but past its expiry)
    req = db.execute(select(AgencyRequest).where(AgencyRequest.subject_id == case["id"],
                                                 AgencyRequest.agency == "Testshire GP Practice")).scalar_one()
    settings = get_settings()
    jti = uuid.uuid4().hex
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    expired = jwt.encode({"sub": f"agency_request:{req.id}", "aud": "ecr-agency-link", "iss": settings.token_issuer,
                          "iat": int((past - dt.timedelta(days=28)).timestamp()), "exp": int(past.timestamp()),
                          "jti": jti, "typ": "agency_link"}, settings.secret_key, algorithm="HS256")
    req.link_jti = jti
    db.commit()
    assert client.get(f"{API}/public/reporting-forms/{expired}").status_code == 404
    assert client.post(f"{API}/public/reporting-forms/{expired}", json=all_sections()).status_code == 404

    # a resend supersedes the earlier link
    r = client.post(f"{API}/child-deaths/{case['id']}/reporting-forms/{req.id}/resend", headers=coordinator.headers)
    assert r.status_code == 200, r.text
    fresh = _latest_link(db, "gp.practice@example.org")
    assert fresh != token
    assert client.get(f"{API}/public/reporting-forms/{token}").status_code == 404
    assert client.get(f"{API}/public/reporting-forms/{fresh}").status_code == 200


def test_mark_ready_needs_every_form_in_and_waive(client, db, coordinator) -> None:
    case = _started_case(client, coordinator)
    r = transition(client, case["id"], coordinator, "mark_ready_for_panel")
    assert r.status_code == 409
    assert "Testshire Police" in r.json()["detail"] and "Testshire GP Practice" in r.json()["detail"]
    options = client.get(f"{API}/child-deaths/{case['id']}/transitions", headers=coordinator.headers).json()
    ready = next(o for o in options if o["action"] == "mark_ready_for_panel")
    assert "Testshire Police" in ready["blocked_reason"]

    police, gp = case["reporting_forms"]
    url = f"{API}/child-deaths/{case['id']}/reporting-forms/{police['id']}/waive"
    assert client.post(url, json={}, headers=coordinator.headers).status_code == 422
    w = client.post(url, json={"reason": "No involvement with the family."}, headers=coordinator.headers)
    assert w.status_code == 200 and w.json()["status"] == "waived"
    assert client.post(url, json={"reason": "again"}, headers=coordinator.headers).status_code == 409
    r = transition(client, case["id"], coordinator, "mark_ready_for_panel")
    assert r.status_code == 409 and "Testshire GP Practice" in r.json()["detail"]
    assert "Testshire Police" not in r.json()["detail"]

    token = _latest_link(db, "gp.practice@example.org")
    assert client.post(f"{API}/public/reporting-forms/{token}", json=all_sections(health="n/a")).status_code == 200
    r = transition(client, case["id"], coordinator, "mark_ready_for_panel",
                   cdrm_not_required_reason="The panel's own review is enough (synthetic).")
    assert r.status_code == 200 and r.json()["status"] == "ready_for_panel"


def test_added_form_for_assigned_agency_author(client, db, session_factory, coordinator) -> None:
    case = _started_case(client, coordinator)
    author = quick_user(session_factory, "agency_author", agency="Testshire School")
    other_author = quick_user(session_factory, "agency_author", agency="Elsewhere")
    url = f"{API}/child-deaths/{case['id']}/reporting-forms"
    not_author = quick_user(session_factory, "business_unit")
    bad = client.post(url, json={"agency": "Testshire School", "assignee_user_id": not_author.id},
                      headers=coordinator.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "assignee_user_id"]
    past = client.post(url, json={"agency": "Testshire School", "due_on": "2020-01-01"}, headers=coordinator.headers)
    assert past.status_code == 422 and past.json()["errors"][0]["loc"] == ["body", "due_on"]
    r = client.post(url, json={"agency": "Testshire School", "assignee_user_id": author.id, "due_on": "2099-01-30"},
                    headers=coordinator.headers)
    assert r.status_code == 201, r.text
    form = r.json()
    assert form["due_on"] == "2099-01-30" and form["assignee_user_id"] == author.id
    assert db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == author.email)).scalar_one()

    mine = client.get(f"{API}/reporting-forms/mine", headers=author.headers).json()["items"]
    assert [m["form_id"] for m in mine] == [form["id"]]
    assert mine[0]["reference"] == case["reference"] and "Testchild" not in str(mine)
    assert client.get(f"{API}/reporting-forms/mine", headers=other_author.headers).json()["items"] == []
    # authors read no child death records
    assert client.get(f"{API}/child-deaths/{case['id']}", headers=author.headers).status_code == 403
    assert client.get(f"{API}/child-deaths", headers=author.headers).status_code == 403

    submit = f"{API}/child-deaths/{case['id']}/reporting-forms/{form['id']}/submit"
    assert client.post(submit, json=all_sections(health="x"), headers=other_author.headers).status_code == 404
    assert client.post(f"{API}/child-deaths/{case['id'] + 999}/reporting-forms/{form['id']}/submit",
                       json=all_sections(health="x"), headers=author.headers).status_code == 404
    ok = client.post(submit, json=all_sections(agency_involvement="Attended the school nursery."), headers=author.headers)
    assert ok.status_code == 200, ok.text
    assert client.post(submit, json=all_sections(health="x"), headers=author.headers).status_code == 409
    assert client.get(f"{API}/reporting-forms/mine", headers=author.headers).json()["items"] == []
    assert len(client.get(f"{API}/reporting-forms/mine?open_only=false", headers=author.headers).json()["items"]) == 1


def test_reminders_before_and_after_due_date_with_fresh_links(client, db, session_factory, coordinator, monkeypatch) -> None:
    from cdop import service

    case = _started_case(client, coordinator)
    due = dt.date.fromisoformat(case["reporting_forms"][0]["due_on"])
    first = _latest_link(db, "police.cdop@example.org")
    db.expire_all()
    with session_factory() as s:
        assert service.reminder_job(s, due - dt.timedelta(days=2)) == 2
        s.commit()
    second = _latest_link(db, "police.cdop@example.org")
    assert second != first
    assert client.get(f"{API}/public/reporting-forms/{first}").status_code == 404
    assert client.get(f"{API}/public/reporting-forms/{second}").status_code == 200
    with session_factory() as s:
        assert service.reminder_job(s, due - dt.timedelta(days=1)) == 0  # already reminded before the due date
        assert service.reminder_job(s, due + dt.timedelta(days=3)) == 2  # overdue
        s.commit()
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "police.cdop@example.org")
                      .order_by(OutboxMessage.id.desc())).scalars().first()
    assert mail.subject.startswith("Overdue") and case["reference"] in mail.subject
    from core.registry import PERIODIC_JOBS
    assert PERIODIC_JOBS["cdop.reporting_form_reminders"] is service.reminder_job


def test_links_use_the_running_apps_public_base_url(session_factory, db) -> None:
    from fastapi.testclient import TestClient

    from core.app import create_app
    from core.settings import Settings

    settings = Settings(public_base_url="https://cdop.example.org/", secret_key=get_settings().secret_key)
    app = create_app(settings, session_factory=session_factory, start_worker=False)
    coordinator = quick_user(session_factory, "cdop_coordinator")
    with TestClient(app) as other:
        case = other.post(f"{API}/child-deaths", json=notification(), headers=coordinator.headers).json()
        assert transition(other, case["id"], coordinator, "start_information_gathering").status_code == 200
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == "police.cdop@example.org")).scalar_one()
    assert "https://cdop.example.org/api/v1/public/reporting-forms/" in mail.body
