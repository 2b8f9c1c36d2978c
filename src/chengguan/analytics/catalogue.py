"""The indicator catalogue (指标目录): every figure the platform shows, with its written 统计口径 — what it counts,
from which tables, by which formula, on which date, and through which endpoint. Shown on the analytics page."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from chengguan.analytics.dims import COMPLAINT_CHANNELS
from chengguan.audit.list_export import audited_items
from chengguan.core.principals import StaffPrincipal
from chengguan.intake.enums import CHANNEL_LABELS
from chengguan.kit.xlsx import Column, StreamedBook

_COMMON = ("统计时段按北京时间（UTC+8）的自然日计，起止日期均含；统计范围为当前账号的数据权限范围"
           "（与案源列表、案件列表可见的记录一致）。")  # fmt: skip
_COMPLAINTS = "、".join(CHANNEL_LABELS[c] for c in COMPLAINT_CHANNELS)  # type: ignore[index]


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    definition: str
    source: str
    formula: str
    time_basis: str
    dimensions: str
    endpoint: str


CATALOGUE: tuple[Indicator, ...] = (
    Indicator("sources", "案源数", "件",
              "统计时段内登记的案源（经去重合并后的问题，不是原始告警条数），含已作废案源。",
              "case_source（案源表）", "COUNT(案源)", "登记时间 created_at",
              "区、街道中队、事项类别、来源渠道、小时、日、月、行业（由该案源立案的案件所关联商户的经营类别）",
              "/api/v1/analytics/cube?measure=sources"),
    Indicator("cases", "案件数", "件",
              "统计时段内登记的行政处罚案件：普通程序的立案登记与简易程序的当场处罚，含不予立案、撤案等各类结果。",
              "penalty_case（案件表）；分类取 enforcement_matter.category_code，渠道取来源案源的渠道，"
              "行业取关联商户 merchant.business_type",
              "COUNT(案件)", "登记时间 created_at",
              "区、承办单位（街道中队）、事项类别、来源渠道（无案源的为“直接立案”）、小时、日、月、行业",
              "/api/v1/analytics/cube?measure=cases"),
    Indicator("fines", "罚款金额", "分（界面以元显示）",
              "统计时段内作出的行政处罚决定所处罚款之和（决定金额，不是实缴金额）；不予处罚决定与无罚款的决定不计。",
              "penalty_case.fine_fen、decision_kind、decided_on；按小时分组时取 case_event 中作出决定的那条记录的时间"
              "（普通程序为决定审批的最后一级批准，简易程序为当场处罚交付）",
              "SUM(fine_fen) WHERE decision_kind = 处罚决定 AND fine_fen > 0",
              "决定日期 decided_on（按小时分组时为作出决定的时刻，北京时间；统计时段仍按决定日期）",
              "区、承办单位、事项类别、来源渠道、小时（作出决定的时刻；缺少该记录的计入“未记录决定时刻”）、日、月、行业",
              "/api/v1/analytics/cube?measure=fines"),
    Indicator("complaints", "群众诉求数", "件",
              f"来源渠道为{_COMPLAINTS}的案源数。",
              "case_source.channel", "COUNT(案源) WHERE 渠道 ∈ 群众诉求渠道", "登记时间 created_at",
              "区、街道中队、事项类别", "/api/v1/analytics/match"),
    Indicator("match_pct", "诉求与处罚吻合度", "%",
              "各区域群众诉求占比与案件占比的重合程度：处罚力量投向群众反映集中的区域时接近 100%。"
              "逐区域列出诉求占比、案件占比及差值（案件占比 − 诉求占比）。",
              "case_source（群众诉求渠道）、penalty_case",
              "吻合度 = Σ_区域 min(区域诉求数 ÷ 诉求总数, 区域案件数 ÷ 案件总数) × 100%", "登记时间 created_at",
              "区、街道中队、事项类别", "/api/v1/analytics/match"),
    Indicator("hotspots", "热点网格", "件",
              "统计时段内登记案源最多的单元网格，按案源数从多到少排列；不在任何网格内的案源不计入。",
              "case_source.grid_code、grid（名称、中心点）", "COUNT(案源) GROUP BY 网格，取前 N 名",
              "登记时间 created_at", "单元网格", "/api/v1/analytics/hotspots"),
    Indicator("repeat_offenders", "屡查屡犯当事人", "个",
              "统计时段内被登记 2 件及以上案件的当事人：关联商户的按商户档案归并，其他当事人按证件号码（密文检索哈希）"
              "归并，无证件号码的按名称归并。",
              "penalty_case.merchant_id、party_id_no_hash、party_name；merchant.name",
              "COUNT(案件) GROUP BY 当事人 HAVING COUNT ≥ 2", "登记时间 created_at", "当事人",
              "/api/v1/analytics/repeat-offenders"),
    Indicator("handling_days", "办结时长", "天",
              "统计时段内办结的案源（或案件）自登记至办结所用的自然日数（精确到小时折算），给出平均值与中位数。",
              "case_source.created_at、closed_at；penalty_case.created_at、closed_at",
              "平均 = AVG(closed_at − created_at)；中位数 = MEDIAN(closed_at − created_at)", "办结时间 closed_at",
              "区、街道中队/承办单位、事项类别、来源渠道、日、月", "/api/v1/analytics/handling-times"),
    Indicator("change_pct", "环比、同比", "%",
              "环比与紧接其前、等长的上一时段比较；同比与上一年同一日期区间比较（2 月 29 日按 2 月 28 日）。",
              "同所比较的指标", "(本期 − 比较期) ÷ 比较期 × 100%，比较期为 0 时不计算", "同所比较的指标",
              "日（92 天以内）或月", "/api/v1/analytics/trend"),
    Indicator("sources_today", "今日新增案源", "件",
              "今日（北京时间）登记的案源数，与案源列表按登记日期筛选今日的总数一致。",
              "case_source", "COUNT(案源) WHERE 登记日期 = 今日", "登记时间 created_at", "—",
              "/api/v1/analytics/today"),
    Indicator("sources_open", "未办结案源", "件", "状态不是“已结案”“已作废”的案源。", "case_source.status",
              "COUNT(案源) WHERE 状态 ∉ {已结案, 已作废}", "当前时刻", "—", "/api/v1/analytics/today"),
    Indicator("sources_overdue", "超期案源", "件", "未办结且当前环节已过办理时限的案源。", "case_source.status、due_at",
              "COUNT(案源) WHERE 未办结 AND due_at < 当前时刻", "当前时刻", "—", "/api/v1/analytics/today"),
    Indicator("cases_today", "今日新立案件", "件", "今日登记的案件（立案登记或当场处罚）。", "penalty_case",
              "COUNT(案件) WHERE 登记日期 = 今日", "登记时间 created_at", "—", "/api/v1/analytics/today"),
    Indicator("cases_running", "在办案件", "件", "已立案、尚未作出处罚决定的案件（办案期限在计算中）。",
              "penalty_case.status", "COUNT(案件) WHERE 状态 ∈ 立案后至决定前各环节", "当前时刻", "—",
              "/api/v1/analytics/today"),
    Indicator("cases_overdue", "超期案件", "件",
              "在办且已超过作出决定期限（《行政处罚法》第六十条起算的九十日，含延长）的案件。",
              "penalty_case.status、decision_due_on", "COUNT(案件) WHERE 在办 AND decision_due_on < 今日", "今日",
              "—", "/api/v1/analytics/today"),
    Indicator("fines_decided_today", "今日处罚决定罚款", "分", "今日作出的处罚决定所处罚款之和。",
              "penalty_case.fine_fen、decided_on", "SUM(fine_fen) WHERE 决定日期 = 今日", "决定日期", "—",
              "/api/v1/analytics/today"),
    Indicator("fines_paid_today", "今日缴清罚款", "分", "今日缴清罚款的案件的已缴金额之和。",
              "penalty_case.paid_fen、fine_paid_on", "SUM(paid_fen) WHERE 缴清日期 = 今日", "缴清日期", "—",
              "/api/v1/analytics/today"),
)  # fmt: skip


def indicators() -> dict[str, object]:
    """The catalogue as the API returns it, with the common rules every figure follows."""
    return {"common": _COMMON, "items": [asdict(i) for i in CATALOGUE]}


INDICATOR_COLUMNS = (
    Column("指标", 16), Column("单位", 8), Column("统计口径（定义）", 60), Column("数据来源", 40),
    Column("计算公式", 40), Column("时间依据", 18), Column("可用维度", 40), Column("接口", 40),
)  # fmt: skip


def export_indicators(session: Session, principal: StaffPrincipal) -> StreamedBook:
    """The catalogue as the page's table shows it, audited as ``indicator_export.download``."""
    return audited_items(session, principal, CATALOGUE, target="indicator_export", title="指标目录",
                         columns=INDICATOR_COLUMNS, row=_row, unit="项")  # fmt: skip


def _row(i: Indicator) -> list[str]:
    return [i.name, i.unit, i.definition, i.source, i.formula, i.time_basis, i.dimensions, i.endpoint]
