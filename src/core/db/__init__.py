from core.db.base import Base, IdMixin, TimestampMixin, VersionMixin, utcnow
from core.db.session import SessionDep, get_engine, get_session, session_scope

__all__ = [
    "Base",
    "IdMixin",
    "TimestampMixin",
    "VersionMixin",
    "utcnow",
    "SessionDep",
    "get_engine",
    "get_session",
    "session_scope",
]
