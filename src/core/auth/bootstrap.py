from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.audit import record
from core.auth.models import User
from core.auth.passwords import MIN_LENGTH, hash_password
from core.settings import Settings

log = logging.getLogger("core.auth")


def bootstrap_admin(factory: sessionmaker[Session], settings: Settings) -> None:
    """First start: if no user exists and the bootstrap settings are given, create that admin."""
    if not (settings.bootstrap_admin_email and settings.bootstrap_admin_password):
        return
    if len(settings.bootstrap_admin_password) < MIN_LENGTH:
        log.error("bootstrap admin skipped: ECR_BOOTSTRAP_ADMIN_PASSWORD needs at least %d characters",
                  MIN_LENGTH)
        return
    try:
        with factory() as session, session.begin():
            if session.scalar(select(func.count()).select_from(User)):
                return
            user = User(
                email=settings.bootstrap_admin_email.strip().lower(),
                name="Administrator",
                password_hash=hash_password(settings.bootstrap_admin_password),
                roles=["admin"],
                is_active=True,
            )
            session.add(user)
            session.flush()
            record(session, actor="system", action="user.bootstrap", subject_type="user", subject_id=user.id)
            log.info("bootstrap admin created", extra={"user_id": user.id})
    except Exception:  # noqa: BLE001 - a database not yet migrated must not stop /livez
        log.exception("bootstrap admin skipped")
