"""The panel's analysis (API.md "Analysis"): per-domain factors scored 0 to 2, the event leading
to death, and the actions agreed at the panel tracked to completion with reminders to their
owners (stored deadlines, overdue, complete / cancel, after the review is closed too)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cdop import config
from core.audit.models import AuditEvent
from core.deadlines.models import Deadline
from core.outbox.models import OutboxMessage
from tests.cdop.helpers import API, make_case, transition

TODAY = dt.date(2026, 9, 14)  # a Monday; the clock is fixed here for every test of this file
DUE_1 = dt.date(2026, 11, 30)
DUE_2 = dt.date(2027, 1, 29)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(config, "today", lambda: TODAY)
    monkeypatch.setattr(config, "now", lambda: dt.datetime.combine(TODAY, dt.time(10), dt.UTC))


def analysis(**overrides):
    body = {
        "category": 10, "modifiable": "yes", "domain_scores": {"A": 1, "B": 2, "C": 1, "D": 0},
        "learning": "Safe sleep advice was not repeated after the family moved.",
        "refer_to_case_review": False,
        "event_leading_to_death": "Found unresponsive after sharing a sofa with a parent.",
        "factors": [
            {"domain": "A", "factor": "Born at 34 weeks", "score": 1},
            {"domain": "B", "factor": "Sofa sharing with a parent who had drunk alcohol", "score": 2,
             "comment": "The main factor"},
            {"domain": "C", "factor": "Overcrowded housing", "score": 1, "comment": None},
        ],
        "actions": [
            {"description": "Repeat safe sleep advice at every health visitor contact",
             "owner_agency": "Testshire Health Visiting", "owner_email": "hv.lead@example.org",
             "due_on": DUE_1.isoformat()},
            {"description": "Add safe sleep to the housing officers' training",
             "owner_agency": "Testshire Housing", "due_on": DUE_2.isoformat()},
        ],
    }
    body.update(overrides)
    return body


def analysed_case(client, db, chair, **overrides):
    case = make_case(db, status="scheduled_for_panel")
    db.commit()
    r = transition(client, case.id, chair, "record_analysis", **analysis(**overrides))
    assert r.status_code == 200, r.text
    return r.json()


def action_headers(user, action):
    return {**user.headers, "If-Match": f'"{action["version"]}"'}


# ---- factors, scores and the event ----


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"factors": [{"domain": "E", "factor": "x", "score": 1}]}, ["body", "factors", 0, "domain"]),
        ({"factors": [{"domain": "A", "factor": "x", "score": 3}]}, ["body", "factors", 0, "score"]),
        ({"factors": [{"domain": "A", "factor": "x", "score": -1}]}, ["body", "factors", 0, "score"]),
        ({"factors": [{"domain": "A", "factor": "x", "score": "1"}]}, ["body", "factors", 0, "score"]),
        ({"factors": [{"domain": "A", "factor": "  ", "score": 1}]}, ["body", "factors", 0, "factor"]),
        ({"factors": [{"domain": "A", "score": 1}]}, ["body", "factors", 0, "factor"]),
        ({"factors": [{"domain": "A", "factor": "x", "score": 1, "bogus": 1}]}, ["body", "factors", 0, "bogus"]),
        ({"factors": [{"domain": "A", "factor": "x", "score": 1}] * 61}, ["body", "factors"]),
        ({"event_leading_to_death": ""}, ["body", "event_leading_to_death"]),
        # a domain scored below its highest factor
        ({"domain_scores": {"A": 1, "B": 1, "C": 1, "D": 0}}, ["body", "domain_scores", "B"]),
        ({"domain_scores": {"A": 0, "B": 2, "C": 1, "D": 0}}, ["body", "domain_scores", "A"]),
        # actions: description, owner agency and due date, not in the past
        ({"actions": [{"owner_agency": "Testshire Police", "due_on": "2026-12-01"}]}, ["body", "actions", 0, "description"]),
        ({"actions": [{"description": "Do it", "due_on": "2026-12-01"}]}, ["body", "actions", 0, "owner_agency"]),
        ({"actions": [{"description": "Do it", "owner_agency": "Testshire Police"}]}, ["body", "actions", 0, "due_on"]),
        ({"actions": [{"description": "Do it", "owner_agency": "Testshire Police", "due_on": "2026-09-13"}]},
         ["body", "actions", 0, "due_on"]),
        ({"actions": [{"description": "Do it", "owner_agency": "Testshire Police", "due_on": "2026-12-01",
                       "owner_email": "not-an-email"}]}, ["body", "actions", 0, "owner_email"]),
        ({"actions": [{"description": "Do it", "owner": "Testshire Police", "due_on": "2026-12-01"}]},
         ["body", "actions", 0, "owner"]),
    ],
)
def test_factors_scores_and_actions_are_validated(client, db, chair, change, loc) -> None:
    case = make_case(db, status="scheduled_for_panel")
    db.commit()
    r = transition(client, case.id, chair, "record_analysis", **analysis(**change))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any(e["loc"][:len(loc)] == loc for e in r.json()["errors"]), r.json()["errors"]
    # nothing recorded: still waiting for the panel, no action rows
    again = client.get(f"{API}/child-deaths/{case.id}", headers=chair.headers).json()
    assert again["status"] == "scheduled_for_panel" and again["analysis"] is None
    assert client.get(f"{API}/child-deaths/{case.id}/actions", headers=chair.headers).json() == []


def test_a_domain_may_score_above_its_factors_and_due_today_is_allowed(client, db, chair) -> None:
    out = analysed_case(client, db, chair, domain_scores={"A": 2, "B": 2, "C": 1, "D": 1},
                        actions=[{"description": "Today", "owner_agency": "Testshire Police",
                                  "due_on": TODAY.isoformat()}])
    assert out["analysis"]["domain_scores"] == {"A": 2, "B": 2, "C": 1, "D": 1}


def test_the_analysis_keeps_factors_event_and_actions(client, db, chair, coordinator) -> None:
    out = analysed_case(client, db, chair)
    a = out["analysis"]
    assert a["event_leading_to_death"] == "Found unresponsive after sharing a sofa with a parent."
    assert a["factors"] == [
        {"domain": "A", "factor": "Born at 34 weeks", "score": 1, "comment": None},
        {"domain": "B", "factor": "Sofa sharing with a parent who had drunk alcohol", "score": 2,
         "comment": "The main factor"},
        {"domain": "C", "factor": "Overcrowded housing", "score": 1, "comment": None},
    ]
    assert [(x["description"], x["owner_agency"], x["owner_email"], x["due_on"], x["status"], x["overdue"])
            for x in a["actions"]] == [
        ("Repeat safe sleep advice at every health visitor contact", "Testshire Health Visiting",
         "hv.lead@example.org", "2026-11-30", "open", False),
        ("Add safe sleep to the housing officers' training", "Testshire Housing", None, "2027-01-29", "open", False),
    ]
    listed = client.get(f"{API}/child-deaths/{out['id']}/actions", headers=coordinator.headers)
    assert listed.status_code == 200 and listed.json() == a["actions"]
    # one stored deadline per action, due on its due date
    rows = db.execute(select(Deadline.kind, Deadline.due_on, Deadline.met_at)
                      .where(Deadline.subject_type == "child_death", Deadline.subject_id == out["id"],
                             Deadline.kind.like("cdop_action:%")).order_by(Deadline.due_on)).all()
    assert [(k, d, m) for k, d, m in rows] == [
        (f"cdop_action:{a['actions'][0]['id']}", DUE_1, None), (f"cdop_action:{a['actions'][1]['id']}", DUE_2, None)]
    history = client.get(f"{API}/child-deaths/{out['id']}/history", headers=chair.headers).json()
    assert history[-1]["data"]["action_ids"] == [x["id"] for x in a["actions"]]


def test_the_score_words_are_the_2018_analysis_forms(client, coordinator) -> None:
    wf = client.get(f"{API}/workflows/child-death", headers=coordinator.headers).json()
    analysis_t = next(t for t in wf["transitions"] if t["action"] == "record_analysis")
    labels = {i["name"]: i["label"] for i in analysis_t["inputs"]}
    # DOMAIN.md: "0 = information not available, 1 = no factors or unlikely to have contributed,
    # 2 = may have contributed"
    for words in ("0 = information not available",
                  "1 = no factors identified, or factors identified but unlikely to have contributed",
                  "2 = factors identified that may have contributed to the death"):
        assert words in labels["domain_scores"] and words in labels["factors"]
    assert {"factors", "event_leading_to_death", "actions"} <= set(analysis_t["optional_fields"])


# ---- completing and cancelling actions ----


def test_the_coordinator_completes_an_action_with_if_match(client, db, chair, coordinator) -> None:
    out = analysed_case(client, db, chair)
    first, second = out["analysis"]["actions"]
    url = f"{API}/child-deaths/{out['id']}/actions/{first['id']}/complete"
    body = {"completed_on": "2026-09-14", "evidence": "Health visiting procedure updated (v4, section 2)."}
    assert client.post(url, json=body, headers=coordinator.headers).status_code == 428
    assert client.post(url, json=body, headers={**coordinator.headers, "If-Match": '"99"'}).status_code == 412
    assert client.post(url, json=body, headers=action_headers(chair, first)).status_code == 403
    bad = client.post(url, json={**body, "completed_on": "2026-09-15"}, headers=action_headers(coordinator, first))
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "completed_on"]
    bad = client.post(url, json={"completed_on": "2026-09-14"}, headers=action_headers(coordinator, first))
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "evidence"]
    other_case = make_case(db, status="reviewed")
    db.commit()
    assert client.post(f"{API}/child-deaths/{other_case.id}/actions/{first['id']}/complete", json=body,
                       headers=action_headers(coordinator, first)).status_code == 404

    r = client.post(url, json=body, headers=action_headers(coordinator, first))
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "completed" and done["completed_on"] == "2026-09-14"
    assert done["evidence"] == body["evidence"] and done["closed_by"] == f"user:{coordinator.id}"
    assert r.headers["etag"] == f'"{done["version"]}"' and done["version"] > first["version"]
    assert client.post(url, json=body, headers=action_headers(coordinator, done)).status_code == 409
    met = db.execute(select(Deadline).where(Deadline.kind == f"cdop_action:{first['id']}")).scalar_one()
    assert met.outcome == "met_on_time"
    # the case shows it; the other action is untouched
    actions = client.get(f"{API}/child-deaths/{out['id']}", headers=chair.headers).json()["analysis"]["actions"]
    assert [x["status"] for x in actions] == ["completed", "open"]
    assert actions[1] == second
    audited = db.execute(select(AuditEvent.action, AuditEvent.data).where(
        AuditEvent.subject_id == str(out["id"]), AuditEvent.action == "child_death.action_complete")).all()
    assert [(a, d) for a, d in audited] == [("child_death.action_complete", {"action_id": first["id"]})]


def test_a_cancelled_action_needs_a_reason_and_waives_its_deadline(client, db, chair, coordinator) -> None:
    out = analysed_case(client, db, chair)
    action = out["analysis"]["actions"][1]
    url = f"{API}/child-deaths/{out['id']}/actions/{action['id']}/cancel"
    bad = client.post(url, json={"reason": ""}, headers=action_headers(coordinator, action))
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "reason"]
    r = client.post(url, json={"reason": "The housing service was recommissioned."},
                    headers=action_headers(coordinator, action))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["cancelled_reason"] == "The housing service was recommissioned."
    deadline = db.execute(select(Deadline).where(Deadline.kind == f"cdop_action:{action['id']}")).scalar_one()
    assert deadline.outcome == "waived" and "recommissioned" in deadline.waived_reason
    done = {"evidence": "x"}
    assert client.post(f"{API}/child-deaths/{out['id']}/actions/{action['id']}/complete", json=done,
                       headers=action_headers(coordinator, r.json())).status_code == 409


def test_actions_are_followed_after_the_review_is_closed(client, db, chair, coordinator) -> None:
    out = analysed_case(client, db, chair)
    closed = transition(client, out["id"], coordinator, "close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    actions = closed.json()["analysis"]["actions"]
    assert [x["status"] for x in actions] == ["open", "open"]
    assert db.execute(select(Deadline).where(Deadline.kind == f"cdop_action:{actions[0]['id']}")).scalar_one().outcome is None
    r = client.post(f"{API}/child-deaths/{out['id']}/actions/{actions[0]['id']}/complete",
                    json={"evidence": "Done after the review closed."}, headers=action_headers(coordinator, actions[0]))
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["completed_on"] == "2026-09-14"


def test_an_overdue_action_is_overdue_and_listed(client, db, chair, coordinator, monkeypatch) -> None:
    out = analysed_case(client, db, chair)
    other = make_case(db, status="reviewed")
    db.commit()
    monkeypatch.setattr(config, "today", lambda: DUE_1 + dt.timedelta(days=1))
    actions = client.get(f"{API}/child-deaths/{out['id']}/actions", headers=coordinator.headers).json()
    assert [x["overdue"] for x in actions] == [True, False]
    listed = client.get(f"{API}/child-deaths?overdue=true", headers=coordinator.headers)
    assert listed.status_code == 200, listed.text
    ids = [i["id"] for i in listed.json()["items"]]
    assert out["id"] in ids and other.id not in ids
    # done (late): no longer overdue, and the deadline says it was met late
    r = client.post(f"{API}/child-deaths/{out['id']}/actions/{actions[0]['id']}/complete",
                    json={"evidence": "Done."}, headers=action_headers(coordinator, actions[0]))
    assert r.status_code == 200 and r.json()["overdue"] is False
    assert db.execute(select(Deadline).where(Deadline.kind == f"cdop_action:{actions[0]['id']}")).scalar_one().outcome == "met_late"
    ids = [i["id"] for i in client.get(f"{API}/child-deaths?overdue=true", headers=coordinator.headers).json()["items"]]
    assert out["id"] not in ids


def test_only_readers_list_actions(client, db, chair, panel_member, make_user) -> None:
    out = analysed_case(client, db, chair)
    author = make_user("agency_author")
    for user in (panel_member, author):
        assert client.get(f"{API}/child-deaths/{out['id']}/actions", headers=user.headers).status_code == 403
    assert client.get(f"{API}/child-deaths/999999/actions", headers=chair.headers).status_code == 404


# ---- reminders to the owner ----


def _mails(db, to):
    db.expire_all()
    return db.execute(select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(OutboxMessage.id)).scalars().all()


def test_owners_are_reminded_before_and_after_the_due_date_once_per_period(client, db, session_factory, chair,
                                                                          coordinator) -> None:
    from cdop import service
    from core.registry import PERIODIC_JOBS
    from core.settings import get_settings

    assert PERIODIC_JOBS["cdop.action_reminders"] is service.action_reminder_job
    out = analysed_case(client, db, chair, actions=[
        {"description": "Repeat safe sleep advice", "owner_agency": "Testshire Health Visiting",
         "owner_email": "hv.lead@example.org", "due_on": DUE_1.isoformat()},
        {"description": "Train housing officers", "owner_agency": "Testshire Housing", "due_on": DUE_1.isoformat()},
    ])
    version = out["analysis"]["actions"][0]["version"]

    def run(day):
        with session_factory() as s:
            n = service.action_reminder_job(s, day)
            s.commit()
        return n

    assert run(DUE_1 - dt.timedelta(days=10)) == 0  # not yet
    assert run(DUE_1 - dt.timedelta(days=3)) == 2   # due soon: each owner once
    assert run(DUE_1 - dt.timedelta(days=3)) == 0   # the same day again: nothing twice
    assert run(DUE_1 - dt.timedelta(days=1)) == 0   # already reminded before the due date
    assert run(DUE_1 + dt.timedelta(days=1)) == 0   # overdue, but reminded less than a week ago
    assert run(DUE_1 + dt.timedelta(days=4)) == 0   # 7 days: still within the week
    assert run(DUE_1 + dt.timedelta(days=5)) == 2   # overdue, more than a week after the last reminder
    assert run(DUE_1 + dt.timedelta(days=5)) == 0
    assert run(DUE_1 + dt.timedelta(days=11)) == 0  # less than a week again
    mails = _mails(db, "hv.lead@example.org")
    assert [m.subject for m in mails] == [f"Child death review action {out['reference']} is due soon",
                                          f"Child death review action {out['reference']} is overdue"]
    assert "Repeat safe sleep advice" in mails[0].body and "2026-11-30" in mails[0].body
    assert "Testchild" not in mails[0].body and out["child"]["last_name"] not in mails[0].body
    # no owner email: the panel's contact address is reminded
    assert len(_mails(db, get_settings().contact_email)) >= 2
    # a completed action is never reminded again; reminders leave the action's version alone
    action = client.get(f"{API}/child-deaths/{out['id']}/actions", headers=coordinator.headers).json()[0]
    assert action["reminders_sent"] == 2 and action["version"] == version
    r = client.post(f"{API}/child-deaths/{out['id']}/actions/{action['id']}/complete",
                    json={"evidence": "Done.", "completed_on": TODAY.isoformat()}, headers=action_headers(coordinator, action))
    assert r.status_code == 200, r.text
    assert run(DUE_1 + dt.timedelta(days=30)) == 1  # only the housing action
    assert len(_mails(db, "hv.lead@example.org")) == 2
    audited = db.execute(select(AuditEvent).where(AuditEvent.action == "child_death.action_reminder",
                                                  AuditEvent.subject_id == str(out["id"]))).scalars().all()
    assert len(audited) == 5


# ---- the actions recorded before they became rows (migration 0014) ----


def test_migration_moves_recorded_actions_to_rows_and_back(tmp_path) -> None:
    from alembic import command
    from sqlalchemy import JSON, bindparam, create_engine, text

    from core.migrations import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url, "0013_cdop_form_definitions")
    engine = create_engine(url)
    now = dt.datetime(2026, 6, 1, 12, 0)
    with engine.begin() as conn:
        row = {"id": 7, "reference": "CD-2026-0007", "status": "reviewed", "actions": [
            {"description": "Circulate the leaflet", "owner": "Testshire Health", "due_on": "2026-07-31"},
            {"description": "Review the pathway", "owner": None, "due_on": None}]}
        for _cid, name, type_, notnull, default, _pk in conn.execute(text("PRAGMA table_info(cdop_child_deaths)")):
            if notnull and default is None and name not in row and name != "id":
                t = type_.upper()
                row[name] = (0 if "INT" in t or "BOOL" in t else now if "DATETIME" in t else
                             dt.date(2026, 1, 1) if "DATE" in t else [] if "JSON" in t else "x")
        conn.execute(text(f"INSERT INTO cdop_child_deaths ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})")
                     .bindparams(*[bindparam(c, type_=JSON) for c, v in row.items() if isinstance(v, list)]), row)
    upgrade(url, "head")
    with engine.connect() as conn:
        moved = conn.execute(text("SELECT position, description, owner_agency, due_on, status FROM cdop_actions "
                                  "WHERE child_death_id = 7 ORDER BY position")).all()
        assert [tuple(r) for r in moved] == [(1, "Circulate the leaflet", "Testshire Health", "2026-07-31", "open"),
                                            (2, "Review the pathway", "not recorded", None, "open")]
        assert conn.execute(text("SELECT actions FROM cdop_child_deaths WHERE id = 7")).scalar() is None
    command.downgrade(alembic_config(url), "0013_cdop_form_definitions")
    with engine.connect() as conn:
        import json
        back = json.loads(conn.execute(text("SELECT actions FROM cdop_child_deaths WHERE id = 7")).scalar())
        assert back == [{"description": "Circulate the leaflet", "owner": "Testshire Health", "due_on": "2026-07-31"},
                        {"description": "Review the pathway", "owner": "not recorded", "due_on": None}]
    engine.dispose()
