"""Nothing leaks (issue #5): problem responses never carry stack traces or SQL, and the logs of
a whole workflow, at DEBUG, never carry case content, names, emails or tokens."""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from core.db.session import make_engine
from tests.conftest import SmtpSink, deliver_outbox
from tests.hardening.conftest import make_probe_app
from tests.hardening.flows import find_case, notify, transition
from tests.hardening.payloads import case_review_body, child_death_body

LEAK_MARKERS = ("Traceback", "SELECT", "INSERT", "UPDATE ", "sqlalchemy", "psycopg", "sqlite3",
                'File "', "core_", "ecr_", "cdop_")


def _assert_clean_problem(r, statuses: tuple[int, ...]) -> None:
    assert r.status_code in statuses, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    for marker in LEAK_MARKERS:
        assert marker not in r.text, f"{marker!r} in {r.text}"
    assert r.json()["request_id"]


@pytest.fixture
def broken_db_client(tmp_path):
    """An app whose database has no tables: every query fails inside the database."""
    engine = make_engine(f"sqlite:///{tmp_path}/empty.sqlite3")
    app = make_probe_app(sessionmaker(bind=engine, expire_on_commit=False),
                         public_rate_limit="100000/minute")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    engine.dispose()


def test_database_errors_do_not_leak(broken_db_client: TestClient, make_user) -> None:
    from core.auth.tokens import issue_access_token
    from core.settings import get_settings

    token = issue_access_token(get_settings(), "1")
    _assert_clean_problem(broken_db_client.post("/api/v1/public/case-review-notifications",
                                                json=case_review_body()), (500, 503))
    _assert_clean_problem(broken_db_client.post("/api/v1/public/child-death-notifications",
                                                json=child_death_body()), (500, 503))
    _assert_clean_problem(broken_db_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
                          (500, 503))
    _assert_clean_problem(broken_db_client.post("/api/v1/auth/token",
                                                data={"username": "a@example.org", "password": "x" * 12}),
                          (500, 503))


def test_unreachable_database_is_503_without_details() -> None:
    from tests.conftest import free_port

    url = f"postgresql+psycopg://nobody:secret-password@127.0.0.1:{free_port()}/nothing"
    engine = make_engine(url, connect_args={"connect_timeout": 2})
    app = make_probe_app(sessionmaker(bind=engine), public_rate_limit="100000/minute")
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/v1/public/case-review-notifications", json=case_review_body())
    _assert_clean_problem(r, (503,))
    assert "secret-password" not in r.text and "127.0.0.1" not in r.text
    engine.dispose()


def test_integrity_error_is_409_without_sql(client: TestClient, make_user) -> None:
    admin = make_user("admin")
    body = {"email": f"dup-{uuid.uuid4().hex[:6]}@example.org", "name": "Dup", "password": "x" * 16,
            "roles": ["business_unit"]}
    assert client.post("/api/v1/users", json=body, headers=admin.headers).status_code == 201
    _assert_clean_problem(client.post("/api/v1/users", json=body, headers=admin.headers), (409,))


# Loggers of the test's own tools, not of the service: the HTTP client driving the API, and
# the SMTP server standing in for the mail relay.
TEST_SIDE_LOGGERS = {"httpx", "httpcore", "mail"}


