"""Multi-row INSERT for the intake hot path, built column by column.

The values are the ones SQLAlchemy would send (each column's own bind processor), but converted a whole column at
a time — before the write lock is taken, where the caller can — and handed to the driver's ``executemany`` as row
tuples, without per-statement compilation or per-row dict handling (bench/intake.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic_core import to_json
from sqlalchemy import JSON, Table, Uuid
from sqlalchemy.engine import Connection, Dialect

from chengguan.core.db import UTCDateTime


def _sqlite_utc_text(value: datetime) -> str:
    # UTCDateTime's bind (to UTC, zone dropped) then SQLite DATETIME's storage format, in one C call:
    # "YYYY-MM-DD HH:MM:SS.ffffff" (the "+00:00" that isoformat appends is cut off).
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored: every time is timezone-aware UTC")
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _sqlite_uuid_text(value: uuid.UUID) -> str:
    return value.hex  # Uuid on SQLite: CHAR(32) of hex digits


def _sqlite_json_text(value: Any) -> str:
    # The same JSON as the column's json.dumps, compact and in UTF-8, serialised by pydantic-core.
    return to_json(value).decode()


@cache
def _processor(dialect: Dialect, table: Table, name: str) -> Callable[[Any], Any] | None:
    """The column's bind processor; for the hot types on SQLite an equivalent single call (tests/core/test_bulk.py
    compares both on sample values: the same text, for JSON the same document)."""
    column_type = table.c[name].type
    if dialect.name == "sqlite":
        if isinstance(column_type, UTCDateTime):
            return _sqlite_utc_text
        if isinstance(column_type, Uuid) and column_type.as_uuid:
            return _sqlite_uuid_text
        if isinstance(column_type, JSON):
            return _sqlite_json_text
    return column_type._cached_bind_processor(dialect)


def convert(dialect: Dialect, table: Table, name: str, values: Sequence[Any], *, repeated: bool = False) -> list[Any]:
    """``values`` of column ``name`` in the driver's format; None stays None (SQL NULL — a JSON column would
    otherwise store the JSON text 'null'; both read back as None). ``repeated``: few distinct values (statuses,
    the batch's time), each converted once."""
    process = _processor(dialect, table, name)
    if process is None:
        return list(values)
    if repeated:
        memo: dict[Any, Any] = {None: None}
        out = []
        for v in values:
            try:
                out.append(memo[v])
            except KeyError:
                out.append(memo.setdefault(v, process(v)))
        return out
    return [None if v is None else process(v) for v in values]


def insert_converted(connection: Connection, table: Table, columns: dict[str, Sequence[Any]]) -> None:
    """INSERT one row per position of the (already converted, equally long) column lists."""
    if not columns:
        return
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in columns)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    values = ", ".join(marker + _cast(dialect.name, table.c[name]) for name in columns)
    sql = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({values})"
    rows = list(zip(*columns.values(), strict=True))
    if rows:
        connection.exec_driver_sql(sql, rows)


def _cast(dialect: str, column: Any) -> str:
    # psycopg sends text for JSON: PostgreSQL needs the cast SQLAlchemy would have rendered.
    if dialect == "postgresql" and column.type.__class__.__name__ in ("JSON", "JSONB"):
        return "::json"
    return ""
