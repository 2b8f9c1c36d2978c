"""Working-day rules (《行政处罚法》第八十五条) on real 2026 dates, the fallback for 2027, overrides — no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chengguan.calendar.workdays import STATUTORY, DaySource, Override, WorkCalendar
from chengguan.core import clock

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Wed 30 Sep; 1–7 Oct 国庆 off; Thu 8 (1), Fri 9 (2), Sat 10 Oct is 国庆调休上班 (3).
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-09-30", 4, "2026-10-12"),  # Sun 11 off, Mon 12
        # Fri 13 Feb; Sat 14 is 春节调休上班 (1); 15–23 Feb 春节 off; Tue 24 (2) … Fri 27 (5).
        ("2026-02-13", 5, "2026-02-27"),
        ("2026-02-13", 6, "2026-02-28"),  # Sat 28 Feb, the second 春节调休上班
        ("2026-02-13", 7, "2026-03-02"),  # Sun 1 Mar off, Mon 2 Mar
        # An ordinary week: Mon 9 Mar + 5 → Mon 16; Thu 12 + 3 → Fri 13, Mon 16, Tue 17.
        ("2026-03-09", 5, "2026-03-16"),
        ("2026-03-12", 3, "2026-03-17"),
        # Starting on a rest day: the start is not counted either way. Sat 3 Oct (国庆) + 2 → Thu 8, Fri 9.
        ("2026-10-03", 2, "2026-10-09"),
        ("2026-10-03", 0, "2026-10-03"),  # n = 0 is the start itself, even on a holiday
        ("2026-03-09", 0, "2026-03-09"),
        # 劳动节 1–5 May off, Sat 9 May 调休上班: Thu 30 Apr + 2 → Wed 6, Thu 7.
        ("2026-04-30", 2, "2026-05-07"),
        ("2026-04-30", 4, "2026-05-09"),
    ],
)
def test_add_working_days_2026(start, n, due):
    assert STATUTORY.add_working_days(D(start), n) == D(due)
    assert STATUTORY.working_days_between(D(start), D(due)) == n


@pytest.mark.parametrize(
    ("day", "working", "name", "source"),
    [
        ("2026-10-01", False, "国庆节", DaySource.statutory),
        ("2026-10-10", True, "国庆节调休上班", DaySource.statutory),
        ("2026-02-14", True, "春节调休上班", DaySource.statutory),
        ("2026-02-17", False, "春节", DaySource.statutory),
        ("2026-03-14", False, None, DaySource.weekend),
        ("2026-03-13", True, None, DaySource.weekday),
        ("2027-01-01", False, "元旦", DaySource.fallback),
        ("2027-05-02", False, "劳动节", DaySource.fallback),
        ("2027-10-03", False, "国庆节", DaySource.fallback),
        ("2027-10-04", True, None, DaySource.weekday),  # 2027's 国庆 beyond 3 Oct is not known yet
        ("2027-02-06", False, None, DaySource.weekend),  # 春节 2027 (Sat) is a lunar holiday: not in the fallback
        ("2027-02-08", True, None, DaySource.weekday),
    ],
)
def test_day_status(day, working, name, source):
    info = STATUTORY.day(D(day))
    assert (info.working, info.name, info.source) == (working, name, source)
    assert STATUTORY.is_working_day(D(day)) is working


def test_covered_years():
    assert STATUTORY.covered(2026) and STATUTORY.covered(2004)
    assert not STATUTORY.covered(2027) and not STATUTORY.covered(2003)
    assert WorkCalendar({D("2027-02-08"): (False, "春节")}).covered(2027)


def test_fallback_year_2027():
    # Wed 30 Dec 2026 + 3: Thu 31 Dec (1), Fri 1 Jan 2027 元旦 (fallback), weekend, Mon 4 (2), Tue 5 (3).
    assert STATUTORY.add_working_days(D("2026-12-30"), 3) == D("2027-01-05")
    # Thu 30 Sep 2027 + 2: Fri 1 Oct off (fallback), weekend, Mon 4 (1), Tue 5 (2).
    assert STATUTORY.add_working_days(D("2027-09-30"), 2) == D("2027-10-05")


def test_overrides_win():
    calendar = WorkCalendar(
        {
            D("2027-02-08"): Override(working=False, name="春节"),
            D("2027-02-20"): (True, "春节调休上班"),  # a Saturday
            D("2026-10-10"): Override(working=False, name="本地更正"),  # wins over the package
        }
    )
    assert calendar.add_working_days(D("2027-02-05"), 1) == D("2027-02-09")
    assert STATUTORY.add_working_days(D("2027-02-05"), 1) == D("2027-02-08")
    assert calendar.day(D("2027-02-20")).source is DaySource.override and calendar.is_working_day(D("2027-02-20"))
    assert calendar.add_working_days(D("2026-09-30"), 3) == D("2026-10-12")
    assert calendar.day(D("2027-01-01")).source is DaySource.fallback  # other days keep their rule


@pytest.mark.parametrize(
    ("start", "n", "roll", "due"),
    [
        ("2026-09-16", 15, False, "2026-10-01"),  # ends on 国庆节
        ("2026-09-16", 15, True, "2026-10-08"),  # … rolls past 1–7 Oct to Thu 8 Oct
        ("2026-09-25", 15, True, "2026-10-10"),  # ends on 调休上班 Sat 10 Oct: a working day, stays
        ("2026-03-01", 14, False, "2026-03-15"),  # ends on a Sunday
        ("2026-03-01", 14, True, "2026-03-16"),
        ("2026-03-02", 15, True, "2026-03-17"),  # ends on a Tuesday: nothing to roll
        ("2026-10-01", 0, True, "2026-10-08"),
        ("2027-09-01", 30, True, "2027-10-04"),  # Fri 1 Oct 2027 (fallback), 2–3 Oct weekend → Mon 4
    ],
)
def test_add_calendar_days(start, n, roll, due):
    assert STATUTORY.add_calendar_days(D(start), n, roll_forward=roll) == D(due)


def test_working_days_between():
    assert STATUTORY.working_days_between(D("2026-09-30"), D("2026-10-07")) == 0
    assert STATUTORY.working_days_between(D("2026-09-30"), D("2026-10-08")) == 1
    assert STATUTORY.working_days_between(D("2026-10-10"), D("2026-09-30")) == -3
    assert STATUTORY.working_days_between(D("2026-03-09"), D("2026-03-09")) == 0


def test_month():
    days = STATUTORY.month(2026, 2)
    assert len(days) == 28 and days[0].day == D("2026-02-01") and days[-1].day == D("2026-02-28")
    assert sum(d.working for d in days) == 16  # 20 weekdays − 6 春节 weekdays (16–20, 23) + 2 调休 Saturdays


def test_refuses_bad_input():
    with pytest.raises(ValueError):
        STATUTORY.add_working_days(D("2026-03-09"), -1)
    with pytest.raises(ValueError):
        STATUTORY.add_calendar_days(D("2026-03-09"), -1)
    with pytest.raises(TypeError):
        STATUTORY.is_working_day(datetime(2026, 10, 1, tzinfo=UTC))  # a UTC instant is not a legal day


def test_no_wall_clock():
    """The rules depend on their arguments only: the same answer whatever "now" is."""
    answers = []
    for now in (datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 6, 1, tzinfo=UTC)):
        with clock.frozen(now):
            answers.append(
                (
                    STATUTORY.add_working_days(D("2026-09-30"), 3),
                    STATUTORY.add_calendar_days(D("2026-09-16"), 15, roll_forward=True),
                    STATUTORY.covered(2027),
                )
            )
    assert answers[0] == answers[1] == (D("2026-10-10"), D("2026-10-08"), False)
