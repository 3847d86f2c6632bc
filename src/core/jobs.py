"""Periodic jobs registered by the domains (agency reminders), run by the worker."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session, sessionmaker

from core.registry import PERIODIC_JOBS

log = logging.getLogger("core.jobs")


def run_periodic_jobs(factory: sessionmaker[Session], today: dt.date | None = None) -> dict[str, int]:
    """Each job in its own transaction; one failing job does not stop the others."""
    today = today or dt.date.today()
    results: dict[str, int] = {}
    for name, job in sorted(PERIODIC_JOBS.items()):
        try:
            with factory() as session, session.begin():
                results[name] = int(job(session, today) or 0)
        except Exception:  # noqa: BLE001
            log.exception("periodic job failed", extra={"job": name})
            results[name] = -1
    return results
