"""Choice sets of video patrol: review kinds, alarm status, and the violation categories cameras are set up for."""

from __future__ import annotations

from enum import StrEnum


class AlarmStatus(StrEnum):
    """待确认 → 已确认 (a real violation: its case source goes on) / 已排除 (a false alarm, with the reason)."""

    pending = "pending"
    confirmed = "confirmed"
    dismissed = "dismissed"


ALARM_STATUS_LABELS = {AlarmStatus.pending: "待确认", AlarmStatus.confirmed: "已确认", AlarmStatus.dismissed: "已排除"}

# The violations the seeds report cameras finding by themselves (GB/T 47678.5 codes of the law knowledge base, whose
# names the console shows): 店外经营, 占道经营, 无照经营游商, 乱堆杂物, 机动车/非机动车乱停放, 暴露垃圾, 渣土车未密闭.
VIDEO_CATEGORIES = ("09005", "09006", "09001", "06036", "09009", "09010", "06010", "08011")
