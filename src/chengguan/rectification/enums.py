"""Choice sets of notices and rectification, with their zh-CN labels."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """温馨提醒 (a warning, no penalty) or 责令（限期）整改通知 (a numbered order, 《行政处罚法》第二十八条)."""

    warning = "warning"
    rectification_order = "rectification_order"


KIND_LABELS = {NoticeKind.warning: "温馨提醒", NoticeKind.rectification_order: "责令（限期）整改通知"}


class NoticeOrigin(StrEnum):
    """Where the officer sent it from."""

    case_source = "case_source"
    patrol = "patrol"
    shop_page = "shop_page"


ORIGIN_LABELS = {
    NoticeOrigin.case_source: "案源处置",
    NoticeOrigin.patrol: "巡查发现",
    NoticeOrigin.shop_page: "商户档案",
}


class RectStatus(StrEnum):
    """Where the shop's rectification stands (the notice's lifecycle)."""

    pending = "pending"  # 待整改: sent, nothing submitted yet
    submitted = "submitted"  # 待确认: photos submitted, the officer has not looked yet
    reinspection = "reinspection"  # 待复查: the officer will go and look
    rejected = "rejected"  # 整改不合格: to be rectified again
    confirmed = "confirmed"  # 已整改
    escalated = "escalated"  # 逾期转案源: overdue or rejected twice, now a case source
    withdrawn = "withdrawn"  # 已撤回


STATUS_LABELS = {
    RectStatus.pending: "待整改",
    RectStatus.submitted: "待确认",
    RectStatus.reinspection: "待复查",
    RectStatus.rejected: "整改不合格",
    RectStatus.confirmed: "已整改",
    RectStatus.escalated: "逾期转案源",
    RectStatus.withdrawn: "已撤回",
}
OPEN = frozenset({RectStatus.pending, RectStatus.submitted, RectStatus.reinspection, RectStatus.rejected})
AWAITING_OFFICER = frozenset({RectStatus.submitted, RectStatus.reinspection})


class RectAction(StrEnum):
    submit = "submit"  # 提交整改（商户）
    confirm = "confirm"  # 确认整改（执法人员）
    reject = "reject"  # 退回重新整改
    schedule_reinspection = "schedule_reinspection"  # 安排现场复查
    escalate = "escalate"  # 逾期或两次不合格，转为案源（系统）
    withdraw = "withdraw"  # 撤回通知


ACTION_LABELS = {
    RectAction.submit: "提交整改",
    RectAction.confirm: "确认整改完成",
    RectAction.reject: "退回重新整改",
    RectAction.schedule_reinspection: "安排现场复查",
    RectAction.escalate: "转为案源",
    RectAction.withdraw: "撤回通知",
}


class Actor(StrEnum):
    """Who takes an action: the shop, an officer, or the platform's job."""

    party = "party"
    officer = "officer"
    system = "system"


ACTOR_LABELS = {Actor.party: "商户", Actor.officer: "执法人员", Actor.system: "系统"}


class Harm(StrEnum):
    """危害后果 as the officer found it (《行政处罚法》第三十三条第一款)."""

    none = "none"
    minor = "minor"
    general = "general"
    serious = "serious"


HARM_LABELS = {Harm.none: "没有危害后果", Harm.minor: "危害后果轻微", Harm.general: "有一般危害后果",
               Harm.serious: "危害后果严重"}  # fmt: skip


class Suggestion(StrEnum):
    """What warning first suggests: a 温馨提醒 (no penalty, correct in time) or a case."""

    warning = "warning"
    case = "case"


SUGGESTION_LABELS = {Suggestion.warning: "首违不罚：发送温馨提醒并责令改正", Suggestion.case: "立案查处"}
