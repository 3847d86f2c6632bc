"""A case loaded with Core for one change: what a workflow transition needs of an ORM entity
(its columns as attributes, the changes written back with the version check), without the ORM's
identity map, instance state and unit of work. Kept because it measurably pays on child death
transitions (figures in bench/README.md, "Issue 16").

Use it for a case that a request loads only to change and answer (the transition endpoints); an
ORM entity is still the tool where a request navigates relationships or adds objects. The row
changes in the database only when :meth:`RowRecord.save` runs (the workflow engine: after the
transition's effects); an entity could be flushed earlier by an autoflush.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, and_, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.db.base import utcnow

_UPDATES: dict[tuple[str, frozenset[str]], Any] = {}


def _update_statement(table: Table, columns: frozenset[str]) -> Any:
    """``UPDATE table SET <columns>, version = :new_version WHERE id = :id_ AND version =
    :version_``, built once per set of columns."""
    key = (table.name, columns)
    stmt = _UPDATES.get(key)
    if stmt is None:
        stmt = _UPDATES[key] = (
            update(table)
            .where(and_(table.c.id == bindparam("id_"), table.c.version == bindparam("version_")))
            .values({name: bindparam(name, type_=table.c[name].type) for name in sorted(columns)})
        )
    return stmt


class RowRecord:
    """A row of ``table`` (which has ``id`` and ``version`` columns): its columns as attributes;
    setting a column records the change; :meth:`save` writes the changes in one UPDATE that
    checks the version read and bumps it (a concurrent change raises ``StaleDataError``, which
    answers 412 as for an entity), and sets ``updated_at`` when the table has it. Setting a name
    that is not a column raises ``AttributeError``."""

    def __init__(self, table: Table, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_changed", {})

    def __getattr__(self, name: str) -> Any:  # only for names that are not attributes of the class
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} of {self.__dict__['_table'].name} has no {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        values = self._values
        if name not in values or name in ("id", "version"):
            raise AttributeError(f"{self._table.name}.{name} cannot be set")
        values[name] = value
        self._changed[name] = value

    @property
    def etag(self) -> str:
        return f'"{self._values["version"]}"'

    @property
    def changed(self) -> dict[str, Any]:
        return dict(self._changed)

    def save(self, session: Session) -> None:
        """Write the changes (nothing when there are none), in the session's transaction."""
        if not self._changed:
            return
        values, changes = self._values, self._changed
        if "updated_at" in values and "updated_at" not in changes:
            changes["updated_at"] = values["updated_at"] = utcnow()
        version = values["version"]
        result = session.connection().execute(
            _update_statement(self._table, frozenset(changes)),
            {**changes, "id_": values["id"], "version_": version, "version": version + 1},
        )
        if result.rowcount != 1:
            raise StaleDataError(f"UPDATE of {self._table.name} {values['id']} at version {version} "
                                 f"matched {result.rowcount} rows: it was changed meanwhile")
        values["version"] = version + 1
        changes.clear()


def save_changes(session: Session, case: Any) -> None:
    """Write a transition's changes to ``case``: a :class:`RowRecord` with its UPDATE, an ORM
    entity by flushing the session (the version check is the mapper's)."""
    if isinstance(case, RowRecord):
        case.save(session)
    else:
        session.flush()
