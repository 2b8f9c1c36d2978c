"""Kinds and states of a registered merchant."""

from __future__ import annotations

from enum import StrEnum


class MerchantKind(StrEnum):
    """Legal form of the business: decides who the party of a case is (the operator, or the organisation)."""

    individual_business = "individual_business"  # 个体工商户 — the operator answers as a natural person
    enterprise = "enterprise"  # 企业（法人）
    other_org = "other_org"  # 其他组织（农民专业合作社、分支机构等）


class MerchantStatus(StrEnum):
    operating = "operating"  # 营业中
    suspended = "suspended"  # 停业
    closed = "closed"  # 已注销


KIND_LABELS = {
    MerchantKind.individual_business: "个体工商户",
    MerchantKind.enterprise: "企业",
    MerchantKind.other_org: "其他组织",
}
STATUS_LABELS = {MerchantStatus.operating: "营业中", MerchantStatus.suspended: "停业", MerchantStatus.closed: "已注销"}
