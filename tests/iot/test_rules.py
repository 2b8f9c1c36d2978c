"""Rule tables: duration just below/above, hysteresis flapping → one alarm, clear after the clear duration,
schedules, gaps, replays and the tamper rules."""

from __future__ import annotations

from datetime import datetime

import pytest

from chengguan.core.clock import SHANGHAI
from chengguan.iot.enums import RuleKind
from chengguan.iot.rules import EventKind, Phase, Rule, State, Window, run, step

FUME = Rule("fume", RuleKind.above, "fume", threshold=2.0, clear_at=1.5, for_s=300, clear_for_s=120)
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=SHANGHAI).timestamp()


def series(rule: Rule, values: list[float], every: float = 60, metric: str = "fume", state: State | None = None):
    readings = [(T0 + i * every, {metric: v}) for i, v in enumerate(values)]
    return run(rule, state or State(), readings)


def kinds(events):
    return [(e.kind.value, round(e.at - T0)) for e in events]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3, 3, 3, 3, 3], []),  # 240 s above: just below the 300 s minimum duration
        ([3, 3, 3, 3, 3, 3], [("raised", 300)]),  # 300 s: raised by the reading that completes it
        ([3, 3, 3, 1, 3, 3, 3, 3, 3], []),  # interrupted: the window starts again
        ([1, 2, 2.0, 1], []),  # at the threshold is not above it
    ],
)
def test_minimum_duration(values, expected):
    _, events = series(FUME, values)
    assert kinds(events) == expected


def test_hysteresis_flapping_is_one_alarm():
    flapping = [3] * 6 + [1.9, 2.1, 1.8, 2.4, 1.6, 2.2, 1.9, 2.5]  # never below clear_at 1.5
    state, events = series(FUME, flapping)
    assert kinds(events) == [("raised", 300)]
    assert state.phase is Phase.active


def test_clear_after_clear_duration():
    state, events = series(FUME, [3] * 6 + [1, 1, 1])
    assert kinds(events) == [("raised", 300), ("cleared", 480)]  # below 1.5 at 360, held 120 s at 480
    assert state.phase is Phase.idle
    _, events = series(FUME, [3] * 6 + [1, 1.6, 1, 1])  # back above clear_at: the clear window restarts
    assert kinds(events) == [("raised", 300)]


def test_a_second_episode_is_a_second_alarm():
    _, events = series(FUME, [3] * 6 + [1] * 3 + [3] * 6)
    assert kinds(events) == [("raised", 300), ("cleared", 480), ("raised", 840)]


def test_replay_and_out_of_order_give_the_same_alarms():
    readings = [(T0 + i * 60, {"fume": 3.0}) for i in range(8)]
    state, events = run(FUME, State(), readings)
    again, more = run(FUME, state, readings)  # the broker redelivers after a crash
    assert more == [] and again == state
    shuffled = readings[::-1]
    assert run(FUME, State(), shuffled)[1] == events  # a batch is evaluated in timestamp order


def test_state_survives_a_restart_in_the_window():
    state, events = series(FUME, [3, 3, 3])
    assert events == [] and state.phase is Phase.pending
    resumed = State(**{k: getattr(state, k) for k in state.__dataclass_fields__})  # as loaded from the database
    later = [(T0 + i * 60, {"fume": 3.0}) for i in range(3, 7)]
    _, events = run(FUME, resumed, later)
    assert kinds(events) == [("raised", 300)]


def test_gap_restarts_the_window():
    rule = Rule("fume", RuleKind.above, "fume", threshold=2.0, for_s=300, max_gap_s=120)
    times = [0, 60, 400, 460, 520, 580, 640, 700]
    readings = [(T0 + t, {"fume": 3.0}) for t in times]
    _, events = run(rule, State(), readings)
    assert kinds(events) == [("raised", 700)]  # not at 400: nothing was heard for 340 s


