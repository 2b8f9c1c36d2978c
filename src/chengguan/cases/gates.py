"""Statutory gates of the penalty case: pure checks that say why an action may not be taken now.

Each gate reads the case's facts (``CaseFacts``) and the action's input and returns ``None`` when the law lets the
action through, or a ``Refusal`` that names the article. The workflow table (workflow.py) lists which gates guard
which action; the article numbers and periods are those of 《中华人民共和国行政处罚法》（2021 年修订） unless another
law is named, checked against ../shared/reference/laws/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import clocks
from chengguan.cases.enums import DecisionKind, Procedure
from chengguan.law.assess import SIMPLE_PROCEDURE_CAP_FEN
from chengguan.law.enums import PartyType, PenaltyKind

MIN_OFFICERS = 2  # 第四十二条：执法人员不得少于两人
# 第五十八条 grounds for 法制审核 the case itself carries (the hearing ground (二) is read from the hearing).
LEGAL_REVIEW_GROUNDS = {
    "public_interest": "涉及重大公共利益（第五十八条第一款第（一）项）",
    "complex": "案件情况疑难复杂、涉及多个法律关系（第五十八条第一款第（三）项）",
    "other_law": "法律、法规规定应当进行法制审核的其他情形（第五十八条第一款第（四）项）",
}


@dataclass(frozen=True)
class Refusal:
    """Why the law does not let an action through now: a stable code and a zh-CN message naming the article."""

    code: str
    message: str


@dataclass(frozen=True)
class CaseFacts:
    """What the gates read, assembled by the service from the case (and, for an action, its input)."""

    procedure: Procedure = Procedure.ordinary
    party_type: PartyType = PartyType.individual
    certified_officers: int = 0
    # the penalty as proposed now, and as stated in the last served prior notice
    penalty_kinds: frozenset[PenaltyKind] = frozenset()
    fine_fen: int | None = None
    noticed_kinds: frozenset[PenaltyKind] | None = None
    noticed_fine_fen: int | None = None
    defense_recorded: bool = False  # the party stated or defended after the last notice
    hearing_right: bool = False  # 第六十三条: the proposed penalty carries the right to a hearing
    notice_served_on: date | None = None
    statement_days: int = 3  # 陈述申辩期（工作日，按本机关规则配置）
    statement_waived: bool = False
    hearing_requested: bool = False
    hearing_notified_on: date | None = None
    hearing_on: date | None = None
    hearing_held: bool = False
    hearing_closed: bool = False  # held, or abandoned (第六十四条第（六）项: 视为放弃)
    legal_review_grounds: frozenset[str] = frozenset()
    legal_review_passed: bool = False
    discussion_required: bool = False  # 情节复杂或者重大违法（第五十七条第二款）
    discussion_done: bool = False
    decision_kind: DecisionKind | None = None
    amount_due_fen: int = 0  # fine + late fee still owed
    remedy_running: bool = False  # 复议或诉讼期间
    reminder_served_on: date | None = None
    enforcement_applied: bool = False
    within_limitation: bool = True  # 第三十六条 (computed by clocks.limitation_ends)
    limitation_override: bool = False  # an approved, recorded reason to file anyway
    extensions: int = 0
    max_extensions: int = 1
    unreviewed_machine_evidence: int = 0  # 第四十一条: machine-recorded items not through both review levels
    open_drafts: tuple[str, ...] = ()  # documents neither sealed, signed nor voided (第四十七条: the file is final)
    # input of the action being taken
    reason: str | None = None
    signed_or_refused: bool = False  # 第五十二条：当场交付，拒绝签收的注明
    payment_fen: int | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def legal_review_required(self) -> bool:
        """第五十八条: any of the case's grounds, or a hearing that was held (第（二）项)."""
        return bool(self.legal_review_grounds) or self.hearing_held


Gate = Callable[[CaseFacts, date, WorkCalendar], Refusal | None]


