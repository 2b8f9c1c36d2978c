"""Choice sets of IoT: device kinds, rule kinds, alarm states."""

from __future__ import annotations

from enum import StrEnum


class SensorKind(StrEnum):
    """What a device measures (its default rules and factor mapping follow from it)."""

    oil_fume = "oil_fume"  # 油烟在线监测：油烟/颗粒物/非甲烷总烃浓度 + 风机/净化器电流
    water_quality = "water_quality"  # 二次供水水质：余氯、浊度、pH
    dust = "dust"  # 工地扬尘：PM10、PM2.5
    noise = "noise"  # 噪声 dB(A)
    level = "level"  # 井盖/液位
    trash_bin = "trash_bin"  # 智能垃圾桶满溢
    other = "other"


SENSOR_LABELS = {
    SensorKind.oil_fume: "油烟在线监测仪",
    SensorKind.water_quality: "二次供水水质监测",
    SensorKind.dust: "扬尘监测仪",
    SensorKind.noise: "噪声监测仪",
    SensorKind.level: "井盖/液位监测",
    SensorKind.trash_bin: "智能垃圾桶",
    SensorKind.other: "其他传感器",
}


class RuleKind(StrEnum):
    """The rule families: a threshold (above / below) with duration and hysteresis, and the tamper rules."""

    above = "above"
    below = "below"
    fan_without_purifier = "fan_without_purifier"  # 风机开、净化器关
    flat_line = "flat_line"  # 数值长时间不变（探头被堵、数据造假）
    drop_to_zero = "drop_to_zero"  # 突降为零
    offline = "offline"  # 设备离线（看门狗 / 遗嘱消息）


RULE_LABELS = {
    RuleKind.above: "超过阈值",
    RuleKind.below: "低于阈值",
    RuleKind.fan_without_purifier: "风机运行而净化器未开",
    RuleKind.flat_line: "数值长时间不变",
    RuleKind.drop_to_zero: "数值突降为零",
    RuleKind.offline: "设备离线",
}


class AlarmState(StrEnum):
    active = "active"
    cleared = "cleared"


ALARM_STATE_LABELS = {AlarmState.active: "告警中", AlarmState.cleared: "已恢复"}


class Health(StrEnum):
    online = "online"
    offline = "offline"
    unknown = "unknown"  # registered, never heard from


HEALTH_LABELS = {Health.online: "在线", Health.offline: "离线", Health.unknown: "未上线"}
