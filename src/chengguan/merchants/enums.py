"""Labels of a registered merchant's kinds and states (the kinds and states themselves are ``cases.enums``': a case
shows the shop its party is)."""

from __future__ import annotations

from chengguan.cases.enums import MerchantKind, MerchantStatus

KIND_LABELS = {
    MerchantKind.individual_business: "个体工商户",
    MerchantKind.enterprise: "企业",
    MerchantKind.other_org: "其他组织",
}
STATUS_LABELS = {MerchantStatus.operating: "营业中", MerchantStatus.suspended: "停业", MerchantStatus.closed: "已注销"}
