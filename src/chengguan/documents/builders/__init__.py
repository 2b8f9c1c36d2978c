"""Document templates: one builder per kind, from a ``DocContext`` to a ``DocumentSpec`` (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Callable

from chengguan.documents.builders import decision, filing, review
from chengguan.documents.builders.common import spec
from chengguan.documents.context import DocContext
from chengguan.documents.kinds import DocumentKind
from chengguan.documents.layout import Block, DocumentSpec

K = DocumentKind
BUILDERS: dict[DocumentKind, Callable[[DocContext], list[Block]]] = {
    K.source_register: filing.source_register,
    K.filing_approval: filing.filing_approval,
    K.not_filing_approval: filing.not_filing_approval,
    K.inspection_record: filing.inspection_record,
    K.inquiry_notice: filing.inquiry_notice,
    K.inquiry_record: filing.inquiry_record,
    K.evidence_list: filing.evidence_list,
    K.preservation_notice: filing.preservation_notice,
    K.rectification_notice: filing.rectification_notice,
    K.investigation_report: review.investigation_report,
    K.legal_review_opinion: review.legal_review_opinion,
    K.discussion_record: review.discussion_record,
    K.prior_notice: review.prior_notice,
    K.statement_record: review.statement_record,
    K.hearing_notice: review.hearing_notice,
    K.hearing_record: review.hearing_record,
    K.decision_approval: review.decision_approval,
    K.penalty_decision: decision.penalty_decision,
    K.on_site_decision: decision.on_site_decision,
    K.no_penalty_decision: decision.no_penalty_decision,
    K.service_receipt: decision.service_receipt,
    K.e_service_consent: decision.e_service_consent,
    K.payment_reminder: decision.payment_reminder,
    K.transfer_letter: decision.transfer_letter,
    K.closure_approval: decision.closure_approval,
    K.file_catalogue: decision.file_catalogue,
}
# Internal forms and records are not sealed by the bureau: they are signed by the people who made them.
SEALED = frozenset({
    K.inquiry_notice, K.preservation_notice, K.rectification_notice, K.prior_notice, K.hearing_notice,
    K.penalty_decision, K.on_site_decision, K.no_penalty_decision, K.service_receipt, K.e_service_consent,
    K.payment_reminder, K.transfer_letter,
})  # fmt: skip
FOOTERS = {K.penalty_decision: "本决定书一式两份，一份送达当事人，一份存档。",
           K.on_site_decision: "本决定书一式两份，一份当场交付当事人，一份报所属行政机关备案。"}  # fmt: skip


def build(kind: DocumentKind, ctx: DocContext, document_no: str | None, verify_url: str | None) -> DocumentSpec:
    """The document of ``kind`` for the case in ``ctx``."""
    return spec(
        ctx, kind, BUILDERS[kind](ctx), document_no, verify_url=verify_url, sealed=kind in SEALED,
        footer=FOOTERS.get(kind),
    )  # fmt: skip
