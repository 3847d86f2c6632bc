"""Fast bulk loading: COPY on PostgreSQL (psycopg 3), executemany in batches on SQLite.

Rows are tuples in the order of the given column names; values are Python objects (dates,
aware datetimes, dicts/lists for JSON columns, bools). Explicit primary keys are loaded, and
PostgreSQL sequences are moved past them afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, Table, text


class BulkLoader:
    def __init__(self, engine: Engine, batch: int = 20000) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.batch = batch
        self.loaded: dict[str, int] = {}

    def load(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        json_cols = {i for i, c in enumerate(columns) if table.c[c].type.__class__.__name__ == "JSON"}
        n = self._copy_pg(table, columns, rows, json_cols) if self.dialect == "postgresql" \
            else self._insert_sqlite(table, columns, rows, json_cols)
        self.loaded[table.name] = self.loaded.get(table.name, 0) + n
        return n

    def load_copy_text(self, table: Table, columns: Sequence[str], lines: Iterable[str],
                       chunk: int = 2000) -> int:
        """PostgreSQL only: rows already formatted as COPY text lines (tab-separated, ``\\N`` for
        NULL, ending in a newline); skips per-value adaptation for the largest tables."""
        n = 0
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                buf: list[str] = []
                for line in lines:
                    buf.append(line)
                    if len(buf) >= chunk:
                        copy.write("".join(buf).encode())
                        n += len(buf)
                        buf.clear()
                if buf:
                    copy.write("".join(buf).encode())
                    n += len(buf)
            raw.commit()
        finally:
            raw.close()
        self.loaded[table.name] = self.loaded.get(table.name, 0) + n
        return n

    def _copy_pg(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                 json_cols: set[int]) -> int:
        n = 0
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with cur.copy(sql) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    if json_cols:
                        row = [json.dumps(v) if i in json_cols and v is not None else v
                               for i, v in enumerate(row)]
                    copy.write_row(row)
                    n += 1
            raw.commit()
        finally:
            raw.close()
        return n

    def _insert_sqlite(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                       json_cols: set[int]) -> int:
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        n = 0
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            buf: list[tuple[Any, ...]] = []
            cur.execute("BEGIN")
            for row in rows:
                buf.append(tuple(_sqlite_value(v, i in json_cols) for i, v in enumerate(row)))
                if len(buf) >= self.batch:
                    cur.executemany(sql, buf)
                    n += len(buf)
                    buf.clear()
            if buf:
                cur.executemany(sql, buf)
                n += len(buf)
            cur.execute("COMMIT")
            cur.execute("PRAGMA synchronous=NORMAL")
        finally:
            raw.close()
        return n

    def finish(self, tables: Iterable[Table]) -> None:
        """Move PostgreSQL sequences past the loaded ids and refresh planner statistics."""
        with self.engine.begin() as conn:
            for table in tables:
                if self.dialect == "postgresql":
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and pk[0].name == "id":
                        conn.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), 1))"
                        ))
        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()


def _sqlite_value(v: Any, is_json: bool) -> Any:
    if is_json:
        return None if v is None else json.dumps(v)
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.UTC).replace(tzinfo=None)
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v
