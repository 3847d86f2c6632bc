"""A real server and a real browser: uvicorn on a free port against a temporary SQLite database
(upgraded with the migrations), a local SMTP sink for the emails, and Debian's Chromium driven
by Playwright. Skips cleanly when Playwright or Chromium is missing (.ci/run installs Chromium).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SmtpSink, free_port

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ECR_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@dataclass
class LiveServer:
    url: str
    settings: Any
    session_factory: Any
    smtp: SmtpSink

    def token_for(self, *roles: str) -> str:
        """A user with these roles in the live database, and a bearer token for the API."""
        import uuid

        from core.auth.models import User
        from core.auth.passwords import hash_password
        from core.auth.tokens import issue_access_token

        with self.session_factory() as s:
            user = User(email=f"{'-'.join(roles)}-{uuid.uuid4().hex[:8]}@example.test", name="Browser Test",
                        password_hash=hash_password("correct horse battery staple"), roles=list(roles),
                        is_active=True)
            s.add(user)
            s.commit()
            uid = user.id
        return issue_access_token(self.settings, str(uid))


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if chromium_path() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    import uvicorn
    from sqlalchemy.orm import sessionmaker

    from core.app import create_app
    from core.db.session import make_engine
    from core.migrations import upgrade
    from core.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="ecr-browser-"))
    url = f"sqlite:///{tmp}/browser.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    smtp = SmtpSink().start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        env="test", database_url=url, secret_key="browser-test-secret-" + "y" * 40,
        public_base_url=base, smtp_url=smtp.url, run_worker_in_process=True, worker_poll_seconds=0.2,
        public_rate_limit="1000/minute", log_level="WARNING",
    )
    app = create_app(settings, session_factory=factory, start_worker=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the live server did not start")
    try:
        yield LiveServer(base, settings, factory, smtp)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        smtp.stop()
        engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    problems: list[str] = []
    # a Content-Security-Policy violation (an inline script or style) shows as a console error
    # (a 4xx answer to a page, e.g. 422 for a form with errors, is logged as "Failed to load")
    pg.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" and
          not msg.text.startswith("Failed to load resource") else None)
    pg.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        yield pg
        assert not problems, problems
    finally:
        context.close()


@pytest.fixture
def shot() -> Any:
    """shot(page, "name"): a full-page screenshot in tests/artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(pg: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return _shot

