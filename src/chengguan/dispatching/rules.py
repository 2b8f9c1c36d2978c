"""Pure rules of dispatching (指挥调度) — plain values in, a decision or a problem out; no session, no clock read.

- Which fix wins: a simulated fix yields to a recent real-device fix (the simulator must never move a real officer);
  the status a gateway sends yields to the officer's own 下班.
- What a phone's own fix does to the duty status: it says the officer is on duty (available), unless on a task.
- 上班/下班: an officer with an open task cannot go off duty; switching to the state one is in records nothing new.
- 到场: accepted within the arrival radius of the source, or farther (or without a usable fix) with a stated reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chengguan.core.errors import Conflict, FieldProblem, Unprocessable
from chengguan.dispatching.models import DutyStatus, FixSource


def simulated_fix_refused(
    source: FixSource, latest_device_at: datetime | None, now: datetime, priority: timedelta
) -> bool:
    """A fix from the simulator is refused while the subject's latest real-device fix is younger than ``priority``
    (CHENGGUAN_DEVICE_FIX_PRIORITY_MINUTES); a device fix is never refused by this rule."""
    if source is not FixSource.simulator or latest_device_at is None:
        return False
    return latest_device_at >= now - priority


def gateway_fix_status(sent: DutyStatus | None, switched_off: bool) -> DutyStatus | None:
    """The status a positions:batch fix leaves (None: keep the stored one). An officer who switched 下班 on their own
    phone stays off duty whatever a gateway sends — only their own 上班 puts them back."""
    return DutyStatus.off_duty if switched_off else sent


def phone_fix_status(stored: DutyStatus | None) -> DutyStatus:
    """The duty status after the officer's own phone (or patrol report) sends a fix: a phone reports only while its
    officer is on duty, so the fix makes them available — except on a task, where they stay busy."""
    return DutyStatus.busy if stored is DutyStatus.busy else DutyStatus.available


def check_duty_switch(on_duty_now: bool, on_duty: bool, active_tasks: int) -> bool:
    """Whether the switch changes anything (False: already in that state); 409 when an officer with an open dispatch
    task tries to go off duty — the task is handed back or reassigned first."""
    if not on_duty and active_tasks:
        raise Conflict(
            f"尚有 {active_tasks} 项未完成的派遣任务，请处置完毕或由调度员改派后再下班", code="dispatch.task_active"
        )
    return on_duty_now is not on_duty


@dataclass(frozen=True)
class Arrival:
    """What the timeline records about an arrival: the distance of the officer's latest usable fix from the source
    (None: no usable fix), the radius applied and whether the officer was within it."""

    distance_m: float | None
    radius_m: int
    on_site: bool

    def record(self) -> dict[str, object]:
        return {"distance_m": self.distance_m, "radius_m": self.radius_m, "on_site": self.on_site}


def check_arrival(distance_m: float | None, radius_m: int, reason: str | None) -> Arrival:
    """到场: within ``radius_m`` (CHENGGUAN_ARRIVAL_RADIUS_M) of the source by the officer's latest fix; otherwise —
    farther, or no fix recent enough to judge — only with a stated reason, else 422 ``dispatch.not_on_site`` with the
    distance in the detail (and as ``distance_m``/``radius_m`` members of the problem)."""
    on_site = distance_m is not None and distance_m <= radius_m
    if on_site or (reason and reason.strip()):
        return Arrival(None if distance_m is None else round(distance_m, 1), radius_m, on_site)
    if distance_m is None:
        detail = f"未获取到您近期的定位，无法确认已到达现场（{radius_m} 米范围内）；请开启定位后重试，或填写说明"
    else:
        detail = f"您距案源约 {round(distance_m)} 米，超出到场范围（{radius_m} 米）；请到达现场后再点到场，或填写说明"
    raise Unprocessable(
        detail,
        code="dispatch.not_on_site",
        errors=[FieldProblem(field="reason", message="不在到场范围内，请填写说明")],
        distance_m=None if distance_m is None else round(distance_m, 1),
        radius_m=radius_m,
    )
