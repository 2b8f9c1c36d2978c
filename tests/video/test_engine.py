"""Event-engine tables (pure): dwell around the threshold, schedules and holidays, edge jitter, lost tracks, and
the stall that stays all afternoon raising one alarm."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from chengguan.calendar.workdays import WorkCalendar
from chengguan.core.clock import SHANGHAI
from chengguan.video.engine import Detection, Frame, Zone, new_state, step
from chengguan.video.schedule import HolidayMode, Period, Schedule

CAL = WorkCalendar()
MONDAY = datetime(2026, 12, 7, 14, 0, tzinfo=SHANGHAI)  # an ordinary working Monday
NATIONAL_DAY = datetime(2026, 10, 1, 14, 0, tzinfo=SHANGHAI)  # a statutory holiday (Thursday)
SIDEWALK = [(0.2, 0.5), (0.8, 0.5), (0.8, 0.9), (0.2, 0.9)]
INSIDE = (0.4, 0.6, 0.6, 0.8)  # bottom-centre (0.5, 0.8): inside
OUTSIDE = (0.4, 0.1, 0.6, 0.4)  # bottom-centre (0.5, 0.4): above the zone
# Straddles the top edge: the head is out, the feet are in — the bottom-centre decides.
FEET_IN = (0.4, 0.3, 0.6, 0.55)
FEET_OUT = (0.4, 0.3, 0.6, 0.48)
DAYTIME = Schedule(periods=(Period(frozenset(range(1, 8)), time(8), time(20)),))


def zone(**kw: object) -> Zone:
    base: dict[str, object] = {
        "id": "z1", "name": "人行道", "category_code": "09006", "polygon": SIDEWALK,
        "classes": frozenset({"stall", "person"}), "min_dwell_s": 300, "cooldown_s": 1800,
    }  # fmt: skip
    return Zone(**(base | kw))  # type: ignore[arg-type]


def run(z: Zone, boxes: list[tuple[float, float, float, float] | None], *, start: datetime = MONDAY,
        every_s: float = 10, track: str | list[str] = "t1", cls: str = "stall") -> list:  # fmt: skip
    """Feed one frame every ``every_s`` seconds (None: the object is not detected in that frame)."""
    state, alarms = new_state(), []
    for i, box in enumerate(boxes):
        tid = track[i] if isinstance(track, list) else track
        objects = [] if box is None else [Detection(tid, cls, box, 0.9)]
        alarms += step([z], state, Frame(start + timedelta(seconds=i * every_s), objects, snapshot=i), CAL)
    return alarms


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        (30, 0),  # 290 s: just below 300 s
        (31, 1),  # 300 s: at the threshold
        (32, 1),  # above: still one
    ],
)
def test_dwell_around_the_threshold(frames: int, expected: int) -> None:
    alarms = run(zone(), [INSIDE] * frames)
    assert len(alarms) == expected
    if alarms:
        assert alarms[0].dwell_s == 300
        assert alarms[0].snapshots == (0, 15, 30)  # entry, half-way, the alarm frame


def test_classes_that_do_not_count_are_ignored() -> None:
    assert run(zone(), [INSIDE] * 40, cls="car") == []


@pytest.mark.parametrize(
    ("start", "schedule", "expected"),
    [
        (MONDAY, DAYTIME, 1),
        (MONDAY.replace(hour=21), DAYTIME, 0),  # outside the schedule
        (NATIONAL_DAY.replace(hour=21), DAYTIME, 0),
        (NATIONAL_DAY.replace(hour=21), Schedule(DAYTIME.periods, HolidayMode.all_day), 1),  # holiday: all day
        (NATIONAL_DAY, Schedule(DAYTIME.periods, HolidayMode.off), 0),  # holiday: not armed
        (MONDAY, Schedule(DAYTIME.periods, HolidayMode.off), 1),  # an ordinary day is not a holiday
        (MONDAY, Schedule(business_hours=(time(9), time(12))), 0),  # outside business hours
        (MONDAY.replace(hour=23), Schedule((Period(frozenset({1}), time(22), time(2)),)), 1),  # night market
        (MONDAY.replace(hour=1), Schedule((Period(frozenset({1}), time(22), time(2)),)), 0),  # Sunday's night off
    ],
)
def test_schedule_and_holidays(start: datetime, schedule: Schedule, expected: int) -> None:
    assert len(run(zone(schedule=schedule), [INSIDE] * 40, start=start)) == expected


def test_dwell_counts_from_when_the_rule_is_armed() -> None:
    # The stall is there from 07:55; the rule arms at 08:00: the alarm comes 300 s after 08:00, not at 08:00:00.
    alarms = run(zone(schedule=DAYTIME), [INSIDE] * 100, start=MONDAY.replace(hour=7, minute=55))
    assert len(alarms) == 1
    assert alarms[0].started_at == MONDAY.replace(hour=8, minute=0)
    assert alarms[0].dwell_s == 300


def test_jitter_across_the_edge_of_an_object_inside_does_not_reset_dwell() -> None:
    # Confirmed inside, then the box flickers out one frame in three: never 3 frames out in a row.
    boxes = [FEET_IN] * 3 + [FEET_OUT if i % 3 == 0 else FEET_IN for i in range(30)]
    alarms = run(zone(), boxes)
    assert len(alarms) == 1
    assert alarms[0].dwell_s == 300


def test_jitter_of_an_object_just_outside_never_enters() -> None:
    # Standing just outside, the box dips in one frame in two: never 3 frames in a row inside.
    assert run(zone(), [FEET_IN if i % 2 else FEET_OUT for i in range(200)]) == []


def test_leaving_for_good_resets_the_dwell() -> None:
    boxes = [INSIDE] * 20 + [OUTSIDE] * 3 + [INSIDE] * 25
    assert run(zone(), boxes) == []  # 190 s, away, then 240 s: neither reaches 300 s


def test_a_track_lost_for_a_few_frames_and_found_again_keeps_its_dwell() -> None:
    boxes = [INSIDE] * 15 + [None] * 5 + [INSIDE] * 11  # a bus hides the stall for 50 s
    alarms = run(zone(), boxes)
    assert len(alarms) == 1
    assert alarms[0].dwell_s == 300


def test_a_track_lost_for_long_starts_again() -> None:
    boxes = [INSIDE] * 15 + [None] * 20 + [INSIDE] * 20  # gone 200 s > the grace: a new dwell of 190 s
    assert run(zone(), boxes) == []


def test_the_same_stall_all_afternoon_raises_one_alarm() -> None:
    # 14:00–18:00, a frame every 10 s; the tracker loses the stall now and then and gives it a new id twice.
    n = 4 * 360
    boxes = [None if i % 97 in (1, 2, 3) else INSIDE for i in range(n)]
    tracks = ["t1" if i < 500 else "t2" if i < 1000 else "t3" for i in range(n)]
    alarms = run(zone(cooldown_s=600), boxes, track=tracks)
    assert len(alarms) == 1


def test_a_new_event_after_the_zone_emptied_and_the_cooldown() -> None:
    stay = [INSIDE] * 40
    away = [OUTSIDE] * 3
    # Back after 430 s: the cooldown of 1,800 s has not passed — no second alarm; back after 2,000 s: a second one.
    assert len(run(zone(), stay + away + stay)) == 1
    assert len(run(zone(), stay + away + [None] * 200 + stay)) == 2


def test_two_zones_and_a_replayed_frame() -> None:
    other = zone(id="z2", name="路口", category_code="09009", classes=frozenset({"stall"}))
    state, alarms = new_state(), []
    frames = [Frame(MONDAY + timedelta(seconds=10 * i), [Detection("t1", "stall", INSIDE)]) for i in range(31)]
    for f in frames:
        alarms += step([zone(), other], state, f, CAL)
    assert sorted(a.zone_id for a in alarms) == ["z1", "z2"]
    assert step([zone(), other], state, frames[-1], CAL) == []  # a replay counts nothing
