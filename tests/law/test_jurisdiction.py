"""Where and when a law applies (立法法 第八十条、第八十一条; 行政处罚法 第三十七条) — the pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from chengguan.law.jurisdiction import in_force, region_applies, region_of


@pytest.mark.parametrize(
    ("law_region", "region", "applies"),
    [
        (None, "370202", True),  # national law: everywhere
        (None, "110105", True),
        ("370000", "370202", True),  # 山东省 regulation: every city and district of Shandong
        ("370000", "370213", True),
        ("370000", "110105", False),
        ("370200", "370202", True),  # 青岛市 regulation: its districts
        ("370200", "370200", True),  # and the city bureau itself
        ("370200", "370300", False),  # not 淄博
        ("370200", "110000", False),
        ("110000", "370202", False),  # 北京市 regulation never in Qingdao
        ("110000", "110105", True),
        ("310115", "310115", True),  # a district's (浦东新区) only itself
        ("310115", "310101", False),
        ("310115", "310000", False),
        ("370200", "370202003", True),  # a street squad's nine-digit code lies in its district
        ("110000", "370202003", False),
    ],
)
def test_region_table(law_region, region, applies):
    assert region_applies(law_region, region) is applies


def test_region_of_a_unit_code():
    assert region_of("370202003") == "370202" and region_of("370200") == "370200" and region_of(None) is None


@pytest.mark.parametrize(
    ("effective", "repealed", "on", "expected"),
    [
        (date(2018, 1, 1), None, date(2017, 12, 31), False),  # not yet in force on the day of the act
        (date(2018, 1, 1), None, date(2018, 1, 1), True),
        (date(2018, 1, 1), date(2022, 6, 5), date(2022, 6, 4), True),
        (date(2018, 1, 1), date(2022, 6, 5), date(2022, 6, 5), False),  # repealed that day
        (None, None, date(2000, 1, 1), True),
    ],
)
def test_in_force_on_the_day_of_the_act(effective, repealed, on, expected):
    assert in_force(effective, repealed, on) is expected
