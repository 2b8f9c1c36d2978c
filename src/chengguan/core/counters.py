"""Gap-free counters (source codes, later document numbers): one row per key, reserved in blocks atomically."""

from __future__ import annotations

from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from chengguan.core.db import Base


class Counter(Base):
    """The last number handed out for one key, e.g. ``case_source:20261122``."""

    __tablename__ = "counter"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def reserve(session: Session, key: str, n: int = 1) -> int:
    """Reserve ``n`` consecutive numbers for ``key`` and return the first.

    The UPDATE takes the row lock (PostgreSQL) or runs under the write lock (SQLite BEGIN IMMEDIATE), so concurrent
    transactions get disjoint, consecutive blocks; a rolled-back transaction gives its block back.
    """
    if n < 1:
        raise ValueError("reserve at least one number")
    session.execute(text("INSERT INTO counter (key, value) VALUES (:k, 0) ON CONFLICT (key) DO NOTHING"), {"k": key})
    last = session.execute(
        text("UPDATE counter SET value = value + :n WHERE key = :k RETURNING value"), {"k": key, "n": n}
    ).scalar_one()
    return int(last) - n + 1
