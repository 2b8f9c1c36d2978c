"""The map's pure rules: stops on a track (table-driven), the playback window, the search text, area names."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from chengguan.core.errors import Unprocessable
from chengguan.mapping.rules import (
    MAX_TRACK_DAYS,
    SEARCH_MAX_CHARS,
    STOP_MIN_MINUTES,
    STOP_RADIUS_M,
    Fix,
    check_track_window,
    detect_stops,
    district_name,
    path_length_m,
    search_text,
    street_name,
    thinned,
)

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
LNG, LAT = 120.33, 36.06
M_PER_DEG_LAT = 111_320.0


def _track(*legs: tuple[float, int]) -> list[Fix]:
    """Fixes one minute apart: each leg is (metres north of the start, minutes spent there)."""
    fixes, minute = [], 0
    for north_m, minutes in legs:
        for _ in range(minutes):
            fixes.append(Fix(T0 + timedelta(minutes=minute), LNG, LAT + north_m / M_PER_DEG_LAT))
            minute += 1
    return fixes


@pytest.mark.parametrize(
    ("legs", "expected"),
    [
        pytest.param([], [], id="no fixes"),
        pytest.param([(0, 1)], [], id="one fix"),
        # STOP_MIN_MINUTES + 1 fixes a minute apart span exactly STOP_MIN_MINUTES: a stop
        pytest.param([(0, STOP_MIN_MINUTES + 1)], [(0, STOP_MIN_MINUTES)], id="exactly the minimum"),
        pytest.param([(0, STOP_MIN_MINUTES)], [], id="one minute short"),
        # moving 100 m a minute never stays within the radius
        pytest.param([(100 * i, 1) for i in range(20)], [], id="moving"),
        # scatter inside the radius still counts as staying
        pytest.param([(0, 3), (STOP_RADIUS_M * 0.9, 5)], [(0, 7)], id="scatter within the radius"),
        pytest.param([(0, 3), (STOP_RADIUS_M * 1.5, 3)], [], id="a step beyond the radius splits the run"),
        pytest.param([(0, 8), (500, 1), (1000, 1), (1500, 12)], [(0, 7), (10, 21)], id="two stops with a walk between"),
    ],
)
def test_stops(legs, expected):
    stops = detect_stops(_track(*legs))
    assert [(s.first, s.last) for s in stops] == expected
    for s in stops:
        assert s.minutes >= STOP_MIN_MINUTES
        assert s.started_at <= s.ended_at


def test_a_stop_is_placed_at_the_mean_of_its_fixes():
    (stop,) = detect_stops(_track((0, 3), (40, 3)))
    assert stop.lat == pytest.approx(LAT + 20 / M_PER_DEG_LAT, abs=1e-9)
    assert stop.minutes == pytest.approx(5)


def test_path_length_follows_the_fixes():
    assert path_length_m(_track((0, 1), (100, 1), (300, 1))) == pytest.approx(300, rel=0.01)


@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        (T0 + timedelta(hours=1), T0, "from", "map.track_window_reversed"),
        (T0, T0 + timedelta(days=MAX_TRACK_DAYS, seconds=1), "to", "map.track_window_too_long"),
    ],
)
def test_track_window_refused(start, end, field, code):
    with pytest.raises(Unprocessable) as caught:
        check_track_window(start, end)
    assert caught.value.code == code
    assert caught.value.errors[0].field == field


def test_track_window_of_the_longest_length_is_taken():
    check_track_window(T0, T0 + timedelta(days=MAX_TRACK_DAYS))


@pytest.mark.parametrize(("q", "code"), [("", "map.search_empty"), ("   ", "map.search_empty"),
                                         ("街" * (SEARCH_MAX_CHARS + 1), "map.search_too_long")])  # fmt: skip
def test_search_text_refused(q, code):
    with pytest.raises(Unprocessable) as caught:
        search_text(q)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("squad", "street"),
    [("八大关街道执法中队", "八大关街道"), ("李村街道综合行政执法中队", "李村街道"), ("中山路街道", "中山路街道"),
     ("中队", "中队")],
)  # fmt: skip
def test_street_name_of_a_squad(squad, street):
    assert street_name(squad) == street


def test_district_name_of_a_bureau():
    assert district_name("市南区综合行政执法局") == "市南区"
    assert district_name("青岛市城市管理综合行政执法局") == "青岛市"


def test_a_short_track_is_sent_whole():
    assert thinned(5, {1}, limit=10) == [0, 1, 2, 3, 4]


def test_a_long_track_is_thinned_evenly_keeping_the_stops_ends_and_the_last_fix():
    sent = thinned(1001, {7, 503}, limit=100)
    assert sent == sorted(set(sent))
    assert sent[0] == 0 and sent[-1] == 1000
    assert {7, 503} <= set(sent)
    assert 1001 // 11 <= len(sent) <= 100 + 3  # at most the limit, plus what must be kept
    kept = {7, 503, 1000}
    gaps = {b - a for a, b in itertools.pairwise(sent) if a not in kept and b not in kept}
    assert gaps == {11}  # every 11th fix (ceil(1001 / 100)), the kept ones aside
