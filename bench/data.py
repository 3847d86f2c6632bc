"""National-scale synthetic data: ``python -m bench.data --scale quick|tenth|national``.

Runs the migrations, then bulk-loads (COPY on PostgreSQL, executemany on SQLite) child deaths,
case reviews, reporting forms (``core_agency_requests``), holds, deadlines, workflow history,
panel meetings and an audit trail that is a valid hash chain (``GET /audit/verify`` passes).

Shape: child deaths are received at a steady rate over ``Scale.years`` years up to today; how far
a case has got depends on its age, so the outstanding set is the recent cases plus long holds for
inquests and criminal proceedings (~9% of the table at ``national``). The two tenths differ in
what they are a tenth of:

- ``tenth``: the national deployment a tenth of the way through its life (the same ~3,500 deaths
  a year, over 1.43 years instead of 14.3): the table is a tenth, the outstanding work nearly
  the same. This is the growth the issue's "cost must not grow with the table" is about: one
  deployment serving England for years.
- ``region``: one region instead of England (a tenth of the cases over the same 14.3 years): the
  outstanding work is a tenth too, so anything that counts it (the summary) grows 10x with it.
Names are synthetic ("Testchild 00001"), e-mail domains are ``example.org``.

The database must be new or empty (or a bench database made by this module: ``--force``
empties a bench database first; a PostgreSQL database is created when missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, inspect, text
from sqlalchemy.engine import make_url

YEARS = 14.3  # 50,000 deaths at ~3,500 a year


@dataclass(frozen=True)
class Scale:
    child_deaths: int
    case_reviews: int
    reporting_forms: int
    audit_events: int
    years: float = YEARS  # the deaths are spread over this many years up to today


SCALES = {
    "quick": Scale(child_deaths=2_000, case_reviews=400, reporting_forms=12_000, audit_events=120_000),
    "tenth": Scale(child_deaths=5_000, case_reviews=1_000, reporting_forms=30_000, audit_events=300_000,
                   years=YEARS / 10),
    "region": Scale(child_deaths=5_000, case_reviews=1_000, reporting_forms=30_000, audit_events=300_000),
    "national": Scale(child_deaths=50_000, case_reviews=10_000, reporting_forms=300_000,
                      audit_events=3_000_000),
}

# Who the bench acts as (one user per role; tokens are minted by bench.run).
BENCH_USERS = {
    "coordinator": ("bench-coordinator@example.org", ["cdop_coordinator"]),
    "cdop_chair": ("bench-cdop-chair@example.org", ["cdop_chair"]),
    "business_unit": ("bench-business-unit@example.org", ["business_unit"]),
    "crg_chair": ("bench-crg-chair@example.org", ["crg_chair"]),
    "independent_chair": ("bench-independent-chair@example.org", ["independent_chair"]),
    "admin": ("bench-admin@example.org", ["admin"]),
}

AGENCY_KINDS = (
    "Police", "NHS Foundation Trust", "Children's Social Care", "Education", "GP Practice",
    "Ambulance Service", "Health Visiting", "Mental Health Trust",
)
AGENCIES = [f"Testshire {n:02d} {kind}" for n in range(1, 21) for kind in AGENCY_KINDS]  # 160
LOCAL_AUTHORITIES = [f"Testshire {n:02d}" for n in range(1, 21)]
HOLD_REASONS = ("inquest", "criminal_proceedings", "case_review", "other")
PLACES = ("hospital", "home", "hospice", "other_residence", "public_place", "other")

# Child death paths through the workflow (API.md), by final status.
CD_PATHS: dict[str, list[tuple[str, str, str]]] = {}


def _cd_paths() -> dict[str, list[tuple[str, str, str]]]:
    s = "start_information_gathering"
    base = [(s, "notified", "information_gathering")]
    ready = base + [("mark_ready_for_panel", "information_gathering", "ready_for_panel")]
    sched = ready + [("schedule_for_panel", "ready_for_panel", "scheduled_for_panel")]
    rev = sched + [("record_analysis", "scheduled_for_panel", "reviewed")]
    return {
        "notified": [],
        "information_gathering": base,
        "on_hold": base + [("place_on_hold", "information_gathering", "on_hold")],
        "ready_for_panel": ready,
        "scheduled_for_panel": sched,
        "reviewed": rev,
        "closed": rev + [("close", "reviewed", "closed")],
        "withdrawn": [("withdraw", "notified", "withdrawn")],
        "transferred_out": base + [("transfer_out", "information_gathering", "transferred_out")],
    }


def _cr_paths() -> dict[str, list[tuple[str, str, str]]]:
    scr = [("start_screening", "received", "screening"), ("refer_to_group", "screening", "awaiting_decision")]
    rip = scr + [("commission_learning_event", "awaiting_decision", "review_in_progress")]
    sub = rip + [("submit_report", "review_in_progress", "report_submitted")]
    app = sub + [("approve_report", "report_submitted", "report_approved")]
    return {
        "received": [],
        "screening": scr[:1],
        "information_requested": scr[:1] + [("request_information", "screening", "information_requested")],
        "awaiting_decision": scr,
        "scr_recommended": scr + [("recommend_scr", "awaiting_decision", "scr_recommended")],
        "review_in_progress": rip,
        "report_submitted": sub,
        "report_approved": app,
        "publication_deferred": app + [("defer_publication", "report_approved", "publication_deferred")],
        "published": app + [("publish", "report_approved", "published")],
        "monitoring_other_la_review": scr + [("refer_to_other_la", "awaiting_decision", "monitoring_other_la_review")],
        "closed": scr + [("no_further_action", "awaiting_decision", "closed")],
        "withdrawn": [("withdraw", "received", "withdrawn")],
    }


# (upper bound of age in days, [(status, weight), ...]) for child deaths
CD_STATUS_BY_AGE = [
    (90, [("notified", 20), ("information_gathering", 73), ("withdrawn", 2), ("transferred_out", 5)]),
    (180, [("information_gathering", 55), ("on_hold", 10), ("ready_for_panel", 20),
           ("scheduled_for_panel", 10), ("transferred_out", 5)]),
    (365, [("information_gathering", 20), ("on_hold", 20), ("ready_for_panel", 12),
           ("scheduled_for_panel", 10), ("reviewed", 10), ("closed", 23), ("transferred_out", 5)]),
    (730, [("information_gathering", 4), ("on_hold", 15), ("ready_for_panel", 2), ("reviewed", 2),
           ("closed", 72), ("transferred_out", 5)]),
    (10**9, [("information_gathering", 0.5), ("on_hold", 1.5), ("closed", 93), ("transferred_out", 4),
             ("withdrawn", 1)]),
]
CR_STATUS_BY_AGE = [
    (30, [("received", 30), ("screening", 50), ("information_requested", 10), ("awaiting_decision", 10)]),
    (120, [("screening", 10), ("awaiting_decision", 30), ("scr_recommended", 5), ("review_in_progress", 25),
           ("closed", 25), ("withdrawn", 5)]),
    (540, [("review_in_progress", 25), ("report_submitted", 8), ("report_approved", 7),
           ("publication_deferred", 3), ("monitoring_other_la_review", 5), ("published", 12), ("closed", 40)]),
    (10**9, [("published", 20), ("closed", 75), ("publication_deferred", 1), ("withdrawn", 4)]),
]
CR_DECISION = {"review_in_progress": "learning_event", "report_submitted": "learning_event",
               "report_approved": "learning_event", "publication_deferred": "scr", "published": "scr",
               "monitoring_other_la_review": "other_la_review", "closed": "nfa",
               "scr_recommended": None}


def _pick(rng: random.Random, table: list[tuple[int, list[tuple[str, float]]]], age: int) -> str:
    for bound, choices in table:
        if age < bound:
            names, weights = zip(*choices)
            return rng.choices(names, weights)[0]
    raise AssertionError


def _utc(day: dt.date, seconds: float = 0.0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(seconds=seconds)


class Filler:
    """Fills columns the generator does not name (new columns keep working): the column's
    Python default, else NULL when nullable, else a value of its type."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def columns(self, given: dict[str, Any]) -> list[str]:
        return [c.name for c in self.table.columns if c.name in given or self._needs(c)]

    def _needs(self, c: Any) -> bool:
        return not c.nullable and not (c.primary_key and c.autoincrement is True) or c.default is not None

    def row(self, cols: list[str], given: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for name in cols:
            if name in given:
                out.append(given[name])
                continue
            c = self.table.c[name]
            if c.default is not None:
                arg = c.default.arg
                out.append(arg(None) if callable(arg) else arg)
            elif c.nullable:
                out.append(None)
            else:
                out.append(_typed_value(c))
        return tuple(out)


def _typed_value(c: Any) -> Any:
    kind = c.type.__class__.__name__.lower()
    if "json" in kind:
        return {}
    if "bool" in kind:
        return False
    if "int" in kind:
        return 0
    if kind == "date":
        return dt.date.today()
    if "date" in kind:
        return dt.datetime.now(dt.UTC)
    return "x"


class Generator:
    def __init__(self, engine: Engine, scale: Scale, seed: int = 6) -> None:
        from core.db.models import load_all_models

        from bench.loader import BulkLoader

        self.engine = engine
        self.scale = scale
        self.rng = random.Random(seed)
        self.meta = load_all_models(["ecr", "cdop"])
        self.loader = BulkLoader(engine)
        self.today = dt.date.today()
        self.now = dt.datetime.now(dt.UTC)
        self.start = self.today - dt.timedelta(days=int(scale.years * 365.25))
        self.history: list[tuple[Any, ...]] = []
        self.user_ids: dict[str, int] = {}
        self.cd_received: list[dt.datetime] = []  # by id - 1
        self.cr_received: list[dt.datetime] = []

    def t(self, name: str) -> Table:
        return self.meta.tables[name]

    def load_dicts(self, table_name: str, dicts: list[dict[str, Any]]) -> None:
        if not dicts:
            return
        table = self.t(table_name)
        filler = Filler(table)
        cols = filler.columns(dicts[0])
        self.loader.load(table, cols, (filler.row(cols, d) for d in dicts))

    # ---- users and meetings -----------------------------------------------------------------
    def users(self) -> None:
        from core.auth.passwords import hash_password

        pw = hash_password("bench password not for production")
        rows = []
        for i, (key, (email, roles)) in enumerate(BENCH_USERS.items(), start=1):
            rows.append({"id": i, "email": email, "name": f"Bench {key.replace('_', ' ').title()}",
                         "password_hash": pw, "roles": roles, "agency": None, "is_active": True,
                         "created_at": self.now, "updated_at": self.now})
            self.user_ids[key] = i
        self.load_dicts("core_users", rows)

    def meetings(self) -> list[tuple[int, dt.date]]:
        rows, out = [], []
        day = self.start
        mid = 0
        while day < self.today + dt.timedelta(days=60):
            mid += 1
            rows.append({"id": mid, "kind": "cdop_panel", "title": f"CDOP panel {day:%B %Y}",
                         "scheduled_for": _utc(day, 10 * 3600), "location": "Testshire House",
                         "created_by": f"user:{self.user_ids['coordinator']}", "created_at": self.now,
                         "updated_at": self.now, "version": 1})
            out.append((mid, day))
            day += dt.timedelta(days=30)
        self.load_dicts("core_meetings", rows)
        return out

    # ---- child deaths --------------------------------------------------------------------------
    def child_deaths(self) -> None:
        rng, n = self.rng, self.scale.child_deaths
        paths = _cd_paths()
        meetings = self.meetings()
        coord = f"user:{self.user_ids['coordinator']}"
        chair = f"user:{self.user_ids['cdop_chair']}"
        span = (self.today - self.start).days
        per_case_forms = self.scale.reporting_forms / n
        cases, holds, forms, deadlines = [], [], [], []
        counters: dict[int, int] = {}
        hold_id = form_id = dl_id = 0
        for i in range(1, n + 1):
            death = self.start + dt.timedelta(days=min(span - 1, int(span * (i - 0.5) / n)))
            received = _utc(death + dt.timedelta(days=rng.choice((0, 1, 1, 2, 3))), rng.uniform(8, 18) * 3600)
            received = min(received, self.now - dt.timedelta(minutes=5))
            self.cd_received.append(received)
            age = (self.today - death).days
            status = _pick(rng, CD_STATUS_BY_AGE, age)
            year = received.year
            counters[year] = counters.get(year, 0) + 1
            age_days = rng.choice((0, 2, 10, 20, 60, 200, 400, 900, 2000, 4000, 6000))
            born = death - dt.timedelta(days=age_days)
            path = paths[status]
            # the times of the steps: spread between receipt and now (or ~ the age band's end)
            end = min(self.now, received + dt.timedelta(days=rng.uniform(60, 400)))
            steps = len(path)
            times = sorted(received + (end - received) * rng.random() for _ in range(steps))
            hist_row = ("child_death", i, received, coord, "Bench Coordinator", "create", None, "notified", None, {})
            self.history.append(hist_row)
            for (action, frm, to), at in zip(path, times, strict=True):
                actor = chair if action == "record_analysis" else coord
                self.history.append(("child_death", i, at, actor, "Bench", action, frm, to, None, {}))
            changed = times[-1] if times else received
            meeting_id = None
            if status in ("scheduled_for_panel", "reviewed", "closed"):
                target = death + dt.timedelta(days=150)
                meeting_id = min(meetings, key=lambda m: abs((m[1] - target).days))[0]
            analysed = status in ("reviewed", "closed")
            case = {
                "id": i, "reference": f"CD-{year}-{counters[year]:04d}", "status": status,
                "status_changed_at": changed, "received_at": received, "source": "public",
                "created_by": "public", "created_at": received, "updated_at": changed,
                "version": 1 + steps,
                "first_name": "Testchild", "last_name": f"{i:05d}", "date_of_birth": born,
                "sex": rng.choice(("female", "male")), "ethnicity": None,
                "nhs_number": None, "nhs_number_status": "not_given",
                "address": f"{i % 300 + 1} Test Street, Testtown", "local_authority": rng.choice(LOCAL_AUTHORITIES),
                "date_of_death": death, "time_of_death": None, "place_of_death": rng.choice(PLACES),
                "place_detail": None, "expected": rng.random() < 0.55, "jar_triggered": rng.random() < 0.3,
                "coroner_involved": rng.random() < 0.4, "age_at_death_days": age_days,
                "age_at_death_years": age_days // 365,
                "notifier_name": "Test Notifier", "notifier_email": "notifier@example.org",
                "notifier_agency": rng.choice(AGENCIES), "notifier_role": "Nurse", "notifier_phone": None,
                "agencies": [], "case_summary": None, "home_area": "Othershire" if status == "transferred_out" else None,
                "home_cdop_email": None, "non_resident": False,
                "withdrawn_reason": "duplicate notification" if status == "withdrawn" else None,
                "panel_meeting_id": meeting_id,
                "category": rng.randint(1, 10) if analysed else None,
                "modifiable": rng.choice(("yes", "no", "no", "insufficient_information")) if analysed else None,
                "domain_scores": {"A": 1, "B": 0, "C": 1, "D": 0} if analysed else None,
                "learning": "Synthetic learning." if analysed else None,
                "learning_points": [] if analysed else None, "actions": [] if analysed else None,
                "refer_to_case_review": False if analysed else None,
                "analysed_at": times[-2 if status == "closed" else -1] if analysed else None,
                "analysed_by": chair if analysed else None, "case_review_reference": None,
                "closed_at": changed if status in ("closed",) else None,
            }
            cases.append(case)
            # holds: the open one of an on_hold case, and past ones for some older cases
            if status == "on_hold" or (status in ("closed", "reviewed") and rng.random() < 0.15):
                hold_id += 1
                placed = times[1] if len(times) > 1 else received
                released = None if status == "on_hold" else placed + dt.timedelta(days=rng.uniform(30, 300))
                holds.append({"id": hold_id, "child_death_id": i, "reason": rng.choices(HOLD_REASONS, (5, 3, 1, 1))[0],
                              "expected_on": max(self.today, death + dt.timedelta(days=400)) if released is None
                              else death + dt.timedelta(days=300),
                              "note": None, "placed_at": placed, "placed_by": coord,
                              "released_at": released, "released_by": coord if released else None})
            # reporting forms
            k = max(1, int(per_case_forms + rng.uniform(-2, 2) + 0.5))
            if status in ("notified", "withdrawn"):
                k = 0 if status == "withdrawn" else k
            requested_on = received.date() + dt.timedelta(days=1)
            due = requested_on + dt.timedelta(days=21)
            for agency in rng.sample(AGENCIES, k):
                form_id += 1
                if status in ("notified",):
                    st = "requested"
                elif status in ("information_gathering", "on_hold"):
                    st = "requested" if rng.random() < (0.6 if age < 90 else 0.25) else "submitted"
                elif status == "transferred_out":
                    st = "waived"
                else:
                    st = "submitted" if rng.random() < 0.92 else "waived"
                submitted = st == "submitted"
                sub_at = _utc(min(self.today, due + dt.timedelta(days=rng.randint(-15, 20))), 12 * 3600)
                sub_at = min(sub_at, self.now)
                forms.append({
                    "id": form_id, "subject_type": "child_death", "subject_id": i, "kind": "reporting_form",
                    "agency": agency, "contact_email": "agency@example.org", "assignee_user_id": None,
                    "due_on": due, "status": st,
                    "answers": {"agency_involvement": "Synthetic answer.", "health": "Synthetic answer."}
                    if submitted else {},
                    "not_known": ["other_information"] if submitted else [],
                    "submitted_at": sub_at if submitted else None,
                    "submitted_by": "link" if submitted else None,
                    "waived_reason": "no involvement" if st == "waived" else None,
                    "waived_at": sub_at if st == "waived" else None,
                    "link_jti": None, "link_expires_at": None,
                    "last_reminder_at": None, "reminders_sent": 0,
                    "created_at": received, "updated_at": sub_at if st != "requested" else received,
                    "version": 1 if st == "requested" else 2,
                })
            # deadlines: the panel review within 6 months (cdop.clocks.PANEL, paused while on
            # hold), open while the case is outstanding
            if status not in ("closed", "withdrawn", "transferred_out", "reviewed"):
                dl_id += 1
                deadlines.append({"id": dl_id, "subject_type": "child_death", "subject_id": i,
                                  "kind": "cdop_panel", "label": "Panel review within 6 months of the death",
                                  "start_on": death, "due_on": death + dt.timedelta(days=183),
                                  "created_at": received, "met_at": None})
        self.load_dicts("cdop_child_deaths", cases)
        self.load_dicts("cdop_holds", holds)
        self.load_dicts("core_agency_requests", forms)
        self.load_dicts("core_deadlines", deadlines)
        self.load_dicts("core_reference_counters",
                        [{"prefix": "CD", "year": y, "last": v} for y, v in sorted(counters.items())])
        self.deadline_id = dl_id

    # ---- case reviews --------------------------------------------------------------------------
    def case_reviews(self) -> None:
        rng, n = self.rng, self.scale.case_reviews
        paths = _cr_paths()
        span = (self.today - self.start).days
        bu = f"user:{self.user_ids['business_unit']}"
        rows, deadlines = [], []
        counters: dict[int, int] = {}
        dl_id = getattr(self, "deadline_id", 0)
        for i in range(1, n + 1):
            day = self.start + dt.timedelta(days=min(span - 1, int(span * (i - 0.5) / n)))
            received = min(_utc(day, rng.uniform(8, 18) * 3600), self.now - dt.timedelta(minutes=5))
            self.cr_received.append(received)
            age = (self.today - day).days
            status = _pick(rng, CR_STATUS_BY_AGE, age)
            year = received.year
            counters[year] = counters.get(year, 0) + 1
            path = paths[status]
            end = min(self.now, received + dt.timedelta(days=rng.uniform(20, 500)))
            times = sorted(received + (end - received) * rng.random() for _ in path)
            self.history.append(("case_review", i, received, "public", None, "create", None, "received", None, {}))
            for (action, frm, to), at in zip(path, times, strict=True):
                self.history.append(("case_review", i, at, bu, "Bench", action, frm, to, None, {}))
            changed = times[-1] if times else received
            decision = CR_DECISION.get(status)
            decided = status not in ("received", "screening", "information_requested", "awaiting_decision",
                                     "withdrawn", "scr_recommended")
            rows.append({
                "id": i, "reference": f"CR-{year}-{counters[year]:04d}", "regime": "WT2015",
                "status": status, "status_changed_at": changed, "source": "public",
                "received_on": received.date(), "received_at": received, "created_by": "public",
                "created_at": received, "updated_at": changed, "version": 1 + len(path),
                "status_token_hash": hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                "notifier_name": "Test Notifier", "notifier_email": "notifier@example.org",
                "notifier_agency": rng.choice(AGENCIES), "notifier_role": "Social worker",
                "notifier_phone": None,
                "child_first_name": "Testchild", "child_last_name": f"R{i:05d}",
                "child_date_of_birth": day - dt.timedelta(days=rng.randint(30, 6000)),
                "child_sex": rng.choice(("female", "male")), "child_ethnicity": None,
                "child_address": None, "child_local_authority": rng.choice(LOCAL_AUTHORITIES),
                "incident_date": day - dt.timedelta(days=rng.randint(0, 20)),
                "incident_type": rng.choice(("death", "serious_harm", "serious_harm", "other")),
                "incident_description": "Synthetic incident description.",
                "rationale": "Synthetic rationale.", "abuse_or_neglect_suspected": rng.random() < 0.7,
                "agencies_involved": rng.sample(AGENCIES, 3),
                "decision": decision if decided else None,
                "decision_rationale": "Synthetic." if decided else None,
                "decision_at": times[2] if decided and len(times) > 2 else None,
                "decision_by": f"user:{self.user_ids['crg_chair']}" if decided else None,
                "review_type": decision if decided and decision not in ("nfa", "other_la_review") else None,
                "other_la": "Othershire" if status == "monitoring_other_la_review" else None,
                "published_on": changed.date() if status == "published" else None,
                "published_url": "https://example.org/report" if status == "published" else None,
                "closed_at": changed if status == "closed" else None,
                "withdrawn_reason": "sent in error" if status == "withdrawn" else None,
            })
            if status in ("received", "screening", "information_requested"):
                dl_id += 1
                deadlines.append({"id": dl_id, "subject_type": "case_review", "subject_id": i,
                                  "kind": "screening", "label": "Screening and referral to the Case Review Group",
                                  "start_on": received.date(), "due_on": received.date() + dt.timedelta(days=14),
                                  "created_at": received, "met_at": None})
            if status in ("received", "screening", "information_requested", "awaiting_decision"):
                dl_id += 1
                deadlines.append({"id": dl_id, "subject_type": "case_review", "subject_id": i,
                                  "kind": "decision", "label": "Decision on the notification",
                                  "start_on": received.date(), "due_on": received.date() + dt.timedelta(days=30),
                                  "created_at": received, "met_at": None})
        self.load_dicts("ecr_case_reviews", rows)
        self.load_dicts("core_deadlines", deadlines)
        self.load_dicts("core_reference_counters",
                        [{"prefix": "CR", "year": y, "last": v} for y, v in sorted(counters.items())])

    # ---- history and audit ---------------------------------------------------------------------
    def workflow_history(self) -> None:
        table = self.t("core_workflow_history")
        cols = ["id", "subject_type", "subject_id", "at", "actor", "actor_name", "action", "from_state",
                "to_state", "note", "data"]
        self.history.sort(key=lambda r: r[2])
        self.loader.load(table, cols, ((i, *r) for i, r in enumerate(self.history, start=1)))
        self.history_count = len(self.history)
        self.history = []

    def audit_events(self) -> str:
        """A valid chain: events evenly spread in time, each about a case received before it
        (biased to recent cases), hashed in order with core.audit.service._canonical."""
        from core.audit.service import GENESIS, _canonical

        n = self.scale.audit_events
        rng = self.rng
        first = self.start
        t0 = _utc(first, 8 * 3600).timestamp()
        t1 = (self.now - dt.timedelta(minutes=1)).timestamp()
        step = (t1 - t0) / n
        cd_times = [t.timestamp() for t in self.cd_received]
        cr_times = [t.timestamp() for t in self.cr_received]
        import bisect

        coord = f"user:{self.user_ids['coordinator']}"
        bu = f"user:{self.user_ids['business_unit']}"
        cd_actions = ("child_death.read",) * 6 + ("child_death.transition", "reporting_form.request",
                                                  "reporting_form.submit", "child_death.update")
        cr_actions = ("case_review.read",) * 6 + ("case_review.transition", "case_review.update",
                                                  "agency_report.request", "case_review.list")
        ratio_cd = len(cd_times) / max(1, len(cd_times) + len(cr_times))
        self.last_hash = GENESIS
        sha = hashlib.sha256

        def rows() -> Iterator[tuple[Any, ...]]:
            prev = GENESIS
            for seq in range(1, n + 1):
                ts = t0 + step * (seq - 1) + rng.random() * step * 0.5
                at = dt.datetime.fromtimestamp(ts, dt.UTC)
                if rng.random() < ratio_cd:
                    k = bisect.bisect_right(cd_times, ts)
                    st, actions, actor = "child_death", cd_actions, coord
                else:
                    k = bisect.bisect_right(cr_times, ts)
                    st, actions, actor = "case_review", cr_actions, bu
                if k == 0:
                    st, sid, action, data = None, None, "auth.login", {}
                else:
                    sid = str(k - int(k * rng.random() ** 4))
                    action = rng.choice(actions)
                    data = {"fields": ["status"]} if action.endswith(".transition") else {}
                digest = sha(_canonical(seq, at, actor, action, st, sid, data, prev)).hexdigest()
                if as_text:
                    # COPY text format; every value here is free of tabs, newlines and backslashes
                    yield (f"{seq}\t{seq}\t{at.isoformat()}\t{actor}\t{action}\t{st or NULL}\t{sid or NULL}"
                           f"\t\\N\t127.0.0.1\t{json.dumps(data)}\t{prev}\t{digest}\n")
                else:
                    yield (seq, seq, at, actor, action, st, sid, None, "127.0.0.1", data, prev, digest)
                prev = digest
            self.last_hash = prev

        table = self.t("core_audit_events")
        cols = ["id", "seq", "at", "actor", "action", "subject_type", "subject_id", "request_id", "ip",
                "data", "prev_hash", "hash"]
        NULL = "\\N"
        as_text = self.loader.dialect == "postgresql"
        if as_text:
            self.loader.load_copy_text(table, cols, rows())  # type: ignore[arg-type]
        else:
            self.loader.load(table, cols, rows())
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE core_audit_head SET seq = :s, hash = :h WHERE id = 1"),
                         {"s": n, "h": self.last_hash})
        return self.last_hash

    def run(self, log: Any = print) -> dict[str, Any]:
        timings: dict[str, float] = {}
        for name, step in (("users", self.users), ("child_deaths", self.child_deaths),
                           ("case_reviews", self.case_reviews), ("workflow_history", self.workflow_history),
                           ("audit_events", self.audit_events)):
            t = time.perf_counter()
            step()
            timings[name] = round(time.perf_counter() - t, 1)
            log(f"  {name}: {timings[name]}s")
        t = time.perf_counter()
        self.loader.finish(self.meta.sorted_tables)
        timings["analyze"] = round(time.perf_counter() - t, 1)
        log(f"  vacuum/analyze: {timings['analyze']}s")
        return {"rows": dict(self.loader.loaded), "step_seconds": timings}


