"""The plain SQL of the floor app: what each benchmarked endpoint cannot avoid doing.

- intake: one INSERT of the notification row (RETURNING id);
- outstanding list: the same indexed SELECT as the service (open cases older than N days,
  oldest death first, keyset order, limit + 1) of the columns a list item shows;
- summary: the same four GROUP BY counts (statuses by band, holds, overdue forms, overdue clocks);
- detail / history: the SELECT by id, the history SELECT by subject;
- transition: UPDATE of the case row (status, timestamps, version) + INSERT of the history row.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

OPEN = "status NOT IN ('closed', 'withdrawn', 'transferred_out')"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ts(value: dt.datetime, dialect: str) -> Any:
    # the service stores naive UTC on SQLite (core.db.base.UTCDateTime)
    return value.replace(tzinfo=None) if dialect == "sqlite" else value


def intake(body: dict[str, Any], dialect: str) -> tuple[str, dict[str, Any]]:
    now = _now()
    n, c, i = body.get("notifier") or {}, body.get("child") or {}, body.get("incident") or {}
    params = {
        "reference": "FL-" + uuid.uuid4().hex[:16], "status": "received", "now": _ts(now, dialect),
        "received_on": now.date(), "notifier_name": n.get("name"), "notifier_email": n.get("email"),
        "notifier_agency": n.get("agency"), "notifier_role": n.get("role"),
        "child_first_name": c.get("first_name"), "child_last_name": c.get("last_name"),
        "child_date_of_birth": c.get("date_of_birth"), "incident_date": i.get("date"),
        "incident_type": i.get("type"), "incident_description": i.get("description"),
        "rationale": body.get("rationale"), "abuse": bool(body.get("abuse_or_neglect_suspected")),
        "agencies": json.dumps(body.get("agencies_involved") or []),
    }
    sql = """
        INSERT INTO ecr_case_reviews (
            reference, regime, status, status_changed_at, source, received_on, received_at,
            created_by, notifier_name, notifier_email, notifier_agency, notifier_role,
            child_first_name, child_last_name, child_date_of_birth, incident_date, incident_type,
            incident_description, rationale, abuse_or_neglect_suspected, agencies_involved,
            created_at, updated_at, version)
        VALUES (
            :reference, 'WT2015', :status, :now, 'public', :received_on, :now,
            'public', :notifier_name, :notifier_email, :notifier_agency, :notifier_role,
            :child_first_name, :child_last_name, :child_date_of_birth, :incident_date, :incident_type,
            :incident_description, :rationale, :abuse, :agencies,
            :now, :now, 1)
        RETURNING id"""
    return sql, params


def outstanding_list(older_than_days: int, limit: int) -> tuple[str, dict[str, Any]]:
    cutoff = dt.date.today() - dt.timedelta(days=older_than_days)
    sql = f"""
        SELECT id, reference, status, first_name, last_name, date_of_birth, sex, date_of_death,
               received_at, expected, panel_meeting_id, case_review_reference
        FROM cdop_child_deaths
        WHERE {OPEN} AND date_of_death <= :cutoff
        ORDER BY date_of_death, id
        LIMIT :limit"""
    return sql, {"cutoff": cutoff, "limit": limit + 1}


def outstanding_summary() -> dict[str, tuple[str, dict[str, Any]]]:
    from core.deadlines import add_months

    today = dt.date.today()
    b3, b6, b12 = add_months(today, -3), add_months(today, -6), add_months(today, -12)
    return {
        "by_status": (f"""
            SELECT status, CASE WHEN date_of_death > :b3 THEN '0-3m' WHEN date_of_death > :b6 THEN '3-6m'
                                WHEN date_of_death > :b12 THEN '6-12m' ELSE '12m+' END AS band, count(*)
            FROM cdop_child_deaths WHERE {OPEN} GROUP BY 1, 2""", {"b3": b3, "b6": b6, "b12": b12}),
        "holds": ("""
            SELECT reason, count(*), sum(CASE WHEN expected_on < :today THEN 1 ELSE 0 END)
            FROM cdop_holds WHERE released_at IS NULL GROUP BY reason""", {"today": today}),
        "overdue_forms": ("""
            SELECT r.agency, count(*) FROM core_agency_requests r
            JOIN cdop_child_deaths c ON c.id = r.subject_id
            WHERE r.subject_type = 'child_death' AND r.kind = 'reporting_form' AND r.status = 'requested'
              AND r.due_on < :today AND c.status NOT IN ('closed', 'withdrawn', 'transferred_out')
            GROUP BY r.agency ORDER BY r.agency""", {"today": today}),
        # the 2018 clocks past their due date, by kind; the panel clock is paused while on hold
        "overdue_clocks": ("""
            SELECT kind, max(label), count(*) FROM core_deadlines
            WHERE subject_type = 'child_death' AND met_at IS NULL AND missed_at IS NULL AND waived_at IS NULL
              AND due_on < :today
              AND (kind <> 'cdop_panel' OR subject_id NOT IN (SELECT id FROM cdop_child_deaths WHERE status = 'on_hold'))
            GROUP BY kind ORDER BY kind""", {"today": today}),
    }


def detail(case_id: int) -> tuple[str, dict[str, Any]]:
    return "SELECT * FROM cdop_child_deaths WHERE id = :id", {"id": case_id}


def history(case_id: int) -> tuple[str, dict[str, Any]]:
    return ("""SELECT at, actor, actor_name, action, from_state, to_state, note, data
               FROM core_workflow_history WHERE subject_type = 'child_death' AND subject_id = :id
               ORDER BY id""", {"id": case_id})


def transition(case_id: int, body: dict[str, Any]) -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    import os

    dialect = "sqlite" if os.environ.get("ECR_DATABASE_URL", "").startswith("sqlite") else "postgresql"
    now = _ts(_now(), dialect)
    update = ("""UPDATE cdop_child_deaths SET status = :to, status_changed_at = :now, updated_at = :now,
                 version = version + 1 WHERE id = :id""", {"to": body["to"], "now": now, "id": case_id})
    insert = ("""INSERT INTO core_workflow_history (subject_type, subject_id, at, actor, actor_name, action,
                 from_state, to_state, note, data)
                 VALUES ('child_death', :id, :now, 'floor', 'floor', :action, :frm, :to, NULL, '{}')""",
              {"id": case_id, "now": now, "action": body["action"], "frm": body["from"], "to": body["to"]})
    return update, insert


# ---- the same writes (information): every statement the service's endpoint sends, in plain SQL

INTAKE_SCOPE = "/floor/intake-same-writes"


class IntakeWrites:
    """The statements of a public notification as the service sends them (issue #6's intake
    lists "validation, reference allocation, audit, outbox, idempotency"): the idempotency key's
    lock (PostgreSQL) and lookup, the reference counter, the case row, its two deadlines, the
    history row, the audit event, the receipt email in the outbox and the stored reply. No
    validation, no sealing of the reply, no workflow: only the database work."""

    LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended(:lock_key, 0))"
    FIND = ("SELECT request_hash, status_code, response FROM core_idempotency_keys "
            "WHERE scope = :scope AND key = :key")
    COUNTER = ("INSERT INTO core_reference_counters (prefix, year, last) VALUES ('FL', :year, 1) "
               "ON CONFLICT (prefix, year) DO UPDATE SET last = core_reference_counters.last + 1 "
               "RETURNING last")
    CASE = """
        INSERT INTO ecr_case_reviews (
            reference, regime, status, status_changed_at, source, received_on, received_at,
            created_by, status_token_hash, notifier_name, notifier_email, notifier_agency,
            notifier_role, child_first_name, child_last_name, child_date_of_birth, child_sex,
            child_local_authority, incident_date, incident_type, incident_description, rationale,
            abuse_or_neglect_suspected, agencies_involved, created_at, updated_at, version)
        VALUES (
            :reference, 'WT2015', 'received', :now, 'public', :received_on, :now,
            'public', :token_hash, :notifier_name, :notifier_email, :notifier_agency,
            :notifier_role, :child_first_name, :child_last_name, :child_date_of_birth, :child_sex,
            :child_local_authority, :incident_date, :incident_type, :incident_description, :rationale,
            :abuse, :agencies, :now, :now, 1)
        RETURNING id"""
    DEADLINE = ("INSERT INTO core_deadlines (subject_type, subject_id, kind, label, start_on, due_on, "
                "created_at) VALUES ('case_review', :id, :kind, :label, :start_on, :due_on, :now)")
    HISTORY = ("INSERT INTO core_workflow_history (subject_type, subject_id, at, actor, actor_name, "
               "action, from_state, to_state, note, data) VALUES ('case_review', :id, :now, 'public', "
               "'Public notification form', 'receive', NULL, 'received', NULL, '{}') RETURNING id")
    AUDIT = ("INSERT INTO core_audit_events (seq, at, actor, action, subject_type, subject_id, "
             "request_id, ip, data, prev_hash, hash) VALUES (NULL, :now, 'public', 'case_review.create', "
             "'case_review', :sid, :request_id, '127.0.0.1', :data, NULL, NULL) RETURNING id")
    OUTBOX = ("INSERT INTO core_outbox (kind, to_addr, subject, body, status, attempts, next_attempt_at, "
              "created_at, topic) VALUES ('email', :to_addr, :subject, :body, 'pending', 0, :now, :now, "
              ":topic) RETURNING id")
    REMEMBER = ("INSERT INTO core_idempotency_keys (scope, key, request_hash, status_code, response, "
                "created_at) VALUES (:scope, :key, :request_hash, 201, :response, :now)")

    def __init__(self, body: dict[str, Any], key: str, dialect: str) -> None:
        import hashlib
        import secrets

        now = _now()
        n, c, i = body.get("notifier") or {}, body.get("child") or {}, body.get("incident") or {}
        self.dialect = dialect
        self.now = _ts(now, dialect)
        self.year = now.year
        self.key = {"scope": INTAKE_SCOPE, "key": key, "lock_key": f"{INTAKE_SCOPE}\n{key}"}
        # as core.idempotency.service.body_hash: the canonical JSON of what was sent
        self.request_hash = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        self.token = secrets.token_urlsafe(24)
        self.case = {
            "now": self.now, "received_on": now.date(),
            "token_hash": hashlib.sha256(self.token.encode()).hexdigest(),
            "notifier_name": n.get("name"), "notifier_email": n.get("email"),
            "notifier_agency": n.get("agency"), "notifier_role": n.get("role"),
            "child_first_name": c.get("first_name"), "child_last_name": c.get("last_name"),
            "child_date_of_birth": dt.date.fromisoformat(c["date_of_birth"]),
            "child_sex": c.get("sex"), "child_local_authority": c.get("local_authority"),
            "incident_date": dt.date.fromisoformat(i["date"]), "incident_type": i.get("type"),
            "incident_description": i.get("description"), "rationale": body.get("rationale"),
            "abuse": bool(body.get("abuse_or_neglect_suspected")),
            "agencies": json.dumps(body.get("agencies_involved") or []),
        }

    def rows_after(self, reference: str, case_id: int) -> dict[str, Any]:
        today = self.case["received_on"]
        reply = {"reference": reference, "status": "received", "status_token": self.token}
        return {
            "deadlines": [
                {"id": case_id, "kind": "screening", "label": "Screening and referral to the Case Review Group",
                 "start_on": today, "due_on": today + dt.timedelta(days=12), "now": self.now},
                {"id": case_id, "kind": "decision", "label": "Decision on the notification",
                 "start_on": today, "due_on": today + dt.timedelta(days=30), "now": self.now},
            ],
            "history": {"id": case_id, "now": self.now},
            "audit": {"now": self.now, "sid": str(case_id), "request_id": uuid.uuid4().hex,
                      "data": json.dumps({"reference": reference, "source": "public"})},
            "outbox": {"to_addr": self.case["notifier_email"], "now": self.now, "topic": f"case_review:{case_id}",
                       "subject": f"Case review notification {reference} received",
                       "body": f"Thank you. We have received your case review notification.\n\n"
                               f"Reference: {reference}\n"},
            "remember": {"scope": INTAKE_SCOPE, "key": self.key["key"], "request_hash": self.request_hash,
                         "response": json.dumps({"status_code": 201, "body": reply}), "now": self.now},
            "reply": reply,
        }


class TransitionWrites:
    """The statements of a child death transition (place a hold / release it) as the service
    sends them: the user (the principal re-checked), the case locked, the hold placed or released,
    the version-checked UPDATE of the case, the history row, the audit event, and the case's holds
    and forms read back for the answer. Run on the floor's own (closed) cases."""

    USER = ("SELECT id, email, name, roles, agency, is_active, tokens_valid_after FROM core_users "
            "WHERE id = :user_id")
    CASE = "SELECT * FROM cdop_child_deaths WHERE id = :id"
    RELEASE = ("UPDATE cdop_holds SET released_at = :now, released_by = 'floor' "
               "WHERE child_death_id = :id AND released_at IS NULL")
    HOLD = ("INSERT INTO cdop_holds (child_death_id, reason, expected_on, note, placed_at, placed_by) "
            "VALUES (:id, 'inquest', :expected_on, 'Waiting for the inquest.', :now, 'floor')")
    # the hold's own clock (cdop.clocks): opened with the hold, met at its release
    HOLD_CLOCK = ("INSERT INTO core_deadlines (subject_type, subject_id, kind, label, start_on, due_on, created_at) "
                  "VALUES ('child_death', :id, 'cdop_hold_review', 'Hold reviewed by its expected date', :today, "
                  ":expected_on, :now)")
    RELEASE_CLOCK = ("UPDATE core_deadlines SET met_at = :now WHERE subject_type = 'child_death' AND subject_id = :id "
                     "AND kind = 'cdop_hold_review' AND met_at IS NULL AND missed_at IS NULL AND waived_at IS NULL")
    UPDATE = ("UPDATE cdop_child_deaths SET status = status, status_changed_at = :now, updated_at = :now, "
              "version = version + 1 WHERE id = :id AND version = :version")
    HISTORY = ("INSERT INTO core_workflow_history (subject_type, subject_id, at, actor, actor_name, action, "
               "from_state, to_state, note, data) VALUES ('child_death', :id, :now, 'floor', 'floor', "
               ":action, 'closed', 'closed', NULL, '{}') RETURNING id")
    AUDIT = ("INSERT INTO core_audit_events (seq, at, actor, action, subject_type, subject_id, request_id, "
             "ip, data, prev_hash, hash) VALUES (NULL, :now, 'floor', :audit_action, 'child_death', :sid, "
             ":request_id, '127.0.0.1', '{}', NULL, NULL) RETURNING id")
    HOLDS = ("SELECT id, reason, expected_on, note, placed_at, placed_by, released_at, released_by "
             "FROM cdop_holds WHERE child_death_id = :id")
    FORMS = ("SELECT id, agency, contact_email, assignee_user_id, due_on, status, answers, not_known, "
             "submitted_at, submitted_by, waived_reason, waived_at, reminders_sent, last_reminder_at "
             "FROM core_agency_requests WHERE subject_type = 'child_death' AND subject_id = :id")

    def __init__(self, case_id: int, dialect: str) -> None:
        self.params = {"id": case_id, "now": _ts(_now(), dialect), "sid": str(case_id),
                       "request_id": uuid.uuid4().hex,
                       "expected_on": dt.date.today() + dt.timedelta(days=120), "today": dt.date.today()}
        self.case_sql = self.CASE + (" FOR UPDATE" if dialect == "postgresql" else "")


