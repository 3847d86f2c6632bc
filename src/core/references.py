"""Human references per kind and year (``CR-2026-0001``, ``CD-2026-0001``), shared by the
domains: one counter row per (prefix, year), incremented with
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``. On PostgreSQL the row stays locked until the
transaction ends, so concurrent posts queue for the next number and never collide; a rolled-back
post leaves no gap because its increment rolls back too."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.base import Base


class ReferenceCounter(Base):
    __tablename__ = "core_reference_counters"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


def next_reference(session: Session, prefix: str, year: int) -> str:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = (
        insert(ReferenceCounter)
        .values(prefix=prefix, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.prefix, ReferenceCounter.year],
            set_={"last": ReferenceCounter.last + 1},
        )
        .returning(ReferenceCounter.last)
    )
    number = session.execute(stmt).scalar_one()
    return f"{prefix}-{year}-{number:04d}"
