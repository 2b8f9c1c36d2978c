"""The catalogue of enforcement documents (执法文书): title, number word, legal basis and what a person may write.

Outgoing documents (书, 通知书) carry a number per bureau, kind and year (e.g. 市南区综执罚决字〔2026〕第0012号);
internal forms and records (审批表, 笔录, 报告) carry the case code instead. ``editable`` names the texts the law
leaves to a person (facts as found, opinions, records of what was said); everything else is filled from the case
and the knowledge base and cannot be edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DocumentKind(StrEnum):
    source_register = "source_register"  # 案件来源登记表
    filing_approval = "filing_approval"  # 立案审批表
    not_filing_approval = "not_filing_approval"  # 不予立案审批表
    inspection_record = "inspection_record"  # 现场检查（勘验）笔录
    inquiry_notice = "inquiry_notice"  # 询问通知书
    inquiry_record = "inquiry_record"  # 询问笔录
    evidence_list = "evidence_list"  # 证据清单
    preservation_notice = "preservation_notice"  # 先行登记保存证据通知书
    rectification_notice = "rectification_notice"  # 责令（限期）改正通知书
    investigation_report = "investigation_report"  # 案件调查终结报告
    legal_review_opinion = "legal_review_opinion"  # 法制审核意见书
    discussion_record = "discussion_record"  # 集体讨论笔录
    prior_notice = "prior_notice"  # 行政处罚事先告知书
    statement_record = "statement_record"  # 陈述申辩笔录
    hearing_notice = "hearing_notice"  # 听证通知书
    hearing_record = "hearing_record"  # 听证笔录
    decision_approval = "decision_approval"  # 行政处罚决定审批表
    penalty_decision = "penalty_decision"  # 行政处罚决定书
    on_site_decision = "on_site_decision"  # 当场行政处罚决定书
    no_penalty_decision = "no_penalty_decision"  # 不予行政处罚决定书
    service_receipt = "service_receipt"  # 送达回证
    e_service_consent = "e_service_consent"  # 电子送达确认书
    payment_reminder = "payment_reminder"  # 催告书（加处罚款）
    transfer_letter = "transfer_letter"  # 案件移送书
    closure_approval = "closure_approval"  # 结案审批表
    file_catalogue = "file_catalogue"  # 案卷目录


FIELD_LABELS: dict[str, str] = {
    "source_note": "来源情况",
    "filing_reason": "立案理由",
    "decline_reason": "不予立案理由",
    "record": "笔录内容",
    "inquiry_place": "询问地点",
    "items": "登记保存物品",
    "order": "责令改正内容",
    "findings": "调查结论",
    "opinion": "意见",
    "hearing_place": "听证地点",
    "reason": "理由",
    "summary": "结案情况",
}


@dataclass(frozen=True)
class KindInfo:
    kind: DocumentKind
    title: str
    word: str | None  # the number's 字 ("罚决"), None for internal forms
    basis: str  # the article the document serves
    editable: tuple[str, ...] = ()  # field keys a person writes
    order: int = 0  # place in the 案卷 (archive order)


K = DocumentKind
CATALOGUE: dict[DocumentKind, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo(K.source_register, "案件来源登记表", None, "《行政处罚法》第五十四条", ("source_note",), 10),
        KindInfo(K.filing_approval, "立案审批表", None, "《行政处罚法》第五十四条", ("filing_reason",), 20),
        KindInfo(K.not_filing_approval, "不予立案审批表", None, "《行政处罚法》第五十四条", ("decline_reason",), 21),
        KindInfo(K.inspection_record, "现场检查（勘验）笔录", None, "《行政处罚法》第五十五条", ("record",), 30),
        KindInfo(K.inquiry_notice, "询问通知书", "询通", "《行政处罚法》第五十五条", ("inquiry_place",), 31),
        KindInfo(K.inquiry_record, "询问笔录", None, "《行政处罚法》第五十五条", ("record",), 32),
        KindInfo(K.evidence_list, "证据清单", None, "《行政处罚法》第四十六条", (), 33),
        KindInfo(K.preservation_notice, "先行登记保存证据通知书", "登存", "《行政处罚法》第五十六条", ("items",), 34),
        KindInfo(K.rectification_notice, "责令（限期）改正通知书", "责改", "《行政处罚法》第二十八条", ("order",), 35),
        KindInfo(K.investigation_report, "案件调查终结报告", None, "《行政处罚法》第五十七条", ("findings",), 40),
        KindInfo(K.legal_review_opinion, "法制审核意见书", None, "《行政处罚法》第五十八条", ("opinion",), 41),
        KindInfo(K.discussion_record, "集体讨论笔录", None, "《行政处罚法》第五十七条", ("record",), 42),
        KindInfo(K.prior_notice, "行政处罚事先告知书", "罚告", "《行政处罚法》第四十四条、第四十五条", (), 50),
        KindInfo(K.statement_record, "陈述申辩笔录", None, "《行政处罚法》第四十五条", ("record",), 51),
        KindInfo(K.hearing_notice, "听证通知书", "听通", "《行政处罚法》第六十四条", ("hearing_place",), 52),
        KindInfo(K.hearing_record, "听证笔录", None, "《行政处罚法》第六十四条", ("record",), 53),
        KindInfo(K.decision_approval, "行政处罚决定审批表", None, "《行政处罚法》第五十七条", ("opinion",), 60),
        KindInfo(K.penalty_decision, "行政处罚决定书", "罚决", "《行政处罚法》第五十九条", (), 61),
        KindInfo(K.on_site_decision, "当场行政处罚决定书", "当罚", "《行政处罚法》第五十二条", (), 62),
        KindInfo(K.no_penalty_decision, "不予行政处罚决定书", "不罚", "《行政处罚法》第五十七条", ("reason",), 63),
        KindInfo(K.e_service_consent, "电子送达确认书", None, "《行政处罚法》第六十一条第二款", (), 70),
        KindInfo(K.service_receipt, "送达回证", None, "《行政处罚法》第六十一条", (), 71),
        KindInfo(K.payment_reminder, "催告书", "催告", "《行政处罚法》第七十二条；《行政强制法》第三十五条", (), 80),
        KindInfo(K.transfer_letter, "案件移送书", "移送", "《行政处罚法》第二十七条", ("reason",), 85),
        KindInfo(K.closure_approval, "结案审批表", None, "《行政处罚法》第五十七条", ("summary",), 90),
        KindInfo(K.file_catalogue, "案卷目录", None, "《行政处罚法》第四十七条", (), 0),
    )
}

# Who signs each document by hand (the builders' signature slots; a test keeps the two in step). The on-the-spot
# decision is signed by the officers (art. 52 第二款) and handed to the party, who signs for it or whose refusal is
# noted (art. 52 第一款). Officers also sign the forms and the 笔录 they make (art. 55 第二款: inquiries and
# inspections are recorded); the party signs the records of what was found or said and the notices handed over.
# The 电子送达确认书 carries the signature the party drew when consenting (art. 61 第二款).
OFFICER_SIGNED = frozenset({
    K.source_register, K.filing_approval, K.not_filing_approval, K.inspection_record, K.inquiry_record,
    K.evidence_list, K.preservation_notice, K.rectification_notice, K.investigation_report, K.statement_record,
    K.decision_approval, K.on_site_decision, K.closure_approval,
})  # fmt: skip
PARTY_SIGNED = frozenset({
    K.inspection_record, K.inquiry_record, K.preservation_notice, K.rectification_notice, K.prior_notice,
    K.statement_record, K.hearing_record, K.on_site_decision,
})  # fmt: skip


def signers(kind: DocumentKind) -> tuple[str, ...]:
    """The roles that sign ``kind`` by hand through the platform: "officer", "party" (in that order)."""
    return tuple(role for role, kinds in (("officer", OFFICER_SIGNED), ("party", PARTY_SIGNED)) if kind in kinds)
