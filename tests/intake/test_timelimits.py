"""Stage time limits in working hours/days across lunch, weekends, National Day and an adjusted working Saturday."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from chengguan.calendar.workdays import WorkCalendar
from chengguan.core.clock import SHANGHAI
from chengguan.intake.enums import Channel, SourceStatus, TimeUnit
from chengguan.intake.timelimits import DEFAULT_LIMITS, Limit, due, pick, warn_at

CAL = WorkCalendar()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        (at(2026, 11, 23, 9, 0), 2, TimeUnit.working_hours, at(2026, 11, 23, 11, 0)),
        (at(2026, 11, 23, 11, 30), 1, TimeUnit.working_hours, at(2026, 11, 23, 13, 30)),  # lunch does not count
        (at(2026, 11, 23, 7, 0), 1, TimeUnit.working_hours, at(2026, 11, 23, 10, 0)),  # starts at 09:00
        (at(2026, 11, 20, 17, 30), 2, TimeUnit.working_hours, at(2026, 11, 23, 10, 30)),  # Friday → Monday
        (at(2026, 11, 22, 18, 19), 2, TimeUnit.working_hours, at(2026, 11, 23, 11, 0)),  # Sunday evening
        (at(2026, 9, 30, 17, 0), 2, TimeUnit.working_hours, at(2026, 10, 8, 10, 0)),  # across National Day
        (at(2026, 10, 9, 17, 0), 4, TimeUnit.working_hours, at(2026, 10, 10, 12, 0)),  # adjusted Saturday works
        (at(2026, 9, 30, 10, 0), 2, TimeUnit.working_days, at(2026, 10, 9, 18, 0)),
        (at(2026, 10, 9, 10, 0), 1, TimeUnit.working_days, at(2026, 10, 10, 18, 0)),
        (at(2026, 9, 30, 23, 50), 30, TimeUnit.minutes, at(2026, 10, 1, 0, 20)),  # wall-clock units ignore holidays
        (at(2026, 9, 30, 12, 0), 3, TimeUnit.days, at(2026, 10, 3, 12, 0)),
        (at(2026, 9, 30, 12, 0), 5, TimeUnit.hours, at(2026, 9, 30, 17, 0)),
    ],
)
def test_due(start: datetime, amount: int, unit: TimeUnit, expected: datetime) -> None:
    assert due(CAL, start, Limit(SourceStatus.pending, amount, unit)) == expected


def test_warning_when_the_given_share_is_left() -> None:
    start, end = at(2026, 11, 23, 9, 0), at(2026, 11, 23, 19, 0)
    assert warn_at(start, end, 20) == at(2026, 11, 23, 17, 0)
    assert warn_at(start, end, 0) == end


def test_most_specific_rule_wins() -> None:
    general = Limit(SourceStatus.pending, 4, TimeUnit.hours)
    by_channel = Limit(SourceStatus.pending, 3, TimeUnit.hours, channel=Channel.ai_video)
    by_category = Limit(SourceStatus.pending, 2, TimeUnit.hours, category_code="09006")
    both = Limit(SourceStatus.pending, 1, TimeUnit.hours, category_code="09006", channel=Channel.ai_video)
    rules = [general, by_channel, by_category, both]
    assert pick(rules, SourceStatus.pending, "09006", Channel.ai_video) is both
    assert pick(rules, SourceStatus.pending, "09006", Channel.hotline) is by_category
    assert pick(rules, SourceStatus.pending, "06010", Channel.ai_video) is by_channel
    assert pick(rules, SourceStatus.pending, "06010", Channel.hotline) is general
    default = next(d for d in DEFAULT_LIMITS if d.stage is SourceStatus.handling)
    assert pick(rules, SourceStatus.handling, "06010", Channel.hotline) is default
    assert pick(rules, SourceStatus.closed, "06010", Channel.hotline) is None


def test_a_units_rule_applies_below_it_and_the_nearest_unit_wins_among_equals() -> None:
    """The source's units nearest first (squad, district, city); rules of other units never apply."""
    squad, district, city, elsewhere = (uuid.uuid4() for _ in range(4))
    chain = (squad, district, city)
    platform = Limit(SourceStatus.pending, 4, TimeUnit.hours)
    of_district = Limit(SourceStatus.pending, 3, TimeUnit.hours, unit_id=district)
    of_squad = Limit(SourceStatus.pending, 2, TimeUnit.hours, unit_id=squad)
    other = Limit(SourceStatus.pending, 1, TimeUnit.hours, unit_id=elsewhere)
    city_category = Limit(SourceStatus.pending, 5, TimeUnit.hours, category_code="09006")
    rules = [platform, of_district, of_squad, other, city_category]
    assert pick(rules, SourceStatus.pending, "06010", Channel.hotline, chain) is of_squad
    assert pick(rules, SourceStatus.pending, "06010", Channel.hotline, (district, city)) is of_district
    assert pick(rules, SourceStatus.pending, "06010", Channel.hotline, (city,)) is platform
    assert pick(rules, SourceStatus.pending, "06010", Channel.hotline) is platform  # a source of no unit
    # a more specific rule wins first, wherever it was set; the unit only breaks ties
    assert pick(rules, SourceStatus.pending, "09006", Channel.hotline, chain) is city_category
    assert pick([other], SourceStatus.pending, "06010", Channel.hotline, chain) is next(
        d for d in DEFAULT_LIMITS if d.stage is SourceStatus.pending
    )
