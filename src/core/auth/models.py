from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "core_users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    agency: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column()
    # Access tokens issued (iat, whole seconds) before this instant are refused: set when an
    # administrator sets the password (a token from that same second is refused too).
    tokens_valid_after: Mapped[dt.datetime | None] = mapped_column()


class AuthSession(IdMixin, Base):
    """A browser session of the staff app (POST /auth/session). Only a hash of the session
    token is stored; the token itself lives in the browser's HttpOnly cookie."""

    __tablename__ = "core_auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    last_seen_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()  # absolute: created_at + ECR_SESSION_ABSOLUTE_HOURS
    csrf_token: Mapped[str] = mapped_column(String(64))
    # The user's roles, active flag and password epoch when the session began: a session whose
    # user no longer matches it ends (deactivation, a role change, a password set by an admin).
    user_fingerprint: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[dt.datetime | None] = mapped_column()
