"""The plain SQL of the floor app: what each benchmarked endpoint cannot avoid doing.

- intake: one INSERT of the notification row (RETURNING id);
- outstanding list: the same indexed SELECT as the service (open cases older than N days,
  oldest death first, keyset order, limit + 1) of the columns a list item shows;
- summary: the same three GROUP BY counts;
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
            SELECT reason, count(*) FROM cdop_holds WHERE released_at IS NULL GROUP BY reason""", {}),
        "overdue_forms": ("""
            SELECT r.agency, count(*) FROM core_agency_requests r
            JOIN cdop_child_deaths c ON c.id = r.subject_id
            WHERE r.subject_type = 'child_death' AND r.kind = 'reporting_form' AND r.status = 'requested'
              AND r.due_on < :today AND c.status NOT IN ('closed', 'withdrawn', 'transferred_out')
            GROUP BY r.agency ORDER BY r.agency""", {"today": today}),
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
