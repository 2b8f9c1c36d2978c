"""Enumerations of the administrative-penalty case (values are the API/database spelling; labels are zh-CN)."""

from __future__ import annotations

from enum import StrEnum


class Procedure(StrEnum):
    simple = "simple"  # 简易程序（当场处罚，《行政处罚法》第五十一条、第五十二条）
    ordinary = "ordinary"  # 普通程序（第五十四条起）


PROCEDURE_LABELS = {Procedure.simple: "简易程序", Procedure.ordinary: "普通程序"}


class CaseStatus(StrEnum):
    # ordinary procedure, in legal order
    registered = "registered"  # 案件来源（已登记）
    preliminary_check = "preliminary_check"  # 初查核实
    filing_approval = "filing_approval"  # 立案审批
    investigation = "investigation"  # 调查取证
    case_review = "case_review"  # 调查终结 / 案件审核
    legal_review = "legal_review"  # 法制审核
    collective_discussion = "collective_discussion"  # 集体讨论
    prior_notice = "prior_notice"  # 事先告知（待送达）
    statement = "statement"  # 陈述申辩期
    hearing = "hearing"  # 听证
    decision_approval = "decision_approval"  # 决定审批
    service = "service"  # 决定书送达
    execution = "execution"  # 执行
    closure_approval = "closure_approval"  # 结案审批
    closed = "closed"  # 已结案
    archived = "archived"  # 已归档
    # simple procedure
    on_site = "on_site"  # 当场处罚（待交付当事人）
    # side exits
    declined = "declined"  # 不予立案
    withdrawn = "withdrawn"  # 已撤案
    transferred = "transferred"  # 已移送
    suspended = "suspended"  # 已中止


STATUS_LABELS = {
    CaseStatus.registered: "案件来源",
    CaseStatus.preliminary_check: "初查核实",
    CaseStatus.filing_approval: "立案审批",
    CaseStatus.investigation: "调查取证",
    CaseStatus.case_review: "案件审核",
    CaseStatus.legal_review: "法制审核",
    CaseStatus.collective_discussion: "集体讨论",
    CaseStatus.prior_notice: "事先告知",
    CaseStatus.statement: "陈述申辩",
    CaseStatus.hearing: "听证",
    CaseStatus.decision_approval: "决定审批",
    CaseStatus.service: "送达",
    CaseStatus.execution: "执行",
    CaseStatus.closure_approval: "结案审批",
    CaseStatus.closed: "已结案",
    CaseStatus.archived: "已归档",
    CaseStatus.on_site: "当场处罚",
    CaseStatus.declined: "不予立案",
    CaseStatus.withdrawn: "已撤案",
    CaseStatus.transferred: "已移送",
    CaseStatus.suspended: "已中止",
}

# How a status list groups the statuses (the sections of CaseStatus): the ordinary procedure in legal order, the
# simple procedure, and the exits.
SIDE_EXITS = (CaseStatus.declined, CaseStatus.withdrawn, CaseStatus.transferred, CaseStatus.suspended)
STATUS_GROUPS = {
    status: "简易程序" if status is CaseStatus.on_site else "终止与中止" if status in SIDE_EXITS else "普通程序"
    for status in CaseStatus
}

TERMINAL = frozenset({CaseStatus.archived, CaseStatus.declined, CaseStatus.withdrawn, CaseStatus.transferred})
# Before a decision is made the case may still be withdrawn, transferred or suspended.
BEFORE_DECISION = frozenset(
    {
        CaseStatus.registered,
        CaseStatus.preliminary_check,
        CaseStatus.investigation,
        CaseStatus.case_review,
        CaseStatus.legal_review,
        CaseStatus.collective_discussion,
        CaseStatus.prior_notice,
        CaseStatus.statement,
        CaseStatus.hearing,
    }
)
# The 90-day clock (art. 60) runs from filing until a decision is made.
FILED_UNDECIDED = BEFORE_DECISION - {CaseStatus.registered, CaseStatus.preliminary_check}
APPROVAL_STAGES = frozenset({CaseStatus.filing_approval, CaseStatus.decision_approval, CaseStatus.closure_approval})


