"""create_app(): settings, middleware, error handlers, routers, lifespan."""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from core.errors import install_error_handlers
from core.openapi_docs import install as install_openapi_docs
from core.http.metrics import metrics_endpoint
from core.http.middleware import RequestContextMiddleware
from core.http.request_limits import RequestLimitsMiddleware
from core.logging import configure_logging
from core.registry import AppRegistry
from core.settings import Settings, get_settings
from core.web import install_web
from core.web.cors import PathAwareCORSMiddleware

log = logging.getLogger("core.app")
API_PREFIX = "/api/v1"

_frozen = False


def freeze_startup_objects() -> None:
    """Move what start-up built (modules, routes, models, compiled schemas: objects that live
    as long as the process) out of the cyclic garbage collector's reach, once per process.
    Otherwise every full collection walks them all, a pause that lands in the p99 of every
    request in flight (figures in bench/README.md). Objects freed by reference counting are
    freed as before."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    *,
    start_worker: bool | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from core.auth.bootstrap import bootstrap_admin

        factory = app.state.session_factory or _default_factory()
        bootstrap_admin(factory, settings)
        for hook in registry.startup:
            hook(app)
        worker = None
        run_worker = settings.run_worker_in_process if start_worker is None else start_worker
        if run_worker:
            from core.outbox.worker import BackgroundWorker, smtp_sender

            sender = smtp_sender(settings.smtp_url, settings.smtp_from) if settings.smtp_url else None
            worker = BackgroundWorker(factory, sender, settings.worker_poll_seconds)
            worker.start()
        # anyio's limiter is per event loop: set on the loop that serves the requests
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threadpool_size
        freeze_startup_objects()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="Case review and child death review service",
        version="1.0.0",
        description=(
            "Case review notifications and child death reviews for safeguarding children "
            "partnerships in England. Errors are RFC 9457 problem+json with a stable `code`."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    install_error_handlers(app)
    install_openapi_docs(app)

    registry = AppRegistry(app)
    from core.idempotency.service import purge_job

    registry.add_periodic_job("idempotency.purge", purge_job)
    from core.auth.sessions import purge_sessions

    registry.add_periodic_job("auth.sessions.purge", purge_sessions)
    for name in settings.modules:
        module = importlib.import_module(name)
        module.register(registry)

    from core.audit.router import router as audit_router
    from core.auth.router import router as auth_router
    from core.health import router as health_router
    from core.meetings.router import router as meetings_router
    from core.outbox.router import router as outbox_router
    from core.workflow.router import router as workflow_router

    # Each router straight into the app under the prefix: FastAPI >= 0.16x matches included
    # routers as nested branches (each level matched again on the way down), so one level fewer
    # is cheaper on every request than an /api/v1 router holding the module routers.
    # The domains' routers first: a request is matched against the routes in order, and case
    # work is most of the traffic (no path of one router overlaps another's).
    for router in (*registry.api_routers, auth_router, audit_router, meetings_router, workflow_router,
                   outbox_router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(health_router)
    for router in registry.root_routers:
        app.include_router(router)
    install_web(app)  # /static, the start page, HTML error pages for /notify and /forms
    _commit_in_endpoint_threads(app)

    # Observed by RequestContextMiddleware (core.http.metrics); exposed here.
    app.add_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)

    # Innermost of the three: size/shape limits answer inside CORS (browsers can read the 413)
    # and inside the request context (the problem carries the request id).
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_public_body_bytes=settings.max_public_body_bytes,
        max_json_depth=settings.max_json_depth,
    )
    # Staff API: ECR_CORS_ORIGINS; /api/v1/public/: ECR_PUBLIC_FORM_ORIGINS (boards' websites).
    app.add_middleware(
        PathAwareCORSMiddleware,
        staff_origins=settings.cors_origins,
        public_origins=settings.public_form_origins,
    )
    app.add_middleware(RequestContextMiddleware)
    return app


def _commit_in_endpoint_threads(app: FastAPI) -> None:
    """Every sync endpoint commits the request's session in its own threadpool call
    (core.db.session.commit_when_endpoint_returns): one threadpool hop fewer per request.

    FastAPI >= 0.16x runs an included route through its effective context, which holds a
    dependant of its own (the include's dependencies added): both are wrapped."""
    import inspect

    from core.db.session import commit_when_endpoint_returns, runs_in_endpoint_thread

    def wrap(dependant: object) -> None:
        call = getattr(dependant, "call", None)
        if (call is None or getattr(call, "__commits_request_session__", False)
                or inspect.iscoroutinefunction(call) or inspect.isgeneratorfunction(call)
                or inspect.isasyncgenfunction(call) or not inspect.isfunction(call)):
            return
        dependant.call = commit_when_endpoint_returns(call)  # type: ignore[attr-defined]
        runs_in_endpoint_thread(app, call)

    def walk(routes: list[object]) -> None:
        for route in routes:
            candidates = getattr(route, "effective_candidates", None)
            if callable(candidates):
                walk(candidates())
                continue
            wrap(getattr(route, "dependant", None))
            wrap(getattr(getattr(route, "original_route", None), "dependant", None))

    walk(list(app.routes))


def _default_factory() -> sessionmaker[Session]:
    from core.db.session import session_factory

    return session_factory(None)


def app_factory() -> FastAPI:
    """For ``uvicorn --factory core.app:app_factory``."""
    return create_app()
