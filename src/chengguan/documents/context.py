"""Everything a document template may print, as plain values gathered from the case (``gather.py`` fills it).

Builders read only this; so a template can be rendered for any case in a test without a database, and what a
document says is exactly what the case record says on the day it was generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Party:
    type: str  # individual | organization
    name: str
    id_no: str | None
    address: str | None
    phone: str | None
    representative: str | None

    @property
    def id_label(self) -> str:
        return "公民身份号码" if self.type == "individual" else "统一社会信用代码"


@dataclass(frozen=True)
class OfficerRef:
    name: str
    certificate_no: str
    id: str = ""  # the officer's id: the key of their handwritten signature in ``DocContext.signatures``


@dataclass(frozen=True)
class Handwritten:
    """A handwritten signature on this document: the PNG drawn on the phone or tablet and the day it was drawn."""

    png: bytes
    on: date


@dataclass(frozen=True)
class EvidenceRef:
    no: int
    title: str
    kind: str  # label: 照片/视频/录音/文件
    captured: str  # "2026年3月5日 10:32"
    collector: str
    digest: str  # the SHA-256 prefix that ties the list to the ledger


@dataclass(frozen=True)
class ApprovalRef:
    stage: str
    step: str
    user: str
    approved: bool
    opinion: str
    at: str


@dataclass(frozen=True)
class Remedy:
    """Where and within how long the party may seek review or sue (art. 59 (五), art. 52).

    The periods are deployment settings (``CHENGGUAN_REVIEW_DAYS``, ``CHENGGUAN_LITIGATION_MONTHS``): the Administrative
    Reconsideration and Administrative Litigation Laws that fix them are not among the reference texts shipped here.
    """

    review_body: str  # e.g. 市南区人民政府
    review_days: int
    court: str  # e.g. 市南区人民法院
    litigation_months: int


@dataclass(frozen=True)
class DocContext:
    case_id: str
    case_code: str
    authority: str  # the issuing bureau's full name
    unit_name: str  # the handling squad
    party: Party
    matter_name: str
    facts: str
    place: str
    act_on: date
    violated: tuple[str, ...]  # "《中华人民共和国大气污染防治法》第八十一条第三款"
    penalty_basis: tuple[str, ...]
    penalty_kinds: tuple[str, ...]  # labels
    fine_fen: int | None
    penalty_reasoning: str
    officers: tuple[OfficerRef, ...]
    evidence: tuple[EvidenceRef, ...]
    approvals: tuple[ApprovalRef, ...]
    remedy: Remedy
    payment_account: str  # where fines are paid (art. 67: the bank, not the bureau)
    issued_on: date  # the day the document is generated (printed date)
    procedure: str  # simple | ordinary
    source_note: str = ""
    filed_on: date | None = None
    notice_served_on: date | None = None
    statement_days: int = 3
    hearing_right: bool = False
    hearing_on: date | None = None
    decided_on: date | None = None
    decision_no: str | None = None  # the decision's number, for notices that refer to it
    decision_served_on: date | None = None
    payment_due_on: date | None = None
    amount_due_fen: int = 0
    late_fee_fen: int = 0
    paid_fen: int = 0
    transfer_to: str = ""
    defense: str = ""  # what the party said (陈述申辩要点)
    discussion: str = ""
    consent_phone: str = ""
    services: tuple[tuple[str, str, str, str], ...] = ()  # (document, method, time, recipient) served so far
    documents: tuple[tuple[str, str, str], ...] = ()
    # handwritten signatures by slot: "officer:<officer id>" for each officer, "party" for the party
    signatures: dict[str, Handwritten] = field(default_factory=dict)  # (title, number, date) for the 案卷目录
    fields: dict[str, str] = field(default_factory=dict)  # the texts a person wrote (kinds.editable)

    @property
    def facts_of_party(self) -> str:
        """The facts as they follow "当事人" in a sentence: facts are often written "当事人某某于……", which would
        otherwise read "当事人当事人某某"; the final stop is the sentence's."""
        return self.facts.strip().removeprefix("当事人").rstrip("。")

    @property
    def facts_of_you(self) -> str:
        """The facts as they follow "你（单位）" in a notice addressed to the party: without 当事人 or its name."""
        return self.facts_of_party.removeprefix(self.party.name)
