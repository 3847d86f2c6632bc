"""Measure proposed changes to the service without editing it: the service's app factory with
named patches applied, chosen by ``ECR_BENCH_PATCHES`` (comma-separated) in the server's
environment. ``python -m bench.run --patch NAME`` starts the service through this factory.

Prototypes measured here and since made in the service (open-state literals, audit appended
without the head lock, reads committed without waiting for the WAL flush, Core rows for lists,
the summary without joins, no prometheus-fastapi-instrumentator, the reference number outside
the request's transaction, and on 2026-11-29 the SQLite writers' in-process queue, first
measured here as ``sqlite_writer_lock``) were removed from this module; bench/README.md keeps
their figures.

- ``inline_audit``: ``ECR_AUDIT_SEALING=inline``, each audit event chained in its request under
  the head row lock (the behaviour before deferred sealing): the price of the stricter mode.
- ``sync_read_commit``: ``ECR_AUDIT_READ_COMMIT=sync``, reads wait for the WAL flush of their
  audit event (PostgreSQL): the price of the stricter policy.
- ``auth_on_loop``: the principal's lookup run on the event loop instead of in a threadpool
  call (it blocks the loop for its SELECT: not a design, an upper bound for what removing the
  principal's threadpool hop could save). Measured 2026-11-29, SQLite quick, 2 × 2 interleaved
  runs: *worse*, CPU per request list 3.5-3.9 → 4.1-4.8 ms, detail 2.0-2.1 → 2.5-2.8, history
  1.8-1.9 → 2.3-2.5 (the session's connection then moves between the loop thread and the
  endpoint's thread). Since then the hop is gone another way: the lookup runs in the
  endpoint's own threadpool call (core.auth.deps.DeferredAuthentication).
- ``threads`` (until 2026-11-29 21:30 UTC): a smaller threadpool. It is now the service's
  setting ``ECR_THREADPOOL_SIZE``, and ``python -m bench.run --threads N`` sets it for both
  servers (bench/README.md, "Serving it", has the figures). Its knob (``ECR_BENCH_THREADS``)
  never reached a server started by ``bench.run``: ``bench.servers.server_env`` drops the
  ``ECR_*`` variables it does not set. The earlier figures here (40, 4 and 2 threads within 5%
  of each other, "one server") hold only if that server was started by hand.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI


def app_factory() -> FastAPI:
    names = [n.strip() for n in os.environ.get("ECR_BENCH_PATCHES", "").split(",") if n.strip()]
    hooks = [PATCHES[name]() for name in names]
    from core.app import create_app

    app = create_app()
    for hook in hooks:
        if hook is not None:
            hook(app)
    return app


# ---- settings: the stricter modes ------------------------------------------------------------------

def _setting(name: str, value: str) -> None:
    os.environ[name] = value
    from core.settings import get_settings

    get_settings.cache_clear()


def inline_audit() -> None:
    _setting("ECR_AUDIT_SEALING", "inline")


def sync_read_commit() -> None:
    _setting("ECR_AUDIT_READ_COMMIT", "sync")


# ---- auth_on_loop --------------------------------------------------------------------------------

def auth_on_loop() -> Any:
    def install(app: FastAPI) -> None:
        from typing import Annotated

        from fastapi import Depends, Request
        from fastapi.security import HTTPAuthorizationCredentials

        from core.auth import deps
        from core.db.session import SessionDep

        async def get_principal(request, session, credentials):  # type: ignore[no-untyped-def]
            return deps.get_principal(request, session, credentials)

        # real objects, not strings: this module's annotations are postponed and these names
        # are local
        get_principal.__annotations__ = {
            "request": Request, "session": SessionDep,
            "credentials": Annotated[HTTPAuthorizationCredentials | None, Depends(deps.bearer)],
        }

        app.dependency_overrides[deps.get_principal] = get_principal

    return install


PATCHES = {
    "inline_audit": inline_audit,
    "sync_read_commit": sync_read_commit,
    "auth_on_loop": auth_on_loop,
}
