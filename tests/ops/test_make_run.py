"""`make run` as a user starts it: the public rate limit cannot be escaped by a made-up
``X-Forwarded-For`` (issue 16, bug 11). Who to believe is the one setting ECR_TRUSTED_PROXIES:
the server's command line must not add a second mechanism (uvicorn's proxy headers)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.hardening.payloads import CASE_REVIEW_PATH, case_review_body

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def make_run(tmp_path: Path, **env: str) -> Iterator[str]:
    port = _free_port()
    full_env = {
        **os.environ,
        "ECR_DATABASE_URL": f"sqlite:///{tmp_path}/make-run.sqlite3",
        "ECR_PUBLIC_RATE_LIMIT": "3/minute",
        "ECR_RUN_WORKER_IN_PROCESS": "false",
        "ECR_TRUSTED_PROXIES": "",
        **env,
    }
    log = (tmp_path / f"make-run-{port}.log").open("w")
    proc = subprocess.Popen(["make", "-s", "run", "HOST=127.0.0.1", f"PORT={port}"], cwd=ROOT,
                            env=full_env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make run exited with {proc.returncode}: "
                            f"{(tmp_path / f'make-run-{port}.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/livez", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("make run did not answer /livez within 120 s")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _post(base: str, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return httpx.post(base + CASE_REVIEW_PATH, json=case_review_body(), headers=headers, timeout=30)


def test_a_made_up_forwarded_for_does_not_escape_the_public_limit(tmp_path: Path) -> None:
    with make_run(tmp_path) as base:
        assert [_post(base).status_code for _ in range(3)] == [201, 201, 201]
        for fake in ("198.51.100.7", "203.0.113.9, 198.51.100.8"):
            r = _post(base, forwarded_for=fake)
            assert r.status_code == 429, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert int(r.headers["retry-after"]) >= 1


def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    """The same command line with ECR_TRUSTED_PROXIES naming the local proxy: each forwarded
    client has its own allowance."""
    with make_run(tmp_path, ECR_TRUSTED_PROXIES="127.0.0.1") as base:
        assert [_post(base, "198.51.100.20").status_code for _ in range(3)] == [201, 201, 201]
        assert _post(base, "198.51.100.20").status_code == 429
        assert _post(base, "198.51.100.21").status_code == 201
