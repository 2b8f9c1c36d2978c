"""When a zone's rule is armed: weekly periods, statutory holidays (the work calendar) and business hours.

Pure rules: no session, no clock. Times are local (Asia/Shanghai) wall-clock times, the way a bureau writes its
enforcement hours ("店外经营 08:00–20:00，节假日全天").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from chengguan.calendar.workdays import DaySource, WorkCalendar
from chengguan.core.clock import SHANGHAI


class HolidayMode(StrEnum):
    """What a statutory holiday (法定节假日, from the work calendar) does to the weekly periods."""

    weekly = "weekly"  # nothing special: the weekly periods of that weekday apply
    all_day = "all_day"  # armed the whole day (festival markets draw stalls)
    off = "off"  # not armed (e.g. a 农贸市场 tolerated on holidays)


HOLIDAY_LABELS = {HolidayMode.weekly: "按周计划", HolidayMode.all_day: "全天布防", HolidayMode.off: "不布防"}


@dataclass(frozen=True, slots=True)
class Period:
    """Armed on ``days`` (ISO weekdays 1–7) from ``start`` to ``end``; ``end`` ≤ ``start`` runs past midnight and
    belongs to the day it starts on (a night market 18:00–02:00 is Friday's)."""

    days: frozenset[int]
    start: time
    end: time

    def covers(self, weekday: int, t: time, previous_weekday: int) -> bool:
        if self.start < self.end:
            return weekday in self.days and self.start <= t < self.end
        # Past midnight: the evening part is today's, the small hours are yesterday's.
        return (weekday in self.days and t >= self.start) or (previous_weekday in self.days and t < self.end)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A zone's arming: no periods means every day all day; business hours, when set, narrow every period."""

    periods: tuple[Period, ...] = ()
    holidays: HolidayMode = HolidayMode.weekly
    business_hours: tuple[time, time] | None = None


ALWAYS = Schedule()


def is_holiday(calendar: WorkCalendar, day: date) -> bool:
    """A statutory holiday or an administrator's rest day — not an ordinary weekend, not a 调休 working day."""
    info = calendar.day(day)
    return not info.working and info.source in (DaySource.statutory, DaySource.fallback, DaySource.override)


def armed(schedule: Schedule, calendar: WorkCalendar, at: datetime) -> bool:
    """Whether the rule is armed at ``at`` (an aware datetime)."""
    local = at.astimezone(SHANGHAI)
    t = local.time().replace(tzinfo=None)
    if schedule.business_hours is not None:
        opens, closes = schedule.business_hours
        inside = opens <= t < closes if opens < closes else (t >= opens or t < closes)
        if not inside:
            return False
    day = local.date()
    # A period past midnight belongs to the day before: the holiday rule of that day decides.
    if schedule.holidays is not HolidayMode.weekly and is_holiday(calendar, day):
        return schedule.holidays is HolidayMode.all_day
    if not schedule.periods:
        return True
    weekday = local.isoweekday()
    previous = (local - timedelta(days=1)).isoweekday()
    return any(p.covers(weekday, t, previous) for p in schedule.periods)


def parse_time(text: str) -> time:
    """``HH:MM`` (``24:00`` is the end of the day)."""
    if text == "24:00":
        return time(23, 59, 59, 999999)
    return time.fromisoformat(text)


def from_json(data: dict[str, object] | None) -> Schedule:
    """The schedule stored with a zone (the API's ``schedule`` object, already validated)."""
    if not data:
        return ALWAYS
    periods = tuple(
        Period(frozenset(int(d) for d in p["days"]), parse_time(p["start"]), parse_time(p["end"]))  # type: ignore[index]
        for p in data.get("periods") or []  # type: ignore[union-attr]
    )
    hours = data.get("business_hours")
    business = (parse_time(hours["start"]), parse_time(hours["end"])) if hours else None  # type: ignore[index]
    return Schedule(periods, HolidayMode(data.get("holidays") or "weekly"), business)