def two_certified_officers(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第四十二条：行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于两人。"""
    if f.certified_officers < MIN_OFFICERS:
        return Refusal("case.gate.officers", "执法人员不得少于两人且须具有执法资格（《行政处罚法》第四十二条）")
    return None


def simple_procedure_allowed(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第五十一条：对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款或者警告的，可以当场作出决定。"""
    if f.procedure is not Procedure.simple:
        return None
    if not f.penalty_kinds or not f.penalty_kinds <= {PenaltyKind.warning, PenaltyKind.fine}:
        return Refusal("case.gate.simple_kind", "简易程序只能给予警告或者罚款（《行政处罚法》第五十一条）")
    cap = SIMPLE_PROCEDURE_CAP_FEN[f.party_type]
    if PenaltyKind.fine in f.penalty_kinds and (f.fine_fen is None or f.fine_fen > cap):
        who = "公民" if f.party_type is PartyType.individual else "法人或者其他组织"
        return Refusal(
            "case.gate.simple_cap",
            f"对{who}当场罚款不得超过 {cap // 100} 元，须适用普通程序（《行政处罚法》第五十一条）",
        )
    return None


def within_limitation(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第三十六条：违法行为在二年内未被发现的，不再给予行政处罚（涉及生命健康安全、金融安全且有危害后果的五年）。"""
    if f.within_limitation or f.limitation_override:
        return None
    return Refusal("case.gate.limitation", "违法行为已超过追责时效，不再给予行政处罚（《行政处罚法》第三十六条）")


def reason_given(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """Refusals, returns, withdrawals, transfers and suspensions carry their reason (第四十七条：全过程记录)."""
    if not (f.reason or "").strip():
        return Refusal("case.gate.reason", "请填写理由")
    return None


def notice_served_and_statement_over(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第四十四条、第四十五条、第六十二条：决定前须告知并听取陈述申辩；期满或当事人明确放弃后方可决定。"""
    if f.notice_served_on is None:
        return Refusal(
            "case.gate.notice", "行政处罚事先告知书尚未送达，不得作出处罚决定（《行政处罚法》第四十四条、第六十二条）"
        )
    if f.statement_waived:
        return None
    ends = clocks.statement_ends(f.notice_served_on, f.statement_days, cal)
    if today <= ends:
        return Refusal(
            "case.gate.statement_window",
            f"陈述申辩期至 {ends.isoformat()} 届满，期满前不得作出处罚决定（当事人明确放弃的除外；"
            "《行政处罚法》第四十五条、第六十二条）",
        )
    return None


def hearing_request_in_time(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第六十三条：拟作出较重处罚的，告知听证权利；第六十四条第（一）项：告知后五日（工作日）内提出。"""
    if not f.hearing_right:
        return Refusal(
            "case.gate.no_hearing_right", "拟作出的处罚不属于应当告知听证权利的情形（《行政处罚法》第六十三条）"
        )
    if f.notice_served_on is None:
        return Refusal("case.gate.notice", "事先告知书尚未送达")
    last = clocks.hearing_request_last_day(f.notice_served_on, cal)
    if today > last:
        return Refusal(
            "case.gate.hearing_late",
            f"听证要求应在告知后五个工作日内（{last.isoformat()} 前）提出，已逾期"
            "（《行政处罚法》第六十四条第（一）项）",
        )
    return None


def hearing_notice_period(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第六十四条第（二）项：行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点。"""
    if f.hearing_on is None or f.hearing_notified_on is None:
        return Refusal("case.gate.hearing_input", "请填写听证日期与通知日期")
    earliest = clocks.hearing_earliest_day(f.hearing_notified_on, cal)
    if f.hearing_on < earliest:
        return Refusal(
            "case.gate.hearing_notice",
            f"听证须在通知后七个工作日以后举行（最早 {earliest.isoformat()}；《行政处罚法》第六十四条第（二）项）",
        )
    return None


def hearing_scheduled(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """A hearing is recorded only once it was notified (第六十四条第（二）项) and its day has come."""
    if f.hearing_on is None:
        return Refusal("case.gate.hearing_unscheduled", "听证尚未通知时间、地点")
    if today < f.hearing_on:
        return Refusal("case.gate.hearing_future", f"听证定于 {f.hearing_on.isoformat()} 举行，尚未到期")
    return None


def hearing_closed_if_requested(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第六十五条：听证结束后，行政机关应当根据听证笔录作出决定。"""
    if f.hearing_requested and not f.hearing_closed:
        return Refusal("case.gate.hearing_pending", "当事人要求的听证尚未结束（《行政处罚法》第六十五条）")
    return None


def legal_review_if_required(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第五十八条：有该条情形的，未经法制审核或者审核未通过的，不得作出决定。"""
    if f.legal_review_required and not f.legal_review_passed:
        return Refusal("case.gate.legal_review", "本案须经法制审核且审核通过后方可作出决定（《行政处罚法》第五十八条）")
    return None


def discussion_if_required(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第五十七条第二款：对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定。"""
    if f.discussion_required and not f.discussion_done:
        return Refusal(
            "case.gate.discussion", "情节复杂或者重大违法的案件须经负责人集体讨论决定（《行政处罚法》第五十七条）"
        )
    return None


def machine_evidence_reviewed(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第四十一条第二款：电子技术监控设备记录未经审核或者经审核不符合要求的，不得作为行政处罚的证据。"""
    if f.unreviewed_machine_evidence > 0:
        return Refusal(
            "case.gate.evidence_review",
            f"本案有 {f.unreviewed_machine_evidence} 项电子技术监控设备记录的证据尚未完成技术审核和法制审核，"
            "未经审核的不得作为行政处罚的证据（《行政处罚法》第四十一条）",
        )
    return None


def penalty_as_noticed(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第四十四条：决定的处罚须是告知过的处罚；变更后须重新告知，当事人的陈述、申辩权利随之重新计算。"""
    if f.noticed_kinds is None:
        return Refusal("case.gate.notice", "行政处罚事先告知书尚未送达（《行政处罚法》第四十四条）")
    if f.penalty_kinds != f.noticed_kinds or f.fine_fen != f.noticed_fine_fen:
        return Refusal(
            "case.gate.penalty_changed", "拟处罚内容与已告知的不一致，须重新制发事先告知书（《行政处罚法》第四十四条）"
        )
    return None


def not_raised_after_defense(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第四十五条第二款：行政机关不得因当事人陈述、申辩而给予更重的处罚。"""
    if not f.defense_recorded or f.noticed_kinds is None:
        return None
    heavier_kind = not f.penalty_kinds <= f.noticed_kinds
    heavier_fine = (f.fine_fen or 0) > (f.noticed_fine_fen or 0)
    if heavier_kind or heavier_fine:
        return Refusal("case.gate.raised", "当事人陈述、申辩后不得加重处罚（《行政处罚法》第四十五条第二款）")
    return None


def signature_or_refusal(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第五十二条：当场交付当事人；当事人拒绝签收的，应当在行政处罚决定书上注明。"""
    if not f.signed_or_refused:
        return Refusal("case.gate.signature", "请记录当事人签收或拒绝签收（《行政处罚法》第五十二条）")
    return None


def payment_amount(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    if f.payment_fen is None or f.payment_fen <= 0:
        return Refusal("case.gate.payment", "缴款金额须大于 0")
    return None


def settled(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """A case closes once what it decided is carried out: nothing owed, or the court has been applied to."""
    if f.amount_due_fen > 0 and not f.enforcement_applied:
        return Refusal("case.gate.unsettled", f"尚有 {f.amount_due_fen / 100:.2f} 元未缴纳，且未申请强制执行")
    return None


def reminder_period_over(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """《行政强制法》第五十四条：催告书送达十日后当事人仍未履行的，方可申请人民法院强制执行（第六十九条：工作日）。"""
    if f.amount_due_fen <= 0:
        return Refusal("case.gate.nothing_due", "当事人已履行，无需申请强制执行")
    if f.remedy_running:
        return Refusal("case.gate.remedy", "复议或诉讼期间不申请强制执行（《行政处罚法》第七十三条）")
    if f.reminder_served_on is None:
        return Refusal("case.gate.reminder", "申请强制执行前须书面催告（《行政强制法》第三十五条、第五十四条）")
    earliest = clocks.reminder_period_ends(f.reminder_served_on, cal)
    if today <= earliest:
        return Refusal(
            "case.gate.reminder_period",
            f"催告书送达十个工作日后（{earliest.isoformat()} 以后）方可申请强制执行"
            "（《行政强制法》第五十四条、第六十九条）",
        )
    return None


def remedy_running(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    if not f.remedy_running:
        return Refusal("case.gate.no_remedy", "当前没有进行中的复议或诉讼")
    return None


def no_remedy_running(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    if f.remedy_running:
        return Refusal("case.gate.remedy_running", "已登记复议或诉讼")
    return None


def can_extend(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第六十条：法律、法规、规章另有规定的从其规定 — the extension and its length come from the bureau's rules."""
    if f.extensions >= f.max_extensions:
        return Refusal("case.gate.extension", f"办案期限最多延长 {f.max_extensions} 次")
    return None


def decision_is_penalty(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    if f.decision_kind is not DecisionKind.penalty:
        return Refusal("case.gate.no_penalty_decision", "不予处罚的案件无需执行")
    return None


def documents_finished(f: CaseFacts, today: date, cal: WorkCalendar) -> Refusal | None:
    """第四十七条: 全过程记录 — the file of a finished case is final: every document is sealed, signed by those it
    names, or voided with a reason; a draft left open could still be changed after the case is closed."""
    if f.open_drafts:
        return Refusal(
            "case.gate.open_drafts",
            f"尚有未签章、未签名也未作废的文书草稿：{'、'.join(f.open_drafts)}；请签章、签名或作废后再结案"
            "（《行政处罚法》第四十七条）",
        )
    return None


# Gates that read the action's own input: checked when the action is taken, not when listing what may be done.
NEEDS_INPUT: frozenset[Gate] = frozenset({reason_given, hearing_notice_period, signature_or_refusal, payment_amount})
