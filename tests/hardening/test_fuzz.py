"""The whole API fuzzed from its own OpenAPI schema with schemathesis (issue #5).

In process (ASGI transport, no network), inside the per-test rollback (nothing is left
behind), over public and authenticated routes with the token of a user holding every role.
Positive and negative data; bounded: ECR_FUZZ_EXAMPLES examples per operation and mode
(default 6) and ECR_FUZZ_SECONDS in all (default 75). Derandomised by default so CI is
repeatable; set ECR_FUZZ_SEED to explore other inputs.

Fails on any 5xx, on a response that does not match the schema (body, content type, declared
headers) and on invalid input that is accepted. The figures (requests fuzzed, 5xx seen) are
printed at the end of the run.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from core.auth.models import User
from core.auth.roles import ALL_ROLES
from tests.conftest import IS_POSTGRES
from tests.hardening.conftest import record_figures

pytestmark = pytest.mark.slow

import hypothesis  # noqa: E402  (test dependencies: a missing one must fail, not skip)
import schemathesis  # noqa: E402

EXAMPLES = int(os.environ.get("ECR_FUZZ_EXAMPLES", "6"))
BUDGET_SECONDS = float(os.environ.get("ECR_FUZZ_SECONDS", "75"))
SEED = os.environ.get("ECR_FUZZ_SEED")

# Operations that are not worth fuzzing in process, with the reason.
SKIP_OPERATIONS: dict[str, str] = {}


def _checks() -> tuple[list[Any], list[Any]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_headers_conformance,
        response_schema_conformance,
    )

    from schemathesis.specs.openapi.checks import status_code_conformance

    # Every status an operation answers must be documented for it (core.openapi_docs).
    common = [not_a_server_error, content_type_conformance, response_schema_conformance,
              response_headers_conformance, status_code_conformance]
    return common, [*common, negative_data_rejection]


def _settings(examples: int):
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        print_blob=False,
        report_multiple_bugs=False,
    )


def _restore(db, user_id: int) -> None:
    """Fuzzed PATCH /users may deactivate or demote the fuzzing user itself: undo it."""
    db.execute(update(User).where(User.id == user_id).values(is_active=True, roles=sorted(ALL_ROLES)))
    db.commit()


def _build_world(client: TestClient, make_user, fuzz_user_id: int) -> dict[str, dict[str, Any]]:
    """Real objects for the path parameters, so that fuzzed bodies reach the handlers (random
    ids mostly stop at 404). Prefix of the path -> {parameter: value}."""
    import datetime as dt
    import re as _re

    from sqlalchemy import select

    from core.outbox.models import OutboxMessage
    from tests.hardening.flows import find_case, notify, transition

    bu, chair, coord = make_user("business_unit"), make_user("crg_chair"), make_user("cdop_coordinator")
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    world: dict[str, dict[str, Any]] = {}

    receipt = notify(client, "case_review")
    cr_id, etag = find_case(client, "case_review", receipt["reference"], bu.headers)
    for action, fields, who in (("start_screening", {}, bu), ("refer_to_group", {}, bu),
                                ("commission_management_review", {"rationale": "Fuzz world."}, chair)):
        r = transition(client, "case_review", cr_id, etag, action, who.headers, **fields)
        assert r.status_code == 200, r.text
        etag = r.headers["etag"]
    other_id, _ = find_case(client, "case_review", notify(client, "case_review")["reference"], bu.headers)
    cr = {"case_id": cr_id, "other_id": other_id}
    r = client.post(f"/api/v1/case-reviews/{cr_id}/agency-reports",
                    json={"agency": "Fuzz Agency", "due_on": due, "assignee_user_id": fuzz_user_id},
                    headers=bu.headers)
    if r.status_code == 201:
        cr["report_id"] = r.json()["id"]
    r = client.post(f"/api/v1/case-reviews/{cr_id}/recommendations", json={"text": "Fuzz."}, headers=bu.headers)
    if r.status_code == 201:
        cr["rec_id"] = r.json()["id"]
    world["/api/v1/case-reviews/"] = cr
    world["/api/v1/public/case-review-notifications/"] = {"reference": receipt["reference"]}

    cd_ref = notify(client, "child_death")["reference"]
    cd_id, cd_etag = find_case(client, "child_death", cd_ref, coord.headers)
    transition(client, "child_death", cd_id, cd_etag, "start_information_gathering", coord.headers)
    r = client.post(f"/api/v1/child-deaths/{cd_id}/reporting-forms",
                    json={"agency": "Fuzz Agency", "due_on": due, "assignee_user_id": fuzz_user_id},
                    headers=coord.headers)
    cd: dict[str, Any] = {"case_id": cd_id}
    if r.status_code == 201:
        cd["form_id"] = r.json()["id"]
    world["/api/v1/child-deaths/"] = cd
    db = client.app.state.session_factory()
    try:
        bodies = db.execute(select(OutboxMessage.body)).scalars().all()
    finally:
        db.close()
    tokens = [m.group(1) for b in bodies for m in _re.finditer(r"/public/reporting-forms/([A-Za-z0-9._~-]+)", b)]
    if tokens:
        world["/api/v1/public/reporting-forms/"] = {"token": tokens[-1]}

    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    r = client.post("/api/v1/meetings", json={"kind": "crg", "scheduled_for": when, "member_ids": [fuzz_user_id]},
                    headers=bu.headers)
    assert r.status_code == 201, r.text
    meeting_id = r.json()["id"]
    client.post(f"/api/v1/meetings/{meeting_id}/agenda", json={"case_id": cr_id}, headers=bu.headers)
    world["/api/v1/meetings/"] = {"meeting_id": meeting_id, "case_id": cr_id}
    world["/api/v1/users/"] = {"user_id": make_user("crg_member").id}
    world["/api/v1/workflows/"] = {"name": "case-review"}
    return world


def _real_ids(world: dict[str, dict[str, Any]], op) -> dict[str, Any] | None:
    names = {p.name for p in op.path_parameters}
    if not names:
        return None
    for prefix, values in world.items():
        if op.path.startswith(prefix) and names <= values.keys():
            return {k: values[k] for k in names}
    return None


def _runner(label: str, headers: dict[str, str], checks: list[Any], mode: Any, stats: Counter,
            server_errors: list[str]):
    def run(case) -> None:
        try:
            response = case.call(headers=headers)
        except Exception as exc:
            # The in-process client re-raises what the app did not handle (the client saw a 500).
            stats["requests"] += 1
            stats["status_5xx"] += 1
            server_errors.append(f"{label} -> unhandled {type(exc).__name__}: {str(exc)[:300]}")
            raise
        stats["requests"] += 1
        stats[f"{mode.value}_requests"] += 1
        stats[f"status_{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            server_errors.append(f"{label} -> {response.status_code}: {response.text[:300]}")
        case.validate_response(response, checks=checks, headers=headers)

    return run


def test_fuzz_the_whole_api(app: FastAPI, client: TestClient, db, make_user) -> None:
    from hypothesis import given, seed
    from schemathesis import GenerationMode

    everyone = make_user(*sorted(ALL_ROLES), agency="Fuzz Agency")
    auth = {"Authorization": f"Bearer {everyone.token}"}
    # The token is ours to send (no generated Authorization headers), and FastAPI ignores
    # unknown query parameters by design (no generated extra parameters).
    config = schemathesis.Config.from_str(
        "[generation]\nwith-security-parameters = false\nallow-extra-parameters = false\n"
        "[checks.negative_data_rejection]\n"
        "expected-statuses = [400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 429]\n")
    schema = schemathesis.openapi.from_dict(app.openapi(), config=config)
    schema.app = app
    positive_checks, negative_checks = _checks()

    stats: Counter = Counter()
    server_errors: list[str] = []
    failures: dict[str, str] = {}
    started = time.monotonic()
    operations = [r.ok() for r in schema.get_all_operations()]
    world = _build_world(client, make_user, everyone.id)
    assert len(operations) > 40, "the schema lost its operations"

    for op in operations:
        label = f"{op.method.upper()} {op.path}"
        if label in SKIP_OPERATIONS:
            stats["operations_skipped"] += 1
            continue
        if time.monotonic() - started > BUDGET_SECONDS:
            stats["operations_out_of_time"] += 1
            continue
        stats["operations"] += 1
        real = _real_ids(world, op)
        stats["operations_with_real_ids"] += real is not None
        # (mode, headers, path parameters, examples): random ids, real ids, anonymous
        plans = [(GenerationMode.POSITIVE, auth, None, EXAMPLES),
                 (GenerationMode.NEGATIVE, auth, real, EXAMPLES),
                 (GenerationMode.POSITIVE, {}, None, max(2, EXAMPLES // 3))]
        if real is not None:
            plans.insert(1, (GenerationMode.POSITIVE, auth, real, EXAMPLES))
        for mode, headers, path_parameters, examples in plans:
            checks = negative_checks if mode is GenerationMode.NEGATIVE else positive_checks
            _restore(db, everyone.id)
            run = _runner(label, headers, checks, mode, stats, server_errors)
            strategy = op.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            test = _settings(examples)(given(case=strategy)(run))
            if SEED is not None:
                test = seed(int(SEED))(test)
            try:
                test()
            except hypothesis.errors.Unsatisfiable:
                stats["unsatisfiable"] += 1
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - collect every operation's failure
                key = (f"{label} [{mode.value}{'' if headers else ', anonymous'}"
                       f"{', real ids' if path_parameters else ''}]")
                failures[key] = f"{type(exc).__name__}: {str(exc)[:1500]}"

    elapsed = round(time.monotonic() - started, 1)
    record_figures(f"fuzz ({'postgresql' if IS_POSTGRES else 'sqlite'})",
                   operations=stats["operations"], with_real_ids=stats["operations_with_real_ids"],
                   requests=stats["requests"],
                   positive=stats["positive_requests"], negative=stats["negative_requests"],
                   server_errors_5xx=len(server_errors), status_2xx=stats["status_2xx"],
                   status_4xx=stats["status_4xx"], failing_operations=len(failures),
                   out_of_time=stats["operations_out_of_time"], seconds=elapsed)
    assert stats["requests"] > 200, (stats, list(failures.items())[:2])
    report = "\n\n".join(f"== {k}\n{v}" for k, v in sorted(failures.items()))
    assert not server_errors and not failures, (
        f"{len(server_errors)} server errors, {len(failures)} failing operations:\n"
        + "\n".join(server_errors[:20]) + "\n\n" + report)
