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
    params = [
        tuple(p(row[k]) if p is not None else row[k] for k, p in zip(keys, processors, strict=True)) for row in rows
    ]
    connection.exec_driver_sql(sql, params)


def _cast(dialect: str, column: Any) -> str:
    # psycopg sends text for JSON: PostgreSQL needs the cast SQLAlchemy would have rendered.
    if dialect == "postgresql" and column.type.__class__.__name__ in ("JSON", "JSONB"):
        return "::json"
    return ""
