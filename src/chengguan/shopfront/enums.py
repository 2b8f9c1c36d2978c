"""Choice sets of the merchant H5, with their zh-CN labels."""

from __future__ import annotations

from enum import StrEnum


class ClaimMethod(StrEnum):
    """How a shop was claimed: its licence (USCC or the operator's ID matches the register) or an agent (委托人)."""

    licence = "licence"
    agent = "agent"


CLAIM_METHOD_LABELS = {ClaimMethod.licence: "证照核验", ClaimMethod.agent: "委托代理（授权委托书）"}


class ClaimStatus(StrEnum):
    approved = "approved"
    pending = "pending"  # an agent's letter waits for a staff member
    refused = "refused"


CLAIM_STATUS_LABELS = {ClaimStatus.approved: "已认领", ClaimStatus.pending: "待审核", ClaimStatus.refused: "未通过"}


class SubmissionKind(StrEnum):
    """The party's procedure rights online: 陈述申辩 (《行政处罚法》第四十五条) or a hearing request (第六十四条)."""

    statement = "statement"
    hearing = "hearing"


SUBMISSION_LABELS = {SubmissionKind.statement: "陈述申辩", SubmissionKind.hearing: "听证申请"}

# What a shop may report (GB/T 47678.5 categories); the H5 offers these, intake routes them like any report.
REPORT_CATEGORIES = {
    "06010": "暴露垃圾",
    "06036": "乱堆杂物",
    "06030": "乱倒乱排污水",
    "09006": "占道经营",
    "09005": "店外经营",
    "06001": "私搭乱建",
    "07001": "非法小广告",
    "06000": "其他市容环境问题",
}