class _Capture(logging.Handler):
    """Every record, rendered by the app's own JSON formatter and with all its attributes."""

    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__(logging.DEBUG)
        self.stream = io.StringIO()
        self.json_formatter = formatter

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in TEST_SIDE_LOGGERS:
            return
        parts = [record.getMessage(), repr(record.__dict__)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if self.json_formatter is not None:
            try:
                parts.append(self.json_formatter.format(record))
            except Exception as exc:  # noqa: BLE001
                parts.append(f"<unformattable: {exc}>")
        self.stream.write("\n".join(parts) + "\n")


def test_logs_of_a_full_workflow_carry_no_personal_data_or_tokens(
    client: TestClient, make_user, session_factory
) -> None:
    root = logging.getLogger()
    app_formatter = next((h.formatter for h in root.handlers if h.get_name() == "ecr-json"), None)
    capture = _Capture(app_formatter)
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        tag = uuid.uuid4().hex[:6]
        secrets = {
            "cr_first": f"Zorabel{tag}", "cr_last": f"Quixworth{tag}",
            "cr_email": f"leak.notifier.{tag}@example.org",
            "cd_first": f"Mirabeth{tag}", "cd_last": f"Fenwhistle{tag}",
            "cd_email": f"leak.doctor.{tag}@example.org",
            "note": f"Confidential screening note {tag}",
            "rationale": f"Confidential rationale {tag}",
        }
        bu = make_user("business_unit")
        chair = make_user("crg_chair")
        coord = make_user("cdop_coordinator")
        for u in (bu, chair, coord):
            secrets[f"token_{u.roles[0]}"] = u.token
        # case review: notification -> screening -> information -> group -> decision
        receipt = notify(client, "case_review", case_review_body(
            first=secrets["cr_first"], last=secrets["cr_last"], email=secrets["cr_email"]),
            **{"Idempotency-Key": f"leak-{tag}"})
        secrets["status_token"] = receipt["status_token"]
        client.get(f"/api/v1/public/case-review-notifications/{receipt['reference']}/status",
                   headers={"X-Status-Token": receipt["status_token"]})
        client.get(f"/api/v1/public/case-review-notifications/{receipt['reference']}/status",
                   headers={"X-Status-Token": "wrong-" + receipt["status_token"]})
        case_id, etag = find_case(client, "case_review", receipt["reference"], bu.headers)
        client.get("/api/v1/case-reviews", params={"q": secrets["cr_last"]}, headers=bu.headers)
        for action, fields, who in (
            ("start_screening", {}, bu),
            ("request_information", {"note": secrets["note"]}, bu),
            ("record_information", {}, bu),
            ("refer_to_group", {}, bu),
            ("no_further_action", {"rationale": secrets["rationale"]}, chair),
        ):
            r = transition(client, "case_review", case_id, etag, action, who.headers, **fields)
            assert r.status_code == 200, r.text
            etag = r.headers["etag"]
        # a stale ETag and a bad field on the way (error paths log too)
        transition(client, "case_review", case_id, "W/\"0\"", "close", bu.headers)
        # child death: notification -> information gathering -> on hold
        cd = notify(client, "child_death", child_death_body(
            first=secrets["cd_first"], last=secrets["cd_last"], email=secrets["cd_email"]))
        cd_id, cd_etag = find_case(client, "child_death", cd["reference"], coord.headers)
        r = transition(client, "child_death", cd_id, cd_etag, "start_information_gathering", coord.headers)
        assert r.status_code == 200, r.text
        r = transition(client, "child_death", cd_id, r.headers["etag"], "place_on_hold", coord.headers,
                       hold_reason="inquest",
                       expected_on=(dt.date.today() + dt.timedelta(days=60)).isoformat())
        assert r.status_code == 200, r.text
        # invalid input that repeats the name: rejected, and not logged
        bad = case_review_body(first=secrets["cr_first"], last=secrets["cr_last"])
        bad["notifier"]["email"] = f"{secrets['cr_last']}-not-an-email"
        assert client.post("/api/v1/public/case-review-notifications", json=bad).status_code == 422
        # a login with a wrong password (the username is an email)
        client.post("/api/v1/auth/token", data={"username": secrets["cr_email"], "password": "wrong" * 3})
        # the worker sends the emails
        sink = SmtpSink().start()
        try:
            deliver_outbox(session_factory, sink.url)
        finally:
            sink.stop()
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)

    logged = capture.stream.getvalue()
    assert "request" in logged, "nothing was captured"
    found = {name: value for name, value in secrets.items() if value in logged}
    if found:
        lines = [ln for ln in logged.splitlines() if any(v in ln for v in found.values())]
        pytest.fail(f"logs contain {sorted(found)}:\n" + "\n".join(ln[:400] for ln in lines[:10]))
    # the signature part of each JWT alone is a secret too
    for name in [k for k in secrets if k.startswith("token_")]:
        assert secrets[name].rsplit(".", 1)[-1] not in logged


def test_debug_logging_does_not_log_sql_parameters(tmp_path) -> None:
    """ECR_LOG_LEVEL=DEBUG must not turn on SQLAlchemy's statement log (it prints parameters:
    names, addresses, notes)."""
    from sqlalchemy import text

    from core.logging import configure_logging
    from core.settings import get_settings

    root = logging.getLogger()
    capture = _Capture(None)
    old_level = root.level
    try:
        configure_logging("DEBUG")
        root.addHandler(capture)
        engine = make_engine(f"sqlite:///{tmp_path}/debug.sqlite3")
        with engine.connect() as conn:
            conn.execute(text("SELECT :who"), {"who": "Ottoline Secretname"}).scalar_one()
        engine.dispose()
    finally:
        root.removeHandler(capture)
        configure_logging(get_settings().log_level)
        root.setLevel(old_level)
    assert "Ottoline Secretname" not in capture.stream.getvalue()