def test_missing_metric_is_ignored():
    state, events = step(FUME, State(), T0, {"particulate": 9.0})
    assert events == [] and state == State()


def test_below_rule_with_hysteresis():
    chlorine = Rule("cl", RuleKind.below, "residual_chlorine", threshold=0.05, clear_at=0.1, for_s=0)
    _, events = series(chlorine, [0.3, 0.04, 0.06, 0.04, 0.2], metric="residual_chlorine")
    assert kinds(events) == [("raised", 60), ("cleared", 240)]


NIGHT = (Window(22 * 60, 6 * 60),)


@pytest.mark.parametrize(
    ("hour", "raised"),
    [(21, False), (22, True), (23, True), (2, True), (5, True), (6, False), (12, False)],
)
def test_schedule_night_window(hour, raised):
    noise = Rule("night", RuleKind.above, "noise_db", threshold=55, schedule=NIGHT)
    ts = datetime(2026, 12, 7, hour, 30, tzinfo=SHANGHAI).timestamp()
    _, events = step(noise, State(), ts, {"noise_db": 70})
    assert bool(events) is raised


def test_schedule_days_and_clearing_outside():
    weekdays = (Window(9 * 60, 18 * 60, frozenset({1, 2, 3, 4, 5})),)
    rule = Rule("d", RuleKind.above, "pm10", threshold=150, schedule=weekdays)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI).timestamp()
    monday = datetime(2026, 12, 7, 17, 59, tzinfo=SHANGHAI).timestamp()
    assert step(rule, State(), saturday, {"pm10": 300})[1] == []
    state, events = step(rule, State(), monday, {"pm10": 300})
    assert [e.kind for e in events] == [EventKind.raised]
    _, events = step(rule, state, monday + 120, {"pm10": 300})  # 18:01: outside, the alarm clears
    assert [e.kind for e in events] == [EventKind.cleared]


def test_escalation_once():
    rule = Rule("fume", RuleKind.above, "fume", threshold=2.0, for_s=0, escalate_after_s=600)
    _, events = series(rule, [3] * 15)
    assert kinds(events) == [("raised", 0), ("escalated", 600)]


def test_fan_on_with_purifier_off():
    rule = Rule("tamper", RuleKind.fan_without_purifier, threshold=0.5, for_s=120)
    readings = [
        (T0, {"fan_current": 3.2, "purifier_current": 1.1}),
        (T0 + 60, {"fan_current": 3.2, "purifier_current": 0.0}),
        (T0 + 120, {"fan_current": 3.1, "purifier_current": 0.0}),
        (T0 + 180, {"fan_current": 3.1, "purifier_current": 0.0}),
        (T0 + 240, {"fan_current": 0.0, "purifier_current": 0.0}),  # both off: closed for the night, fine
    ]
    _, events = run(rule, State(), readings)
    assert kinds(events) == [("raised", 180), ("cleared", 240)]


def test_flat_line_counts_from_the_start_of_the_run():
    rule = Rule("flat", RuleKind.flat_line, "fume", threshold=0.001, for_s=600)
    _, events = series(rule, [1.2, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9])
    assert kinds(events) == [("raised", 660), ("cleared", 720)]  # 0.8 from 60 s: 600 s at 660 s
    _, events = series(rule, [1.2, 1.25, 1.2, 1.25] * 5)
    assert events == []


def test_sudden_drop_to_zero_but_not_a_gradual_one():
    rule = Rule("drop", RuleKind.drop_to_zero, "fume", threshold=1.0, for_s=60)
    _, events = series(rule, [2.0, 2.1, 0, 0, 0, 1.9])
    assert kinds(events) == [("raised", 180), ("cleared", 300)]
    _, events = series(rule, [2.0, 1.0, 0.5, 0.2, 0, 0, 0])  # fell slowly (closing time)
    assert events == []
    _, events = series(rule, [2.0, 0, 2.0, 0, 2.0])  # zero for less than for_s each time
    assert events == []