class CaseAction(StrEnum):
    start_check = "start_check"  # 开始初查
    submit_filing = "submit_filing"  # 提请立案
    decline = "decline"  # 不予立案
    approve = "approve"  # 审批同意
    reject = "reject"  # 审批退回
    end_investigation = "end_investigation"  # 调查终结
    send_legal_review = "send_legal_review"  # 提交法制审核
    pass_legal_review = "pass_legal_review"  # 法制审核通过
    fail_legal_review = "fail_legal_review"  # 法制审核不通过（退回补充调查）
    send_discussion = "send_discussion"  # 提请集体讨论
    record_discussion = "record_discussion"  # 记录集体讨论结论
    issue_notice = "issue_notice"  # 制发事先告知书
    serve_notice = "serve_notice"  # 事先告知书送达
    record_statement = "record_statement"  # 记录陈述申辩
    waive_statement = "waive_statement"  # 当事人放弃陈述申辩
    request_hearing = "request_hearing"  # 当事人要求听证
    schedule_hearing = "schedule_hearing"  # 通知听证时间地点
    record_hearing = "record_hearing"  # 听证结束（笔录）
    submit_decision = "submit_decision"  # 提请处罚决定
    submit_no_penalty = "submit_no_penalty"  # 提请不予处罚决定
    serve_decision = "serve_decision"  # 决定书送达
    deliver_on_site = "deliver_on_site"  # 当场交付（签收或拒签）
    record_payment = "record_payment"  # 登记缴款
    start_remedy = "start_remedy"  # 当事人申请复议或起诉（加处罚款暂停计算）
    end_remedy = "end_remedy"  # 复议或诉讼结束
    serve_reminder = "serve_reminder"  # 催告书送达
    apply_enforcement = "apply_enforcement"  # 申请法院强制执行
    submit_closure = "submit_closure"  # 提请结案
    archive = "archive"  # 归档
    withdraw = "withdraw"  # 撤案
    transfer_out = "transfer_out"  # 移送
    suspend = "suspend"  # 中止
    resume = "resume"  # 恢复
    extend = "extend"  # 延长办案期限


ACTION_LABELS = {
    CaseAction.start_check: "开始初查",
    CaseAction.submit_filing: "提请立案",
    CaseAction.decline: "不予立案",
    CaseAction.approve: "同意",
    CaseAction.reject: "退回",
    CaseAction.end_investigation: "调查终结",
    CaseAction.send_legal_review: "提交法制审核",
    CaseAction.pass_legal_review: "法制审核通过",
    CaseAction.fail_legal_review: "法制审核不通过",
    CaseAction.send_discussion: "提请集体讨论",
    CaseAction.record_discussion: "记录集体讨论",
    CaseAction.issue_notice: "制发事先告知书",
    CaseAction.serve_notice: "告知书已送达",
    CaseAction.record_statement: "记录陈述申辩",
    CaseAction.waive_statement: "放弃陈述申辩",
    CaseAction.request_hearing: "要求听证",
    CaseAction.schedule_hearing: "通知听证",
    CaseAction.record_hearing: "听证结束",
    CaseAction.submit_decision: "提请处罚决定",
    CaseAction.submit_no_penalty: "提请不予处罚",
    CaseAction.serve_decision: "决定书已送达",
    CaseAction.deliver_on_site: "当场交付",
    CaseAction.record_payment: "登记缴款",
    CaseAction.start_remedy: "复议或诉讼中",
    CaseAction.end_remedy: "复议或诉讼结束",
    CaseAction.serve_reminder: "催告书已送达",
    CaseAction.apply_enforcement: "申请强制执行",
    CaseAction.submit_closure: "提请结案",
    CaseAction.archive: "归档",
    CaseAction.withdraw: "撤案",
    CaseAction.transfer_out: "移送",
    CaseAction.suspend: "中止",
    CaseAction.resume: "恢复",
    CaseAction.extend: "延长办案期限",
}


class Role(StrEnum):
    """Who may take an action on a case (resolved per user and case by the service)."""

    handler = "handler"  # 承办人：the case's handling officers
    approver = "approver"  # 当前审批环节的审批人
    legal = "legal"  # 法制审核人员
    leader = "leader"  # 负责人（case:approve）
    # 收缴机构: the bank or electronic payment system that collects the fine (《行政处罚法》第六十七条: the bureau
    # that decides does not collect); given to no person, only to a verified payment channel (cases.collection)
    collector = "collector"


ROLE_LABELS = {Role.handler: "承办人", Role.approver: "审批人", Role.legal: "法制审核人员", Role.leader: "负责人",
               Role.collector: "收缴机构"}  # fmt: skip


class DecisionKind(StrEnum):
    penalty = "penalty"  # 行政处罚决定
    no_penalty = "no_penalty"  # 不予行政处罚决定（第三十三条、第五十七条）


DECISION_KIND_LABELS = {DecisionKind.penalty: "处罚决定", DecisionKind.no_penalty: "不予处罚决定"}


# The shop a case's party is or runs (商户): the register lives in ``merchants``, above cases; a case links the shop
# and shows it, and the shop's legal form decides who answers for it.


class MerchantKind(StrEnum):
    """Legal form of the business: decides who the party of a case is (the operator, or the organisation)."""

    individual_business = "individual_business"  # 个体工商户 — the operator answers as a natural person
    enterprise = "enterprise"  # 企业（法人）
    other_org = "other_org"  # 其他组织（农民专业合作社、分支机构等）


class MerchantStatus(StrEnum):
    operating = "operating"  # 营业中
    suspended = "suspended"  # 停业
    closed = "closed"  # 已注销
