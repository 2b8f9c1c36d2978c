"""Enumerations of the legal knowledge base (values are the API/database spelling; labels are zh-CN)."""

from __future__ import annotations

from enum import StrEnum


class LawLevel(StrEnum):
    law = "law"  # 法律
    administrative_regulation = "administrative_regulation"  # 行政法规
    local_regulation = "local_regulation"  # 地方性法规
    rule = "rule"  # 规章


LAW_LEVEL_LABELS = {
    LawLevel.law: "法律",
    LawLevel.administrative_regulation: "行政法规",
    LawLevel.local_regulation: "地方性法规",
    LawLevel.rule: "规章",
}


class PartyType(StrEnum):
    individual = "individual"  # 公民（自然人）
    organization = "organization"  # 法人或者其他组织


PARTY_TYPE_LABELS = {PartyType.individual: "公民", PartyType.organization: "法人或者其他组织"}
# The short form of tables and column heads (公民罚款幅度 / 单位罚款幅度), as in the matter workbook.
PARTY_TYPE_SHORT = {PartyType.individual: "公民", PartyType.organization: "单位"}


class PenaltyKind(StrEnum):
    """行政处罚法第九条 lists the kinds; 责令改正 is not a penalty (第二十八条) but matters name it."""

    warning = "warning"  # 警告、通报批评
    fine = "fine"  # 罚款
    confiscation = "confiscation"  # 没收违法所得、没收非法财物
    suspension = "suspension"  # 暂扣许可证件、降低资质等级、吊销许可证件
    restriction = "restriction"  # 限制开展生产经营活动、责令停产停业、责令关闭、限制从业
    detention = "detention"  # 行政拘留
    order_correct = "order_correct"  # 责令改正 / 限期拆除（非处罚种类）


PENALTY_KIND_LABELS = {
    PenaltyKind.warning: "警告",
    PenaltyKind.fine: "罚款",
    PenaltyKind.confiscation: "没收",
    PenaltyKind.suspension: "暂扣或吊销许可证件",
    PenaltyKind.restriction: "责令停业整治或关闭",
    PenaltyKind.detention: "行政拘留",
    PenaltyKind.order_correct: "责令改正",
}


class Tier(StrEnum):
    """裁量阶次: 轻微 (no penalty under art. 33), 一般, 较重, 严重."""

    minor = "minor"
    general = "general"
    serious = "serious"
    severe = "severe"


TIER_LABELS = {Tier.minor: "轻微", Tier.general: "一般", Tier.serious: "较重", Tier.severe: "严重"}


class MatterStatus(StrEnum):
    active = "active"
    retired = "retired"


MATTER_STATUS_LABELS = {MatterStatus.active: "有效", MatterStatus.retired: "已停用"}


class SearchKind(StrEnum):
    law = "law"
    article = "article"
    matter = "matter"


SEARCH_KIND_LABELS = {SearchKind.law: "法律法规", SearchKind.article: "条文", SearchKind.matter: "执法事项"}
