"""The benchmarks, each paired with its floor (bench/floor_app.py). Targets of issue 16: the
writes against floors sending the same statements, the reads against the same queries."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, text

from bench.client import Response
from bench.core import Benchmark, Side, latency_target, throughput_target

API = "/api/v1"
JSON_HEADERS = {"Content-Type": "application/json"}
TRANSITION_CLIENTS = 16


@dataclass
class Context:
    """What the benchmarks need from the dataset and the servers."""

    tokens: dict[str, str]
    detail_ids: list[int]
    transition_ids: list[int]  # cases in information_gathering or on_hold, for the service
    transition_states: dict[int, str]
    floor_transition_ids: list[int]  # other cases, for the floor
    rng: random.Random = field(default_factory=lambda: random.Random(6))
    engine: Engine | None = None  # to undo what a benchmark added (transition holds, history)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def load_context(engine: Engine, tokens: dict[str, str], seed: int = 6) -> Context:
    rng = random.Random(seed)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM cdop_child_deaths ORDER BY id"))]
        states = dict(conn.execute(text(
            "SELECT id, status FROM cdop_child_deaths WHERE status IN ('information_gathering', 'on_hold') "
            "ORDER BY id")).all())
        gathering = list(states)
        closed = [r[0] for r in conn.execute(text(
            "SELECT id FROM cdop_child_deaths WHERE status = 'closed' ORDER BY id"))]
    rng.shuffle(gathering)
    rng.shuffle(closed)
    return Context(tokens=tokens, detail_ids=rng.sample(ids, min(500, len(ids))),
                   transition_ids=gathering[: TRANSITION_CLIENTS * 8], transition_states=states,
                   floor_transition_ids=closed[: TRANSITION_CLIENTS * 8], rng=rng, engine=engine)


# ---- 1. public intake ---------------------------------------------------------------------------

def _notification(n: int) -> dict[str, Any]:
    return {
        "notifier": {"name": "Test Notifier", "email": "notifier@example.org",
                     "agency": "Testshire 01 Police", "role": "Detective sergeant"},
        "child": {"first_name": "Testchild", "last_name": f"N{n:06d}", "date_of_birth": "2015-04-01",
                  "sex": "female", "local_authority": "Testshire 01"},
        "incident": {"date": (dt.date.today() - dt.timedelta(days=3)).isoformat(), "type": "serious_harm",
                     "description": "Synthetic description of what happened, a few sentences long. " * 3},
        "rationale": "Synthetic rationale: the criteria for a review may be met. " * 2,
        "abuse_or_neglect_suspected": True,
        "agencies_involved": ["Testshire 01 Police", "Testshire 01 Children's Social Care"],
    }


def _keyed_intake_floor(path: str) -> Any:
    """A floor side posting notifications to ``path`` with a new ``Idempotency-Key`` each."""
    def side(_: Context) -> Side:
        def factory(ci: int, ri: int) -> Any:
            headers = {**JSON_HEADERS, "Idempotency-Key": uuid.uuid4().hex}
            return "POST", path, headers, json.dumps(_notification(ri)).encode(), (201,)
        return Side(factory)
    return side


def _one_insert_floor(_: Context) -> Side:
    def factory(ci: int, ri: int) -> Any:
        return "POST", "/floor/intake", JSON_HEADERS, json.dumps(_notification(ri)).encode(), (201,)
    return Side(factory)


def intake(ctx: Context) -> Benchmark:
    """Against the floor that sends every statement the service sends
    (bench.floor_sql.IntakeWrites: the durable work of a notification is the domain, issue 16);
    the one INSERT of issue #6 runs in the same rounds as the reference, for information."""
    def ours(_: Context) -> Side:
        def factory(ci: int, ri: int) -> Any:
            body = json.dumps(_notification(ri)).encode()
            headers = {**JSON_HEADERS, "Idempotency-Key": uuid.uuid4().hex}
            return "POST", f"{API}/public/case-review-notifications", headers, body, (201,)
        return Side(factory)

    target, evaluate = throughput_target(0.75, p99_factor=1.5)
    return Benchmark("public_intake", "floor: the same statements in plain SQL", concurrency=8,
                     requests=240, target=target, evaluate=evaluate, ours=ours,
                     floor=_keyed_intake_floor("/floor/intake-same-writes"),
                     reference=_one_insert_floor,
                     note="POST /public/case-review-notifications with an Idempotency-Key, 8 clients; "
                          "reference: one INSERT")


