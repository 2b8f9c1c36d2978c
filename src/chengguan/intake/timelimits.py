"""Stage time limits of case sources (pure): working hours and working days follow the holiday calendar.

Working hours are 09:00–12:00 and 13:00–18:00 Asia/Shanghai on working days (8 hours a day); working days are the
calendar's (statutory holidays off, adjusted Saturdays on). A limit counted in working time that starts outside
working hours starts at the next working period.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from chengguan.calendar.workdays import WorkCalendar
from chengguan.core.clock import SHANGHAI
from chengguan.intake.enums import Channel, SourceStatus, TimeUnit

WORK_PERIODS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
END_OF_DAY = time(18, 0)


@dataclass(frozen=True)
class Limit:
    """One time limit: ``amount`` ``unit`` for a stage, warning when ``warn_percent`` of it remains."""

    stage: SourceStatus
    amount: int
    unit: TimeUnit
    warn_percent: int = 20
    category_code: str | None = None
    channel: Channel | None = None
    unit_id: uuid.UUID | None = None  # this unit and the units below it; None: the whole platform

    @property
    def specificity(self) -> int:
        return (2 if self.category_code else 0) + (1 if self.channel else 0)


DEFAULT_LIMITS: tuple[Limit, ...] = (
    Limit(SourceStatus.pending, 2, TimeUnit.working_hours),
    Limit(SourceStatus.accepted, 4, TimeUnit.working_hours),
    Limit(SourceStatus.routed, 4, TimeUnit.working_hours),
    Limit(SourceStatus.dispatched, 60, TimeUnit.minutes),
    Limit(SourceStatus.handling, 2, TimeUnit.working_days),
    Limit(SourceStatus.verifying, 3, TimeUnit.working_days),
)
"""Used when no configured rule matches a stage; a bureau sets its own in 时限规则."""


def pick(
    limits: Iterable[Limit],
    stage: SourceStatus,
    category_code: str,
    channel: Channel,
    units: Sequence[uuid.UUID | None] = (),
) -> Limit | None:
    """The most specific limit for the stage: category+channel > category > channel > default; None = no clock.
    ``units`` are the source's unit and the units above it, nearest first: a unit's rule applies to its own and
    its lower units' sources, and between rules equally specific the nearest unit's wins over the platform's."""
    best: Limit | None = None
    best_key = (-1, -1)
    for limit in limits:
        if limit.stage != stage:
            continue
        if limit.category_code not in (None, category_code) or limit.channel not in (None, channel):
            continue
        if limit.unit_id is not None and limit.unit_id not in units:
            continue
        nearness = 0 if limit.unit_id is None else len(units) - units.index(limit.unit_id)
        if (key := (limit.specificity, nearness)) > best_key:
            best, best_key = limit, key
    if best is None:
        best = next((d for d in DEFAULT_LIMITS if d.stage == stage), None)
    return best


def _periods(calendar: WorkCalendar, start_local: datetime) -> Iterable[tuple[datetime, datetime]]:
    day = start_local.date()
    while True:
        if calendar.is_working_day(day):
            for begin, end in WORK_PERIODS:
                a = datetime.combine(day, begin, SHANGHAI)
                b = datetime.combine(day, end, SHANGHAI)
                if b > start_local:
                    yield max(a, start_local), b
        day += timedelta(days=1)


def add_working_time(calendar: WorkCalendar, start: datetime, duration: timedelta) -> datetime:
    """``start`` plus ``duration`` of working time (only working periods on working days count)."""
    remaining = duration
    local = start.astimezone(SHANGHAI)
    for a, b in _periods(calendar, local):
        span = b - a
        if remaining <= span:
            return a + remaining
        remaining -= span
    raise AssertionError("unreachable: the period generator is infinite")


def due(calendar: WorkCalendar, start: datetime, limit: Limit) -> datetime:
    """When a stage that began at ``start`` is due under ``limit`` (timezone-aware, in Asia/Shanghai)."""
    local = start.astimezone(SHANGHAI)
    match limit.unit:
        case TimeUnit.minutes:
            return local + timedelta(minutes=limit.amount)
        case TimeUnit.hours:
            return local + timedelta(hours=limit.amount)
        case TimeUnit.days:
            return local + timedelta(days=limit.amount)
        case TimeUnit.working_hours:
            return add_working_time(calendar, local, timedelta(hours=limit.amount))
        case TimeUnit.working_days:
            # The day of the start does not count; the limit ends at the close of the n-th working day after it.
            return datetime.combine(calendar.add_working_days(local.date(), limit.amount), END_OF_DAY, SHANGHAI)
    raise AssertionError(limit.unit)


def warn_at(start: datetime, due_at: datetime, warn_percent: int) -> datetime:
    """The moment to warn: when ``warn_percent`` % of the (wall-clock) span is left."""
    return due_at - (due_at - start) * warn_percent / 100
