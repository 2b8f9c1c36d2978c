"""The injectable clock: every "now" in the platform comes from here, so deadlines can be tested and demoed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None


def now() -> datetime:
    """Current time, timezone-aware UTC; ``CHENGGUAN_NOW`` (dev/test only) or a test freeze overrides it."""
    if _frozen is not None:
        return _frozen
    from chengguan.core.config import get_settings

    fixed = get_settings().now
    if fixed is not None:
        return fixed.astimezone(UTC)
    return datetime.now(UTC)


def local_now() -> datetime:
    """Current time in Asia/Shanghai, the zone in which legal days are counted."""
    return now().astimezone(SHANGHAI)


def is_frozen() -> bool:
    """Whether a test froze the clock (``set_now``/``frozen``)."""
    return _frozen is not None


def set_now(value: datetime | None) -> None:
    """Freeze (or with ``None`` unfreeze) the clock for this process."""
    global _frozen
    if value is not None and value.tzinfo is None:
        raise ValueError("a frozen time must be timezone-aware")
    _frozen = value.astimezone(UTC) if value is not None else None


@contextmanager
def frozen(value: datetime) -> Iterator[None]:
    """Run a block at a fixed instant; the previous clock comes back afterwards."""
    previous = _frozen
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC, so re-attach the zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_date(value: datetime) -> date:
    """The legal day (Asia/Shanghai) of a stored instant."""
    return as_utc(value).astimezone(SHANGHAI).date()