# ---- 2. coordinators' outstanding list and summary -------------------------------------------------

OUTSTANDING_QS = "outstanding=true&older_than_days=180"


def outstanding_list(ctx: Context) -> Benchmark:
    def ours(c: Context) -> Side:
        h = c.auth("coordinator")
        return Side(lambda ci, ri: ("GET", f"{API}/child-deaths?{OUTSTANDING_QS}", h, None, (200,)))

    def floor(_: Context) -> Side:
        return Side(lambda ci, ri: ("GET", "/floor/child-deaths/outstanding?older_than_days=180", {}, None, (200,)))

    target, evaluate = latency_target("p95", 2.5)
    return Benchmark("child_deaths_outstanding_list", "floor: the same indexed SELECT", concurrency=1,
                     requests=150, target=target, evaluate=evaluate, ours=ours, floor=floor,
                     note=f"GET /child-deaths?{OUTSTANDING_QS} (first page of 50)")


def outstanding_summary(ctx: Context) -> Benchmark:
    def ours(c: Context) -> Side:
        h = c.auth("coordinator")
        return Side(lambda ci, ri: ("GET", f"{API}/child-deaths/outstanding/summary", h, None, (200,)))

    def floor(_: Context) -> Side:
        return Side(lambda ci, ri: ("GET", "/floor/child-deaths/summary", {}, None, (200,)))

    target, evaluate = latency_target("p95", 2.5)
    return Benchmark("child_deaths_outstanding_summary", "floor: the same GROUP BY counts", concurrency=1,
                     requests=150, target=target, evaluate=evaluate, ours=ours, floor=floor,
                     note="GET /child-deaths/outstanding/summary")


# ---- 3. audited case detail and history ------------------------------------------------------------

def detail(ctx: Context) -> Benchmark:
    ids = ctx.detail_ids

    def ours(c: Context) -> Side:
        h = c.auth("coordinator")
        return Side(lambda ci, ri: ("GET", f"{API}/child-deaths/{ids[ri % len(ids)]}", h, None, (200,)))

    def floor(_: Context) -> Side:
        return Side(lambda ci, ri: ("GET", f"/floor/child-deaths/{ids[ri % len(ids)]}", {}, None, (200,)))

    target, evaluate = latency_target("p95", 2.5)
    return Benchmark("child_death_detail", "floor: SELECT by id", concurrency=1, requests=200,
                     target=target, evaluate=evaluate, ours=ours, floor=floor,
                     note="GET /child-deaths/{id} (audited read), random cases")


def history(ctx: Context) -> Benchmark:
    ids = ctx.detail_ids

    def ours(c: Context) -> Side:
        h = c.auth("coordinator")
        return Side(lambda ci, ri: ("GET", f"{API}/child-deaths/{ids[-1 - ri % len(ids)]}/history", h, None, (200,)))

    def floor(_: Context) -> Side:
        return Side(lambda ci, ri: ("GET", f"/floor/child-deaths/{ids[-1 - ri % len(ids)]}/history", {}, None, (200,)))

    target, evaluate = latency_target("p95", 2.5)
    return Benchmark("child_death_history", "floor: history SELECT by subject", concurrency=1, requests=200,
                     target=target, evaluate=evaluate, ours=ours, floor=floor,
                     note="GET /child-deaths/{id}/history (audited read), random cases")


# ---- 4. transitions on distinct cases from 16 clients ----------------------------------------------

