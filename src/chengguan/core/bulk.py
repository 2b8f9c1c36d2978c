"""Multi-row INSERT for the intake hot path: the same values SQLAlchemy would send (each column's own bind
processor), handed to the driver's ``executemany`` without per-statement compilation or per-row dict handling."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys, values as the ORM takes them) into ``table``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = [c for c in table.columns if c.name in rows[0]]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(c.name) for c in columns)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    casts = [_cast(dialect.name, c) for c in columns]
    values = ", ".join(marker + cast for cast in casts)
    sql = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({values})"
    keys = [c.name for c in columns]
    # Many rows share values (the batch's receive time, statuses): convert each distinct value once. None is sent
    # as SQL NULL (a JSON column would otherwise store the JSON text 'null'; both read back as None).
    memos: list[dict[Any, Any]] = [{} for _ in columns]
    plan = list(zip(keys, processors, memos, strict=True))
    params = [tuple(_convert(row[k], p, memo) for k, p, memo in plan) for row in rows]
    connection.exec_driver_sql(sql, params)


def _convert(value: Any, processor: Any, memo: dict[Any, Any]) -> Any:
    if value is None or processor is None:
        return value
    try:
        return memo[value]
    except KeyError:
        converted = memo[value] = processor(value)
        return converted
    except TypeError:  # unhashable (a JSON list or dict)
        return processor(value)


def _cast(dialect: str, column: Any) -> str:
    # psycopg sends text for JSON: PostgreSQL needs the cast SQLAlchemy would have rendered.
    if dialect == "postgresql" and column.type.__class__.__name__ in ("JSON", "JSONB"):
        return "::json"
    return ""
