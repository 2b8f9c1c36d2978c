"""Windows of local dates (统计时段): a bureau counts its days in Asia/Shanghai, the database keeps UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, true

from chengguan.core import clock


def day_start(day: date) -> datetime:
    """The UTC instant at which local ``day`` begins (00:00 Asia/Shanghai)."""
    return datetime.combine(day, time(0), tzinfo=clock.SHANGHAI).astimezone(UTC)


def bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """``[start 00:00, end+1 00:00)`` local, as UTC instants (either side open when not given)."""
    return (day_start(start) if start else None, day_start(end + timedelta(days=1)) if end else None)


def within(column: Any, start: date | None, end: date | None) -> ColumnElement[bool]:
    """``column`` (a UTC instant) inside the local days ``start`` … ``end`` (the lists' 登记日期 filter)."""
    low, high = bounds(start, end)
    parts = ([column >= low] if low else []) + ([column < high] if high else [])
    return and_(*parts) if parts else true()