def transitions(ctx: Context) -> Benchmark:
    n = TRANSITION_CLIENTS
    ours_ids, floor_ids = ctx.transition_ids, ctx.floor_transition_ids
    if len(ours_ids) < n or len(floor_ids) < n:
        raise RuntimeError(f"need {n} cases in information_gathering or on_hold and {n} closed ones; "
                           f"have {len(ours_ids)} and {len(floor_ids)}")
    # client ci owns cases ours_ids[ci::n]; each toggles information_gathering <-> on_hold
    state: dict[int, str] = {i: ctx.transition_states[i] for i in ours_ids}
    cursor = [0] * n
    hold_body = {"action": "place_on_hold", "hold_reason": "inquest",
                 "expected_on": (dt.date.today() + dt.timedelta(days=120)).isoformat(),
                 "note": "Waiting for the inquest."}
    release_body = {"action": "release_hold"}
    pending: dict[int, int] = {}

    def ours(c: Context) -> Side:
        h = {**c.auth("coordinator"), **JSON_HEADERS, "If-Match": "*"}

        def factory(ci: int, ri: int) -> Any:
            mine = ours_ids[ci::n]
            case_id = mine[cursor[ci] % len(mine)]
            cursor[ci] += 1
            pending[ci] = case_id
            body = hold_body if state[case_id] == "information_gathering" else release_body
            return "POST", f"{API}/child-deaths/{case_id}/transitions", h, json.dumps(body).encode(), (200,)

        def on_response(ci: int, ri: int, resp: Response) -> None:
            state[pending[ci]] = resp.json()["status"]

        return Side(factory, on_response)

    def reference(_: Context) -> Side:
        def factory(ci: int, ri: int) -> Any:
            mine = floor_ids[ci::n]
            case_id = mine[ri % len(mine)]
            body = {"action": "close", "from": "closed", "to": "closed"}
            return "POST", f"/floor/child-deaths/{case_id}/transitions", JSON_HEADERS, json.dumps(body).encode(), (200,)
        return Side(factory)

    # as the service's side: client ci works on its own cases in turn, each placed on hold and
    # released alternately (the run's holds are deleted afterwards by ``restore``)
    held: dict[int, bool] = {}
    floor_cursor = [0] * n

    def floor(_: Context) -> Side:
        def factory(ci: int, ri: int) -> Any:
            mine = floor_ids[ci::n]
            case_id = mine[floor_cursor[ci] % len(mine)]
            floor_cursor[ci] += 1
            action = "release_hold" if held.get(case_id) else "place_on_hold"
            held[case_id] = not held.get(case_id)
            return ("POST", f"/floor/child-deaths/{case_id}/transitions-same-writes", JSON_HEADERS,
                    json.dumps({"action": action}).encode(), (200,))
        return Side(factory)

    def restore(port: int) -> None:
        """Send each case back to the state it had, so repeated runs see the same dataset."""
        from bench.client import run_load

        todo = [i for i in ours_ids if state[i] != ctx.transition_states[i]]
        h = {**ctx.auth("coordinator"), **JSON_HEADERS, "If-Match": "*"}

        def factory(ci: int, ri: int) -> Any:
            case_id = todo[ri]
            pending[ci] = case_id
            body = hold_body if state[case_id] == "information_gathering" else release_body
            return "POST", f"{API}/child-deaths/{case_id}/transitions", h, json.dumps(body).encode(), (200,)

        def on_response(ci: int, ri: int, resp: Response) -> None:
            state[pending[ci]] = resp.json()["status"]

        if todo:
            run_load("127.0.0.1", port, factory, requests=len(todo), concurrency=1, on_response=on_response)
        # Remove the holds and history rows the run added (the audit trail stays: append-only),
        # so repeated runs do not pile hundreds of holds on cases other benchmarks read.
        if ctx.engine is not None and marks:
            with ctx.engine.begin() as conn:
                conn.execute(text("DELETE FROM cdop_holds WHERE id > :h AND child_death_id IN :ids")
                             .bindparams(bindparam("ids", expanding=True)),
                             {"h": marks["holds"], "ids": list(ours_ids) + list(floor_ids)})
                conn.execute(text("DELETE FROM core_workflow_history WHERE id > :w AND subject_type = "
                                  "'child_death' AND subject_id IN :ids")
                             .bindparams(bindparam("ids", expanding=True)),
                             {"w": marks["history"], "ids": list(ours_ids) + list(floor_ids)})
                # and the holds' clocks (cdop.clocks), opened and met by the run
                conn.execute(text("DELETE FROM core_deadlines WHERE id > :d AND subject_type = "
                                  "'child_death' AND subject_id IN :ids")
                             .bindparams(bindparam("ids", expanding=True)),
                             {"d": marks["deadlines"], "ids": list(ours_ids) + list(floor_ids)})
            if ctx.engine.dialect.name == "postgresql":
                # The run's UPDATEs and DELETEs left dead row versions and cleared visibility-map
                # bits, so the index-only scans of the list and the summary would fetch heap
                # pages until autovacuum came by: the next measurement (and the scaling check
                # against the untouched tenth) would depend on autovacuum's timing. Leave the
                # tables as the generator did (it ends with VACUUM ANALYZE).
                with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    for table in ("cdop_child_deaths", "cdop_holds", "core_workflow_history", "core_deadlines"):
                        conn.execute(text(f"VACUUM (ANALYZE) {table}"))

    marks: dict[str, int] = {}
    if ctx.engine is not None:
        with ctx.engine.connect() as conn:
            marks["holds"] = conn.execute(text("SELECT coalesce(max(id), 0) FROM cdop_holds")).scalar_one()
            marks["history"] = conn.execute(
                text("SELECT coalesce(max(id), 0) FROM core_workflow_history")).scalar_one()
            marks["deadlines"] = conn.execute(text("SELECT coalesce(max(id), 0) FROM core_deadlines")).scalar_one()

    target, evaluate = throughput_target(0.75, p99_factor=1.5)
    return Benchmark("child_death_transition", "floor: the same statements in plain SQL", concurrency=n,
                     requests=320, target=target, evaluate=evaluate, ours=ours, floor=floor,
                     reference=reference,
                     note="POST /child-deaths/{id}/transitions place_on_hold/release_hold, 16 clients on "
                          "distinct cases; reference: UPDATE + INSERT",
                     after=restore)


