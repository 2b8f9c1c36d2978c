"""Statutory clocks around weekends, National Day and Spring Festival (with their adjusted working days)."""

from __future__ import annotations

from datetime import date

import pytest

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import clocks

CAL = WorkCalendar()


def test_limitation_two_years_or_five_and_leap_day():
    """第三十六条."""
    assert clocks.limitation_ends(date(2024, 3, 10)) == date(2026, 3, 10)
    assert clocks.limitation_ends(date(2024, 3, 10), extended=True) == date(2029, 3, 10)
    assert clocks.limitation_ends(date(2024, 2, 29)) == date(2026, 2, 28)
    assert clocks.within_limitation(date(2024, 3, 10), date(2026, 3, 10))
    assert not clocks.within_limitation(date(2024, 3, 10), date(2026, 3, 11))
    assert clocks.within_limitation(date(2024, 3, 10), date(2028, 1, 1), extended=True)


def test_decision_due_90_calendar_days_rolled_past_national_day():
    """第六十条: 90 calendar days; an end on a holiday moves to the next working day when the rule says so."""
    filed = date(2025, 7, 3)  # + 90 days = Wed 1 Oct 2025 (National Day)
    assert clocks.decision_due(filed, CAL, roll_forward=False) == date(2025, 10, 1)
    assert clocks.decision_due(filed, CAL) == date(2025, 10, 9)
    assert clocks.decision_due(filed, CAL, extension_days=30, roll_forward=False) == date(2025, 10, 31)


def test_decision_due_ends_on_an_adjusted_working_saturday_without_moving():
    filed = date(2025, 7, 13)  # + 90 days = Sat 11 Oct 2025, an adjusted working day
    assert clocks.decision_due(filed, CAL) == date(2025, 10, 11)


@pytest.mark.parametrize(
    ("served", "days", "ends"),
    [
        (date(2025, 6, 13), 3, date(2025, 6, 18)),  # Fri: Mon, Tue, Wed
        (date(2025, 9, 26), 5, date(2025, 10, 10)),  # 28 Sep (Sun) works; 1–8 Oct off
        (date(2025, 1, 27), 4, date(2025, 2, 8)),  # Spring Festival 28 Jan–4 Feb; 8 Feb (Sat) works
    ],
)
def test_statement_window_in_working_days(served, days, ends):
    """第四十五条 window, counted per 第八十五条."""
    assert clocks.statement_ends(served, days, CAL) == ends


def test_service_due_seven_working_days_over_spring_festival():
    """第六十一条: decided Mon 27 Jan 2025 → 5, 6, 7, 8 (Sat), 10, 11, 12 Feb."""
    assert clocks.service_due(date(2025, 1, 27), CAL) == date(2025, 2, 12)


def test_payment_due_fifteen_calendar_days():
    """第六十七条: received 16 Sep 2025 → 1 Oct (holiday) → rolled to 9 Oct, or kept when the rule is off."""
    assert clocks.payment_due(date(2025, 9, 16), CAL, roll_forward=False) == date(2025, 10, 1)
    assert clocks.payment_due(date(2025, 9, 16), CAL) == date(2025, 10, 9)
    assert clocks.payment_due(date(2025, 6, 2), CAL) == date(2025, 6, 17)


def test_short_working_day_periods():
    """第五十六条 (7), 第四十八条 (3), 第七十一条 (2) over National Day 2025."""
    assert clocks.preservation_due(date(2025, 9, 29), CAL) == date(2025, 10, 15)  # 30, 9, 10, 11, 13, 14, 15
    assert clocks.disclosure_withdrawal_due(date(2025, 9, 30), CAL) == date(2025, 10, 11)  # 9, 10, 11 (Sat)
    assert clocks.cash_handin_due(date(2025, 9, 30), CAL) == date(2025, 10, 10)


def test_enforcement_window_three_months_and_month_ends():
    """《行政强制法》第五十三条."""
    assert clocks.enforcement_application_last_day(date(2025, 3, 15)) == date(2025, 6, 15)
    assert clocks.enforcement_application_last_day(date(2025, 11, 30)) == date(2026, 2, 28)
    assert clocks.seizure_ends(date(2025, 3, 1)) == date(2025, 3, 31)
    assert clocks.seizure_ends(date(2025, 3, 1), extended=True) == date(2025, 4, 30)


# -- 第七十二条、第七十三条: late fee ------------------------------------------------------------------------


def test_late_fee_three_percent_a_day_from_the_day_after_the_deadline():
    due = date(2025, 6, 17)
    assert clocks.late_fee(1_000_00, due, due) == clocks.LateFee(0, 0, False)
    assert clocks.late_fee(1_000_00, due, date(2025, 6, 18)) == clocks.LateFee(1, 30_00, False)
    assert clocks.late_fee(1_000_00, due, date(2025, 6, 27)) == clocks.LateFee(10, 300_00, False)


def test_late_fee_is_capped_at_the_fine():
    due = date(2025, 6, 17)
    # 33 days × 3 % = 99 %; day 34 would be 102 %: capped at the fine itself
    assert clocks.late_fee(1_000_00, due, date(2025, 7, 20)) == clocks.LateFee(33, 990_00, False)
    assert clocks.late_fee(1_000_00, due, date(2025, 7, 21)) == clocks.LateFee(34, 1_000_00, True)
    assert clocks.late_fee(1_000_00, due, date(2026, 7, 21)).amount_fen == 1_000_00


def test_late_fee_in_integer_fen_rounded_down_once():
    # 3 % of 333.33 yuan is 9.9999 yuan a day: three days are 29.9997 yuan → 2,999 fen, not 3 × 999 = 2,997
    assert clocks.late_fee(333_33, date(2025, 6, 17), date(2025, 6, 20)).amount_fen == 29_99


def test_late_fee_paused_while_review_or_litigation_runs():
    due = date(2025, 6, 17)
    paused = [(date(2025, 6, 20), date(2025, 6, 29))]  # 10 days not counted (第七十三条第三款)
    assert clocks.late_fee(1_000_00, due, date(2025, 7, 7), paused).days == 20 - 10
    open_ended = [(date(2025, 6, 20), None)]
    assert clocks.late_fee(1_000_00, due, date(2025, 7, 7), open_ended).days == 2


def test_clock_countdown_and_warning():
    c = clocks.clock("decision", "办案期限", "第六十条", date(2025, 10, 9), warn_days=10)
    assert c.remaining_days(date(2025, 9, 25)) == 14 and not c.warning(date(2025, 9, 25))
    assert c.warning(date(2025, 9, 29)) and not c.overdue(date(2025, 10, 9))
    assert c.overdue(date(2025, 10, 10))