# ---- database management ---------------------------------------------------------------------

def default_url(scale: str) -> str:
    from pathlib import Path

    return f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / f'bench-{scale}.sqlite3'}"


def _ensure_database(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() != "postgresql":
        return
    from sqlalchemy import create_engine

    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


def _is_bench_database(url: str) -> bool:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return os.path.basename(u.database or "").startswith("bench-")
    return (u.database or "").startswith("ecr_bench")


def _reset(url: str) -> None:
    u = make_url(url)
    if not _is_bench_database(url):
        raise SystemExit(f"refusing to empty {u.render_as_string(hide_password=True)}: not a bench database "
                         "(SQLite file bench-*.sqlite3 or PostgreSQL database ecr_bench*)")
    if u.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove((u.database or "") + suffix)
            except FileNotFoundError:
                pass
        return
    from sqlalchemy import create_engine

    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def read_meta(engine: Engine) -> dict[str, Any] | None:
    if "bench_meta" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        row = conn.execute(text("SELECT value FROM bench_meta WHERE key = 'dataset'")).first()
    return json.loads(row[0]) if row else None


def generate(url: str, scale_name: str, *, force: bool = False, seed: int = 6, log: Any = print) -> dict[str, Any]:
    """Make sure ``url`` holds the ``scale_name`` dataset; generate it when it does not."""
    from core.db.session import make_engine
    from core.migrations import upgrade

    scale = SCALES[scale_name]
    _ensure_database(url)
    engine = make_engine(url)
    meta = read_meta(engine)
    same = (meta and meta.get("scale") == scale_name and meta.get("seed") == seed
            and meta.get("years", YEARS) == scale.years)
    if same and not force:
        engine.dispose()
        upgrade(url)  # new migrations (e.g. indexes) apply to an existing dataset too
        return meta
    insp = inspect(engine)
    if meta is not None or insp.get_table_names():
        if not (force or meta is not None):
            raise SystemExit("the database is not empty: use a new one, or --force on a bench database")
        engine.dispose()
        _reset(url)
        engine = make_engine(url)
    log(f"generating '{scale_name}' ({scale}) into {make_url(url).render_as_string(hide_password=True)}")
    t = time.perf_counter()
    upgrade(url)
    _create_missing_tables(engine, log)
    result = Generator(engine, scale, seed).run(log)
    meta = {"scale": scale_name, "seed": seed, "years": scale.years, "generated_at": dt.datetime.now(dt.UTC).isoformat(),
            "seconds": round(time.perf_counter() - t, 1), **result}
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_meta (key VARCHAR(50) PRIMARY KEY, value TEXT)"))
        conn.execute(text("INSERT INTO bench_meta (key, value) VALUES ('dataset', :v)"), {"v": json.dumps(meta)})
    engine.dispose()
    log(f"done in {meta['seconds']}s: {result['rows']}")
    return meta


def _create_missing_tables(engine: Engine, log: Any) -> None:
    """Tables a migration does not create yet (a domain still in development): made with
    create_all so the bench can run; reported, because the migration must catch up."""
    from core.db.models import load_all_models

    metadata = load_all_models(["ecr", "cdop"])
    existing = set(inspect(engine).get_table_names())
    missing = [t for t in metadata.sorted_tables if t.name not in existing]
    if missing:
        log(f"  WARNING: tables missing from the migrations, created with create_all: {[t.name for t in missing]}")
        metadata.create_all(engine, tables=missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="quick")
    parser.add_argument("--database-url", default=None,
                        help="default: var/bench-SCALE.sqlite3 (PostgreSQL: postgresql+psycopg://.../ecr_bench_SCALE)")
    parser.add_argument("--force", action="store_true", help="regenerate (empties a bench database first)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.scale)
    generate(url, args.scale, force=args.force, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
