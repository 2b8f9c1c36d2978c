"""The case-source rule tables as Excel (案源规则导出): 环节时限 with the built-in defaults, 合并规则, 静默规则 — each
the rule list the page shows (``intake.rules``: the same scope and order, the snooze list's 仅生效中 filter), units
and categories by name, audited as ``<rule>_export.download``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_items
from chengguan.core.principals import StaffPrincipal
from chengguan.intake import rules
from chengguan.intake.enums import CHANNEL_LABELS, STATUS_LABELS, TIME_UNIT_LABELS
from chengguan.intake.models import SnoozeRule
from chengguan.intake.schemas import TimeLimitRead
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.law.seed import categories
from chengguan.org.repository import unit_names

PLATFORM = "全市"
ANY = "（不限）"


def time_limits(session: Session, principal: StaffPrincipal) -> StreamedBook:
    """环节时限: the configured limits in scope and the built-in defaults, in the list's order."""
    items = rules.list_time_limits(session, principal)
    units, names = unit_names(session, {r.unit_id for r in items}), categories()

    def row(r: TimeLimitRead) -> list[Any]:
        return [STATUS_LABELS.get(r.stage, r.stage), units.get(r.unit_id, PLATFORM) if r.unit_id else PLATFORM,  # type: ignore[call-overload]
                names.get(r.category_code, r.category_code) if r.category_code else ANY,
                CHANNEL_LABELS.get(r.channel, r.channel) if r.channel else ANY,  # type: ignore[call-overload]
                r.amount, TIME_UNIT_LABELS[r.unit], r.warn_percent, "内置默认" if r.builtin else "已配置"]  # fmt: skip

    columns = (Column("环节", 12), Column("适用单位", 24), Column("事项类别", 24), Column("来源渠道", 14),
               Column("时限", 8, "int"), Column("计时单位", 10), Column("临期预警（%）", 12, "int"),
               Column("来源", 10))  # fmt: skip
    return audited_items(session, principal, items, target="time_limit_export", title="环节时限规则",
                         columns=columns, row=row)  # fmt: skip


def dedup_rules(session: Session, principal: StaffPrincipal) -> StreamedBook:
    """合并规则: platform-wide, by category."""
    names = categories()
    columns = (Column("类别编码", 14), Column("事项类别", 28), Column("合并半径（米）", 14, "int"),
               Column("时间窗（分钟）", 14, "int"))  # fmt: skip
    return audited_items(session, principal, rules.list_dedup_rules(session), target="dedup_rule_export",
                         title="合并规则", columns=columns,
                         row=lambda r: [r.category_code, names.get(r.category_code, r.category_code), r.radius_m,
                                        r.window_minutes])  # fmt: skip


def snooze_rules(session: Session, principal: StaffPrincipal, active: bool) -> StreamedBook:
    """静默规则 in scope, latest end first; ``active``: only those in force now."""
    items = rules.list_snooze_rules(session, principal, active_only=active)
    units, names = unit_names(session, {r.unit_id for r in items}), categories()

    def row(r: SnoozeRule) -> list[Any]:
        return [units.get(r.unit_id, PLATFORM) if r.unit_id else PLATFORM,
                names.get(r.category_code, r.category_code) if r.category_code else ANY, r.lng, r.lat, r.radius_m,
                r.until, r.reason, r.created_by, "生效中" if r.active else "已停用"]  # fmt: skip

    columns = (Column("适用单位", 24), Column("事项类别", 24), Column("经度", 12), Column("纬度", 12),
               Column("半径（米）", 10, "int"), Column("截止时间", 17, "time"), Column("原因", 36),
               Column("设置人", 12), Column("状态", 8))  # fmt: skip
    return audited_items(session, principal, items, target="snooze_rule_export", title="静默规则", columns=columns,
                         row=row, filters={"active": True} if active else {})  # fmt: skip
