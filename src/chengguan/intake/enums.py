"""Choice sets of intake (案源): channels, the case-source lifecycle, on-site outcomes, time units."""

from enum import StrEnum


class Channel(StrEnum):
    """Where a signal came from (智能巡查 / 物联感知 / 巡查上报 / 公众投诉 / 12345 / 上级交办 / 部门移送 / 商户 /
    公众随手拍 / 逾期未整改)."""

    ai_video = "ai_video"
    iot = "iot"
    patrol = "patrol"
    complaint = "complaint"
    open311 = "open311"
    hotline = "hotline"
    assignment = "assignment"
    transfer = "transfer"
    merchant = "merchant"
    public = "public"  # the citizens' report H5 (公众随手拍), with a tracking code
    rectification_overdue = "rectification_overdue"  # a rectification notice not complied with in time


CHANNEL_LABELS = {
    Channel.ai_video: "视频智能识别",
    Channel.iot: "物联感知",
    Channel.patrol: "巡查上报",
    Channel.complaint: "公众投诉",
    Channel.open311: "Open311 接入",
    Channel.hotline: "12345 热线",
    Channel.assignment: "上级交办",
    Channel.transfer: "部门移送",
    Channel.merchant: "商户上报",
    Channel.public: "公众随手拍",
    Channel.rectification_overdue: "逾期未整改",
}


class SourceStatus(StrEnum):
    """待受理 → 已受理 → 已分办 → 已派遣 → 处置中 → 待核查 → 已结案, and 已作废."""

    pending = "pending"
    accepted = "accepted"
    routed = "routed"
    dispatched = "dispatched"
    handling = "handling"
    verifying = "verifying"
    closed = "closed"
    voided = "voided"


STATUS_LABELS = {
    SourceStatus.pending: "待受理",
    SourceStatus.accepted: "已受理",
    SourceStatus.routed: "已分办",
    SourceStatus.dispatched: "已派遣",
    SourceStatus.handling: "处置中",
    SourceStatus.verifying: "待核查",
    SourceStatus.closed: "已结案",
    SourceStatus.voided: "已作废",
}

OPEN_STATUSES = frozenset(s for s in SourceStatus if s not in (SourceStatus.closed, SourceStatus.voided))


class SourceAction(StrEnum):
    """What can be done to a case source (受理 / 分办 / 派遣 / 到场 / 处置 / 核查 / 退回 / 改派 / 作废 / 重新打开)."""

    accept = "accept"
    route = "route"
    dispatch = "dispatch"
    arrive = "arrive"
    record_outcome = "record_outcome"
    verify = "verify"
    reject_verification = "reject_verification"
    send_back = "send_back"
    reassign = "reassign"
    void = "void"
    reopen = "reopen"


ACTION_LABELS = {
    SourceAction.accept: "受理",
    SourceAction.route: "分办",
    SourceAction.dispatch: "派遣",
    SourceAction.arrive: "到场",
    SourceAction.record_outcome: "处置反馈",
    SourceAction.verify: "核查通过并结案",
    SourceAction.reject_verification: "核查不通过",
    SourceAction.send_back: "退回",
    SourceAction.reassign: "改派",
    SourceAction.void: "作废",
    SourceAction.reopen: "重新打开",
}


class Outcome(StrEnum):
    """On-site result: no violation, a warning (温馨提醒), a rectification order with a due date, or a case."""

    no_violation = "no_violation"
    warning = "warning"
    rectification = "rectification"
    case_opened = "case_opened"


OUTCOME_LABELS = {
    Outcome.no_violation: "未发现违法",
    Outcome.warning: "温馨提醒（劝导）",
    Outcome.rectification: "责令限期整改",
    Outcome.case_opened: "立案查处",
}


class TimeUnit(StrEnum):
    """How a time limit counts: working hours/days follow the holiday calendar, minutes/hours/days do not."""

    minutes = "minutes"
    hours = "hours"
    days = "days"
    working_hours = "working_hours"
    working_days = "working_days"


TIME_UNIT_LABELS = {
    TimeUnit.minutes: "分钟",
    TimeUnit.hours: "小时",
    TimeUnit.days: "自然日",
    TimeUnit.working_hours: "工作小时",
    TimeUnit.working_days: "工作日",
}
