"""Working days (工作日): the State Council holiday schedule, administrators' overrides, and deadline arithmetic.

Why working days at all: 《中华人民共和国行政处罚法》（2021）第八十五条 “本法中‘二日’‘三日’‘五日’‘七日’的规定是
指工作日，不含法定节假日。” (《行政强制法》第六十九条 says the same of its periods of ten days or less.) Every other
period of the penalty procedure is counted in calendar days (自然日).

Where a day's status comes from, first match wins:

1. an administrator's override (调休 the package does not know yet, a local correction);
2. the State Council schedule as published in the ``chinese_calendar`` package (statutory holidays and the adjusted
   working Saturdays/Sundays 调休上班), for the years it covers;
3. for any other year, the fallback: the fixed-date holidays of 《全国年节及纪念日放假办法》 (2024 revision) that are
   known in advance — 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October — while the lunar holidays (春节, 清明,
   端午, 中秋) and the 调休 swaps are only known once the State Council publishes the year's schedule;
4. Saturday and Sunday are rest days, Monday to Friday working days.

``covered(year)`` says whether a year's schedule is known (package or overrides), so screens can warn that
deadlines in an uncovered year are provisional.

Pure rules: no session, no clock. Days are legal dates in Asia/Shanghai; a ``datetime`` is refused rather than
silently truncated (its UTC date may be the wrong day).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

import chinese_calendar

ONE_DAY = timedelta(days=1)

PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
"""The years whose State Council schedule ships with ``chinese_calendar`` (2004–2026 in v1.11)."""

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

FALLBACK_HOLIDAYS: Mapping[tuple[int, int], str] = MappingProxyType(
    {
        (1, 1): "元旦",
        (5, 1): "劳动节",
        (5, 2): "劳动节",
        (10, 1): "国庆节",
        (10, 2): "国庆节",
        (10, 3): "国庆节",
    }
)
"""(month, day) → name: the fixed-date statutory holidays of 《全国年节及纪念日放假办法》, used for uncovered years."""


class DaySource(StrEnum):
    """Which rule decided a day."""

    override = "override"  # an administrator's entry
    statutory = "statutory"  # listed in the State Council schedule (holiday or adjusted working day)
    fallback = "fallback"  # uncovered year: a fixed-date statutory holiday
    weekend = "weekend"  # an ordinary Saturday or Sunday
    weekday = "weekday"  # an ordinary Monday to Friday


@dataclass(frozen=True, slots=True)
class Override:
    """An administrator's decision about one day: working or not, and why (e.g. "春节调休")."""

    working: bool
    name: str


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One day as the calendar sees it."""

    day: date
    working: bool
    name: str | None
    source: DaySource


def _as_date(value: date) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError("legal days are dates in Asia/Shanghai: pass a date, not a datetime")
    return value


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError("a period cannot be negative")


class WorkCalendar:
    """The working-day calendar: State Council schedule + overrides + fallback (《行政处罚法》第八十五条)."""

    def __init__(self, overrides: Mapping[date, Override | tuple[bool, str]] | None = None) -> None:
        normal: dict[date, Override] = {}
        for day, value in (overrides or {}).items():
            normal[_as_date(day)] = value if isinstance(value, Override) else Override(bool(value[0]), str(value[1]))
        self._overrides: Mapping[date, Override] = MappingProxyType(normal)
        self._override_years = frozenset(day.year for day in normal)

    @property
    def overrides(self) -> Mapping[date, Override]:
        return self._overrides

    def covered(self, year: int) -> bool:
        """Whether the year's holiday schedule is known: shipped in the package, or entered by an administrator
        (at least one override that year). Otherwise only weekends and fixed-date holidays are known."""
        return year in PACKAGE_YEARS or year in self._override_years

    def day(self, d: date) -> DayInfo:
        """The status of one day, with the holiday name and the rule that decided it."""
        d = _as_date(d)
        entry = self._overrides.get(d)
        if entry is not None:
            return DayInfo(d, entry.working, entry.name, DaySource.override)
        if d.year in PACKAGE_YEARS:
            holiday = chinese_calendar.holidays.get(d)
            if holiday is not None:
                return DayInfo(d, False, HOLIDAY_NAMES.get(holiday, holiday), DaySource.statutory)
            swapped = chinese_calendar.workdays.get(d)
            if swapped is not None:
                return DayInfo(d, True, f"{HOLIDAY_NAMES.get(swapped, swapped)}调休上班", DaySource.statutory)
        else:
            fixed = FALLBACK_HOLIDAYS.get((d.month, d.day))
            if fixed is not None:
                return DayInfo(d, False, fixed, DaySource.fallback)
        if d.weekday() >= 5:
            return DayInfo(d, False, None, DaySource.weekend)
        return DayInfo(d, True, None, DaySource.weekday)

    def is_working_day(self, d: date) -> bool:
        """True on working days: not a weekend or statutory holiday, or an adjusted working Saturday/Sunday."""
        return self.day(d).working

    def next_working_day(self, d: date) -> date:
        """The first working day on or after ``d``."""
        d = _as_date(d)
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` — the day a period of n working days ends.

        《行政处罚法》第八十五条：“本法中‘二日’‘三日’‘五日’‘七日’的规定是指工作日，不含法定节假日。” The start day
        itself is not counted (it may be a working day or not); weekends and statutory holidays are skipped and
        adjusted working Saturdays/Sundays count. ``n`` = 0 returns ``start``.
        """
        start = _as_date(start)
        _check_count(n)
        d, remaining = start, n
        while remaining:
            d += ONE_DAY
            if self.is_working_day(d):
                remaining -= 1
        return d

    def add_calendar_days(self, start: date, n: int, roll_forward: bool = False) -> date:
        """The day a period of n calendar days (自然日) ends: ``start`` + n, the start day not counted.

        Periods other than 二日/三日/五日/七日 are calendar days (《行政处罚法》第八十五条 a contrario). With
        ``roll_forward``, an end on a rest day moves to the next working day — the rule of procedure law that
        “期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期” (民事诉讼法, applied to
        administrative procedure where a rule adopts it); whether it applies is the caller's decision.
        """
        start = _as_date(start)
        _check_count(n)
        end = start + timedelta(days=n)
        return self.next_working_day(end) if roll_forward else end

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``).

        The inverse of ``add_working_days``: ``working_days_between(s, add_working_days(s, n)) == n``; counted as
        《行政处罚法》第八十五条 counts (“不含法定节假日”, the start day not counted).
        """
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count, d = 0, a
        while d < b:
            d += ONE_DAY
            if self.is_working_day(d):
                count += 1
        return count

    def month(self, year: int, month: int) -> list[DayInfo]:
        """Every day of one month (for a calendar screen)."""
        d = date(year, month, 1)
        days = []
        while d.month == month:
            days.append(self.day(d))
            d += ONE_DAY
        return days


STATUTORY = WorkCalendar()
"""The calendar without overrides (the package and the fallback only); services use the database-backed one."""
