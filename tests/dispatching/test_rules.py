"""The pure rules of dispatching, as tables: which fix wins, what a phone's fix does to the duty status, the
上班/下班 switch, and when 到场 is accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chengguan.core.errors import Conflict, Unprocessable
from chengguan.dispatching.models import DutyStatus, FixSource
from chengguan.dispatching.rules import (
    check_arrival,
    check_duty_switch,
    gateway_fix_status,
    phone_fix_status,
    simulated_fix_refused,
)

NOW = datetime(2026, 5, 6, 9, 30, tzinfo=UTC)
TEN = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("source", "device_at", "refused"),
    [
        (FixSource.simulator, None, False),  # no phone ever reported: the simulator moves the officer
        (FixSource.simulator, NOW - timedelta(minutes=30), False),  # the phone went quiet long ago
        (FixSource.simulator, NOW - TEN - timedelta(seconds=1), False),
        (FixSource.simulator, NOW - TEN, True),  # the window's edge belongs to the phone
        (FixSource.simulator, NOW - timedelta(seconds=5), True),
        (FixSource.simulator, NOW + timedelta(minutes=2), True),  # a phone clock slightly ahead
        (FixSource.device, NOW - timedelta(seconds=5), False),  # a device fix is never refused by this rule
        (FixSource.device, None, False),
    ],
)
def test_a_simulated_fix_yields_to_a_recent_device_fix(source, device_at, refused):
    assert simulated_fix_refused(source, device_at, NOW, TEN) is refused


@pytest.mark.parametrize(
    ("stored", "after"),
    [
        (None, DutyStatus.available),  # first fix ever
        (DutyStatus.available, DutyStatus.available),
        (DutyStatus.off_duty, DutyStatus.available),  # e.g. left off duty by the simulator or an old gateway
        (DutyStatus.busy, DutyStatus.busy),  # on a task: stays busy
    ],
)
def test_a_phone_fix_puts_the_officer_on_duty_unless_busy(stored, after):
    assert phone_fix_status(stored) is after


@pytest.mark.parametrize(
    ("sent", "switched_off", "after"),
    [
        (None, False, None),  # no status sent: the stored one stays
        (DutyStatus.available, False, DutyStatus.available),
        (DutyStatus.off_duty, False, DutyStatus.off_duty),
        (DutyStatus.busy, False, DutyStatus.busy),
        (None, True, DutyStatus.off_duty),  # the officer's own 下班 wins over whatever a gateway says
        (DutyStatus.available, True, DutyStatus.off_duty),
        (DutyStatus.busy, True, DutyStatus.off_duty),
    ],
)
def test_a_gateway_status_yields_to_the_officers_own_off_duty(sent, switched_off, after):
    assert gateway_fix_status(sent, switched_off) is after


@pytest.mark.parametrize(
    ("now_on", "to_on", "tasks", "changes"),
    [
        (True, False, 0, True),
        (False, True, 0, True),
        (True, True, 0, False),  # already on duty: nothing new recorded
        (False, False, 0, False),
        (False, True, 2, True),  # going on duty with tasks is fine
        (True, True, 1, False),
    ],
)
def test_duty_switch(now_on, to_on, tasks, changes):
    assert check_duty_switch(now_on, to_on, tasks) is changes


@pytest.mark.parametrize("now_on", [True, False])
def test_no_going_off_duty_with_an_open_task(now_on):
    with pytest.raises(Conflict) as exc:
        check_duty_switch(now_on, False, 1)
    assert exc.value.code == "dispatch.task_active" and "1 项" in exc.value.detail


@pytest.mark.parametrize(
    ("distance", "reason", "on_site"),
    [
        (0.0, None, True),
        (199.9, None, True),
        (200.0, None, True),  # the radius itself is on site
        (200.1, "路口封闭，在外围处置", False),
        (5000.0, "当事人已将摊位移至对面", False),
        (None, "手机定位故障", False),  # no usable fix: a reason is enough
    ],
)
def test_arrival_accepted(distance, reason, on_site):
    arrival = check_arrival(distance, 200, reason)
    assert arrival.on_site is on_site and arrival.radius_m == 200
    assert arrival.record() == {
        "distance_m": None if distance is None else round(distance, 1),
        "radius_m": 200,
        "on_site": on_site,
    }


@pytest.mark.parametrize(
    ("distance", "reason", "says"),
    [
        (200.4, None, "约 200 米"),  # rounded in the text, still outside the radius
        (1234.5, None, "约 1234 米"),
        (1234.5, "   ", "约 1234 米"),  # blank is no reason
        (None, None, "未获取到您近期的定位"),
        (None, "", "未获取到您近期的定位"),
    ],
)
def test_arrival_refused_with_the_distance(distance, reason, says):
    with pytest.raises(Unprocessable) as exc:
        check_arrival(distance, 200, reason)
    problem = exc.value.to_problem().model_dump()
    assert exc.value.code == "dispatch.not_on_site" and exc.value.status_code == 422
    assert says in exc.value.detail and "200 米" in exc.value.detail
    assert problem["distance_m"] == (None if distance is None else round(distance, 1)) and problem["radius_m"] == 200
    assert problem["errors"][0]["field"] == "reason"


def test_arrival_radius_is_a_parameter():
    assert check_arrival(120.0, 150, None).on_site
    with pytest.raises(Unprocessable):
        check_arrival(120.0, 100, None)
