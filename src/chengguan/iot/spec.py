"""From a rule as entered (schemas.RuleIn) to the engine's Rule: the kind inferred, the hysteresis band checked, the
schedule parsed — pure, raising a 422 that names the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chengguan.core.errors import field_error
from chengguan.iot.enums import RULE_LABELS, RuleKind
from chengguan.iot.rules import Rule, Window
from chengguan.iot.schemas import RuleIn


@dataclass(frozen=True)
class Compiled:
    """A rule ready for the engine plus what the service does with its alarms."""

    rule: Rule
    label: str
    category_code: str | None
    signal: bool
    notify_shop: bool


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def kind_of(r: RuleIn) -> RuleKind:
    if r.kind is not None:
        return r.kind
    if r.above is not None and r.below is None:
        return RuleKind.above
    if r.below is not None and r.above is None:
        return RuleKind.below
    raise field_error("kind", "请给出 above 或 below 之一（或指明规则类型）", code="iot.rule_invalid")


def normalise(r: RuleIn, index: int) -> dict[str, Any]:
    """The rule's stored form: kind and key filled in, the band and the fields the kind needs checked."""
    kind = kind_of(r)
    where = f"rules[{index}]"
    if kind is RuleKind.offline:
        raise field_error(f"{where}.kind", "离线告警由看门狗按上报间隔的 2 倍判定，无需配置", code="iot.rule_invalid")
    if kind in (RuleKind.above, RuleKind.below, RuleKind.flat_line, RuleKind.drop_to_zero) and not r.metric:
        raise field_error(f"{where}.metric", "须指明监测指标", code="iot.rule_invalid")
    if kind is RuleKind.above:
        if r.above is None:
            raise field_error(f"{where}.above", "须给出阈值 above", code="iot.rule_invalid")
        if r.clear_below is not None and r.clear_below > r.above:
            raise field_error(
                f"{where}.clear_below", "恢复值 clear_below 不能高于阈值 above（回差带）", code="iot.rule_invalid"
            )
    if kind is RuleKind.below:
        if r.below is None:
            raise field_error(f"{where}.below", "须给出阈值 below", code="iot.rule_invalid")
        if r.clear_above is not None and r.clear_above < r.below:
            raise field_error(
                f"{where}.clear_above", "恢复值 clear_above 不能低于阈值 below（回差带）", code="iot.rule_invalid"
            )
    if kind in (RuleKind.fan_without_purifier, RuleKind.flat_line, RuleKind.drop_to_zero) and r.threshold is None:
        defaults = {RuleKind.fan_without_purifier: 0.5, RuleKind.flat_line: 0.0001, RuleKind.drop_to_zero: 0.5}
        r = r.model_copy(update={"threshold": defaults[kind]})
    for n, w in enumerate(r.schedule):
        if w.start == w.end:
            raise field_error(f"{where}.schedule[{n}]", "时段开始与结束不能相同", code="iot.rule_invalid")
    limit = r.above if kind is RuleKind.above else r.below if kind is RuleKind.below else r.threshold
    key = r.key or _key(kind, r.metric, limit, r.schedule[0].start if r.schedule else None)
    data = r.model_dump(mode="json", exclude_none=True)
    data |= {"kind": kind.value, "key": key}
    data.setdefault("label", _label(kind, r.metric, limit))
    return data


def _key(kind: RuleKind, metric: str | None, limit: float | None, start: str | None) -> str:
    sign = {RuleKind.above: ">", RuleKind.below: "<"}.get(kind)
    base = f"{metric}{sign}{limit:g}" if sign and limit is not None else f"{kind.value}:{metric or ''}".rstrip(":")
    return f"{base}@{start}" if start else base


def _label(kind: RuleKind, metric: str | None, limit: float | None) -> str:
    if kind is RuleKind.above:
        return f"{metric} 超过 {limit:g}"
    if kind is RuleKind.below:
        return f"{metric} 低于 {limit:g}"
    return f"{RULE_LABELS[kind]}" + (f"（{metric}）" if metric else "")


def compile_rule(spec: dict[str, Any], interval_s: int) -> Compiled:
    """The engine's rule from a stored spec; a gap of more than 2 × the report interval breaks a window."""
    kind = RuleKind(spec["kind"])
    threshold = {RuleKind.above: spec.get("above"), RuleKind.below: spec.get("below")}.get(kind, spec.get("threshold"))
    clear_at = spec.get("clear_below") if kind is RuleKind.above else spec.get("clear_above")
    schedule = tuple(
        Window(_minutes(w["start"]), _minutes(w["end"]), frozenset(w.get("days") or ()))
        for w in spec.get("schedule", [])
    )
    rule = Rule(
        key=spec["key"],
        kind=kind,
        metric=spec.get("metric"),
        threshold=float(threshold or 0.0),
        clear_at=clear_at,
        for_s=float(spec.get("for_s", 0)),
        clear_for_s=float(spec.get("clear_for_s", 0)),
        schedule=schedule,
        max_gap_s=2.0 * interval_s,
        escalate_after_s=spec.get("escalate_after_s"),
        fan_metric=spec.get("fan_metric") or "fan_current",
        purifier_metric=spec.get("purifier_metric") or "purifier_current",
    )
    return Compiled(
        rule,
        spec.get("label") or spec["key"],
        spec.get("category_code"),
        spec.get("signal", True),
        spec.get("notify_shop", True),
    )