def intake_one_statement() -> str:
    """PostgreSQL only: the writes of :class:`IntakeWrites` as one data-modifying statement
    (one round trip instead of seven). Measured once for bench/README.md (information)."""
    w = IntakeWrites
    case = w.CASE.replace("RETURNING id", "RETURNING id, reference")
    return f"""
        WITH c AS ({case}),
        d AS (INSERT INTO core_deadlines (subject_type, subject_id, kind, label, start_on, due_on, created_at)
              SELECT 'case_review', c.id, v.kind, v.label, CAST(:received_on AS date), v.due_on, :now
              FROM c, (VALUES ('screening', 'Screening and referral to the Case Review Group', CAST(:due1 AS date)),
                              ('decision', 'Decision on the notification', CAST(:due2 AS date))) AS v(kind, label, due_on)),
        h AS (INSERT INTO core_workflow_history (subject_type, subject_id, at, actor, actor_name, action,
                                                 from_state, to_state, note, data)
              SELECT 'case_review', c.id, :now, 'public', 'Public notification form', 'receive', NULL,
                     'received', NULL, '{{}}' FROM c),
        a AS (INSERT INTO core_audit_events (seq, at, actor, action, subject_type, subject_id, request_id, ip,
                                             data, prev_hash, hash)
              SELECT NULL, :now, 'public', 'case_review.create', 'case_review', CAST(c.id AS varchar),
                     :request_id, '127.0.0.1', CAST(:audit_data AS json), NULL, NULL FROM c),
        o AS (INSERT INTO core_outbox (kind, to_addr, subject, body, status, attempts, next_attempt_at,
                                       created_at, topic)
              SELECT 'email', :notifier_email, :subject, :body, 'pending', 0, :now, :now,
                     'case_review:' || c.id FROM c),
        k AS (INSERT INTO core_idempotency_keys (scope, key, request_hash, status_code, response, created_at)
              VALUES (:scope, :key, :request_hash, 201, CAST(:response AS json), :now))
        SELECT id FROM c"""
