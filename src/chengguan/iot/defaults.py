"""Built-in rules per device kind (used while neither the device nor its kind has rules of its own) and the intake
category each kind's alarms become. Each limit names the standard or article it comes from; a deployment replaces
them with its local standard through ``PUT /api/v1/iot/kinds/{kind}/rules``."""

from __future__ import annotations

from typing import Any

from chengguan.iot.enums import SensorKind

CATEGORY = {  # GB/T 47678.5 event category of the case source an alarm becomes
    SensorKind.oil_fume: "06027",  # 油烟污染
    SensorKind.dust: "08004",  # 工地扬尘
    SensorKind.noise: "08001",  # 施工扰民
    SensorKind.trash_bin: "06042",  # 垃圾站（箱）满溢
    SensorKind.water_quality: "10000",
    SensorKind.level: "06000",
    SensorKind.other: "10000",
}


def oil_fume() -> list[dict[str, Any]]:
    """GB 18483-2001《饮食业油烟排放标准》§4.1: 2.0 mg/m³ maximum allowed emission (《大气污染防治法》第八十一条,
    罚则第一百一十八条); the tamper rules catch a purifier switched off while the fan runs (第八十一条 "保持正常使用"),
    a blocked or frozen probe (flat line) and a probe pulled (sudden drop to zero)."""
    return [
        {
            "metric": "fume",
            "above": 2.0,
            "for_s": 600,
            "clear_below": 1.6,
            "clear_for_s": 300,
            "label": "油烟浓度超标（GB 18483 2.0 mg/m³）",
            "escalate_after_s": 3600,
        },
        {
            "kind": "fan_without_purifier",
            "threshold": 0.5,
            "for_s": 300,
            "clear_for_s": 60,
            "label": "风机运行而净化器未开启（大气法第八十一条）",
        },
        {
            "kind": "flat_line",
            "metric": "fume",
            "threshold": 0.0001,
            "for_s": 7200,
            "label": "油烟数值长时间不变",
            "signal": False,
        },
        {
            "kind": "drop_to_zero",
            "metric": "fume",
            "threshold": 0.5,
            "for_s": 600,
            "label": "油烟数值突降为零",
            "signal": False,
        },
    ]


def dust() -> list[dict[str, Any]]:
    """《大气污染防治法》第六十九条 (施工扬尘防治, 罚则第一百一十五条); the limit is local: 150 μg/m³ PM10 over
    background as many cities' construction-site dust standards set it (e.g. DB11/T 1981 uses hourly averages)."""
    return [
        {
            "metric": "pm10",
            "above": 150,
            "for_s": 1800,
            "clear_below": 120,
            "clear_for_s": 600,
            "label": "扬尘 PM10 超标（大气法第六十九条）",
        }
    ]


def noise() -> list[dict[str, Any]]:
    """GB 12523-2011《建筑施工场界环境噪声排放标准》§4.1: 70 dB(A) by day, 55 dB(A) at night; night is 22:00–06:00
    (《噪声污染防治法》第八十八条), night construction near homes is forbidden (第四十三条, 罚则第七十七条)."""
    return [
        {
            "metric": "noise_db",
            "above": 70,
            "for_s": 600,
            "clear_below": 67,
            "clear_for_s": 300,
            "schedule": [{"start": "06:00", "end": "22:00"}],
            "label": "昼间施工噪声超标（GB 12523 70 dB(A)）",
        },
        {
            "metric": "noise_db",
            "above": 55,
            "for_s": 300,
            "clear_below": 52,
            "clear_for_s": 300,
            "schedule": [{"start": "22:00", "end": "06:00"}],
            "label": "夜间施工噪声超标（GB 12523 55 dB(A)）",
        },
    ]


def water_quality() -> list[dict[str, Any]]:
    """GB 5749-2022《生活饮用水卫生标准》表 A.1/表 1: residual chlorine in the network ≥ 0.05 mg/L, turbidity ≤ 1 NTU,
    pH 6.5–8.5 (二次供水 must keep them)."""
    return [
        {
            "metric": "residual_chlorine",
            "below": 0.05,
            "for_s": 900,
            "clear_above": 0.08,
            "clear_for_s": 600,
            "label": "余氯低于 0.05 mg/L（GB 5749）",
            "signal": False,
        },
        {
            "metric": "turbidity",
            "above": 1.0,
            "for_s": 900,
            "clear_below": 0.8,
            "clear_for_s": 600,
            "label": "浊度超过 1 NTU（GB 5749）",
            "signal": False,
        },
        {
            "metric": "ph",
            "below": 6.5,
            "for_s": 900,
            "clear_above": 6.6,
            "clear_for_s": 600,
            "label": "pH 低于 6.5（GB 5749）",
            "signal": False,
        },
        {
            "metric": "ph",
            "above": 8.5,
            "for_s": 900,
            "clear_below": 8.4,
            "clear_for_s": 600,
            "label": "pH 高于 8.5（GB 5749）",
            "signal": False,
        },
    ]


def trash_bin() -> list[dict[str, Any]]:
    """Full bins: 《山东省生活垃圾管理条例》第二十三条 (收集单位保持收集设施和周边环境干净整洁; 封闭式垃圾容器:
    《城市市容和环境卫生管理条例》第二十一条); 90 % full for 30 minutes."""
    return [{"metric": "fill_pct", "above": 90, "for_s": 1800, "clear_below": 50, "label": "垃圾箱满溢"}]


def level() -> list[dict[str, Any]]:
    """Manhole lids and water levels: a tilted lid (≥ 15°) at once; the limits are the operator's."""
    return [{"metric": "tilt_deg", "above": 15, "label": "井盖倾斜或移位"}]


DEFAULTS = {
    SensorKind.oil_fume: oil_fume,
    SensorKind.dust: dust,
    SensorKind.noise: noise,
    SensorKind.water_quality: water_quality,
    SensorKind.trash_bin: trash_bin,
    SensorKind.level: level,
}


def default_rules(kind: SensorKind) -> list[dict[str, Any]]:
    return DEFAULTS[kind]() if kind in DEFAULTS else []
