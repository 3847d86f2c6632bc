from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, utcnow


class IdempotencyRecord(Base):
    """The first answer to a POST with an Idempotency-Key, stored in the same transaction."""

    __tablename__ = "core_idempotency_keys"
    __table_args__ = (Index("ix_core_idempotency_keys_created", "created_at"),)

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)  # route
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
