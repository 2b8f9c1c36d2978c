"""The per-camera alarm throttle: a camera raising more than ``CHENGGUAN_VIDEO_ALARMS_PER_HOUR`` alarms within an
hour (by the alarms' own times) has the rest held back until the hour's count falls under the limit — counted on
the camera (``suppressed``, shown on the console's camera list and patrol wall), not raised, signalled or fixed as
evidence. A zone drawn over a bus stop or a detector seeing stalls in shadows must not flood the command center;
the operator sees the throttle and fixes the zone."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.org.models import Device
from chengguan.video.models import VideoAlarm, VideoEngineState

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=1)


def admit(session: Session, settings: Settings, device: Device, state: VideoEngineState, at: datetime) -> bool:
    """Whether an alarm of ``device`` at ``at`` may be raised; when not, it is counted on ``state``."""
    if state.throttled_until is not None and at < state.throttled_until:
        _hold(state)
        return False
    since = at - WINDOW
    recent = select(func.count(), func.min(VideoAlarm.raised_at)).where(
        VideoAlarm.device_id == device.id, VideoAlarm.raised_at > since, VideoAlarm.raised_at <= at
    )
    count, oldest = session.execute(recent).one()
    if count < settings.video_alarms_per_hour:
        return True
    if state.throttled_until is None or at >= state.throttled_until:
        state.suppressed = 0  # a new throttled spell
        log.warning("camera %s throttled: %d alarms within an hour", device.code, count)
    state.throttled_until = oldest + WINDOW  # the hour's count falls under the limit then
    _hold(state)
    return False


def _hold(state: VideoEngineState) -> None:
    state.suppressed = (state.suppressed or 0) + 1
    state.suppressed_total = (state.suppressed_total or 0) + 1