# ---- 1b. against the same writes as one statement (information, PostgreSQL) ------------------

def _information(ours: Any, floor: Any) -> Any:
    from bench.core import Verdict

    return Verdict(round(ours.rps / floor.rps, 2) if floor.rps else 0.0, not ours.errors)


def intake_one_statement(ctx: Context) -> Benchmark | None:
    """PostgreSQL only, information: the service against the same writes sent as one
    data-modifying statement (bench.floor_sql.intake_one_statement), and that floor against the
    issue's one INSERT: what a request written as one hand-made statement could reach."""
    if ctx.engine is None or ctx.engine.dialect.name != "postgresql":
        return None
    base = intake(ctx)
    return Benchmark("public_intake_one_statement", "floor: the same writes as one statement",
                     concurrency=base.concurrency, requests=base.requests,
                     target="information (rps ratio)", evaluate=_information, ours=base.ours,
                     floor=_keyed_intake_floor("/floor/intake-one-statement"), reference=_one_insert_floor,
                     note="PostgreSQL only")


# ---- 0. the fixed cost of the stack (informational) -------------------------------------------------

def livez(ctx: Context) -> Benchmark:
    """GET /livez on both: no database, no auth. The difference is the service's fixed
    per-request cost (middleware stack, access log, Prometheus instrumentation)."""
    def side(_: Context) -> Side:
        return Side(lambda ci, ri: ("GET", "/livez", {}, None, (200,)))

    def evaluate(ours: Any, floor: Any) -> Any:
        from bench.core import Verdict

        return Verdict(round(ours.p50_ms / floor.p50_ms, 2) if floor.p50_ms else 0.0, not ours.errors)

    return Benchmark("livez_fixed_cost", "floor: the same route, bare FastAPI", concurrency=1, requests=300,
                     target="information (p50 ratio)", evaluate=evaluate, ours=side, floor=side,
                     note="GET /livez: middleware, logging and metrics cost per request")


ALL = (livez, intake, outstanding_list, outstanding_summary, detail, history, transitions,
       intake_one_statement)
