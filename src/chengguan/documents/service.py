"""Document use cases: generate a case's document from its record (numbered once, re-rendered while a draft),
let a person write the texts the law leaves to them, and hand out the PDF. Sealing and delivery build on these."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.enums import CaseStatus, DecisionKind, Procedure
from chengguan.cases.models import Case
from chengguan.cases.service import load as load_case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, NotFound, field_error
from chengguan.documents.builders import build
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.gather import gather
from chengguan.documents.kinds import CATALOGUE, DocumentKind
from chengguan.documents.models import Document
from chengguan.documents.numbering import issuing_bureau, next_number
from chengguan.documents.pdf import render_pdf
from chengguan.evidence.store import LocalBlobStore
from chengguan.identity.principals import StaffPrincipal

K = DocumentKind


def blob_store(settings: Settings) -> LocalBlobStore:
    """Where document files and evidence live: content-addressed under ``CHENGGUAN_DATA_DIR/blobs``."""
    return LocalBlobStore(Path(settings.data_dir) / "blobs")


def refusal(kind: DocumentKind, case: Case) -> str | None:
    """Why this document cannot be made for the case now (None: it can) — each decision document only for the
    decision the case took (arts. 52, 57, 59), a reminder only while a fine is owed (art. 72)."""
    decided = case.decision_kind
    if kind is K.on_site_decision and case.procedure is not Procedure.simple:
        return "当场行政处罚决定书仅适用于简易程序（第五十一条、第五十二条）"
    if kind is K.penalty_decision and (case.procedure is not Procedure.ordinary or decided is not DecisionKind.penalty):
        return "案件尚未提请作出行政处罚决定"
    if kind is K.no_penalty_decision and decided is not DecisionKind.no_penalty:
        return "案件未提请作出不予行政处罚决定"
    if kind is K.transfer_letter and case.status is not CaseStatus.transferred:
        return "案件未移送"
    if kind is K.payment_reminder and (case.payment_due_on is None or case.status is not CaseStatus.execution):
        return "决定书送达、缴款期限届满后方可催告（第七十二条）"
    if kind in (K.hearing_notice, K.hearing_record) and not case.hearing_requested:
        return "当事人未要求听证"
    return None


def verify_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/verify/{token}"


def _render(session: Session, settings: Settings, case: Case, doc: Document) -> None:
    ctx = gather(session, case, settings, doc.fields)
    data = render_pdf(build(K(doc.kind), ctx, doc.document_no, verify_url(settings, doc.verify_token)))
    doc.pdf_sha256 = blob_store(settings).put(data).sha256


def generate(
    session: Session,
    principal: StaffPrincipal,
    settings: Settings,
    case_id: uuid.UUID,
    kind: DocumentKind,
    fields: dict[str, str] | None = None,
) -> Document:
    """Make (or refresh) the case's draft of ``kind``: numbered on first generation, filled from the record."""
    case = load_case(session, case_id, principal)
    reason = refusal(kind, case)
    if reason:
        raise Conflict(reason, code="document.not_applicable")
    written = _clean_fields(kind, fields or {})
    doc = session.scalars(
        select(Document).where(Document.case_id == case.id, Document.kind == kind.value)
        .order_by(Document.created_at.desc())
    ).first()  # fmt: skip
    if doc is not None and doc.status is DocumentStatus.sealed:
        raise Conflict("该文书已签章，不能再修改", code="document.sealed")
    if doc is None:
        info = CATALOGUE[kind]
        bureau = issuing_bureau(session, case.unit_id)
        doc = Document(
            case_id=case.id,
            kind=kind.value,
            title=info.title,
            document_no=next_number(session, bureau, info.word, clock.local_now().year) if info.word else None,
            status=DocumentStatus.draft,
            fields=written,
            unit_id=bureau.id,
            verify_token=secrets.token_urlsafe(18),
            created_by_name=principal.display_name,
        )
        session.add(doc)
        session.flush()
    elif fields is not None:
        doc.fields = {**doc.fields, **written}
    _render(session, settings, case, doc)
    doc.updated_at = clock.now()
    session.flush()
    return doc


def _clean_fields(kind: DocumentKind, fields: dict[str, str]) -> dict[str, str]:
    """Only the texts the law leaves to a person may be written (kinds.editable); the rest comes from the record."""
    allowed = set(CATALOGUE[kind].editable)
    locked = sorted(set(fields) - allowed)
    if locked:
        raise field_error(
            "fields", f"以下内容来自案件记录，不能在文书中修改：{'、'.join(locked)}", code="document.locked_field"
        )
    return {k: str(v)[:8000] for k, v in fields.items()}


def load(session: Session, principal: StaffPrincipal, document_id: uuid.UUID) -> Document:
    """A document whose case the principal may read; 404 otherwise."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("文书不存在或不在您的数据权限范围内")
    load_case(session, doc.case_id, principal)
    return doc


def of_case(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> list[Document]:
    case = load_case(session, case_id, principal)
    docs = session.scalars(select(Document).where(Document.case_id == case.id))
    return sorted(docs, key=lambda d: (CATALOGUE[K(d.kind)].order, d.created_at))


def pdf_bytes(settings: Settings, doc: Document) -> bytes:
    if doc.pdf_sha256 is None:
        raise NotFound("文书文件尚未生成")
    return blob_store(settings).get(doc.pdf_sha256)


def file_name(doc: Document) -> str:
    stamp = (doc.sealed_at or doc.updated_at or datetime.now()).strftime("%Y%m%d")
    return f"{doc.title}-{doc.document_no or stamp}.pdf"
