"""The whole API fuzzed from its own OpenAPI schema with schemathesis (issue #5).

In process (ASGI transport, no network), inside the per-test rollback (nothing is left
behind), over public and authenticated routes with the token of a user holding every role.
Positive and negative data; bounded: ECR_FUZZ_EXAMPLES examples per operation and mode
(default 8) and ECR_FUZZ_SECONDS in all (default 90). Derandomised by default so CI is
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

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

EXAMPLES = int(os.environ.get("ECR_FUZZ_EXAMPLES", "8"))
BUDGET_SECONDS = float(os.environ.get("ECR_FUZZ_SECONDS", "90"))
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

    common = [not_a_server_error, content_type_conformance, response_schema_conformance,
              response_headers_conformance]
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


def _runner(label: str, headers: dict[str, str], checks: list[Any], mode: Any, stats: Counter,
            server_errors: list[str]):
    def run(case) -> None:
        response = case.call(headers=headers)
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
        for mode, checks in ((GenerationMode.POSITIVE, positive_checks),
                             (GenerationMode.NEGATIVE, negative_checks)):
            for headers in (auth, {}):
                if not headers and mode is GenerationMode.NEGATIVE:
                    continue  # anonymous: positive data is enough to see 401s and public routes
                _restore(db, everyone.id)

                run = _runner(label, headers, checks, mode, stats, server_errors)
                test = given(case=op.as_strategy(generation_mode=mode))(run)
                test = _settings(EXAMPLES if headers else max(3, EXAMPLES // 3))(test)
                if SEED is not None:
                    test = seed(int(SEED))(test)
                try:
                    test()
                except hypothesis.errors.Unsatisfiable:
                    stats["unsatisfiable"] += 1
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # noqa: BLE001 - collect every operation's failure
                    key = f"{label} [{mode.value}{'' if headers else ', anonymous'}]"
                    failures[key] = f"{type(exc).__name__}: {str(exc)[:1500]}"

    elapsed = round(time.monotonic() - started, 1)
    record_figures(f"fuzz ({'postgresql' if IS_POSTGRES else 'sqlite'})",
                   operations=stats["operations"], requests=stats["requests"],
                   positive=stats["positive_requests"], negative=stats["negative_requests"],
                   server_errors_5xx=len(server_errors), status_2xx=stats["status_2xx"],
                   status_4xx=stats["status_4xx"], failing_operations=len(failures),
                   out_of_time=stats["operations_out_of_time"], seconds=elapsed)
    assert stats["requests"] > 200, (stats, list(failures.items())[:2])
    report = "\n\n".join(f"== {k}\n{v}" for k, v in sorted(failures.items()))
    assert not server_errors and not failures, (
        f"{len(server_errors)} server errors, {len(failures)} failing operations:\n"
        + "\n".join(server_errors[:20]) + "\n\n" + report)
