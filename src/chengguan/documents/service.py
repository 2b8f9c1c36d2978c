"""Document use cases: generate a case's document from its record (numbered once, re-rendered while a draft),
let a person write the texts the law leaves to them, and hand out the PDF. Sealing and delivery build on these."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.cases import hooks
from chengguan.cases.enums import CaseStatus, DecisionKind, Procedure
from chengguan.cases.models import Case
from chengguan.cases.repository import load as load_case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.documents.builders import build
from chengguan.documents.docx import render_docx
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.gather import gather
from chengguan.documents.kinds import CATALOGUE, DocumentKind
from chengguan.documents.models import Delivery, Document, DocumentSignature
from chengguan.documents.numbering import issuing_bureau, next_number
from chengguan.documents.pdf import render_pdf
from chengguan.evidence.store import blob_store

K = DocumentKind


def refusal(kind: DocumentKind, case: Case, *, history: bool = False) -> str | None:
    """Why this document cannot be made for the case now (None: it can) — nothing once the file is archived
    (第四十七条), each decision document only for the
    decision the case took (arts. 52, 57, 59), a reminder only while a fine is owed (art. 72)."""
    decided = case.decision_kind
    # ``history``: the record of an archived case being rebuilt as it happened (demo data), not a new document
    if case.status is CaseStatus.archived and not history and kind not in (K.evidence_list, K.file_catalogue):
        return "案件已归档，案卷不能再增加或修改文书"
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


def render(session: Session, settings: Settings, case: Case, doc: Document) -> None:
    """Re-render the document from the case record as it is now; the file goes to the blob store."""
    ctx = gather(session, case, settings, doc.fields, document=doc)
    spec = build(K(doc.kind), ctx, doc.document_no, verify_url(settings, doc.verify_token))
    if doc.status is DocumentStatus.voided:
        spec = dataclasses.replace(spec, stamp="作 废")
    data = render_pdf(spec)
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
    return generate_for(session, settings, load_case(session, case_id, principal), kind, fields, principal.display_name)


def generate_for(
    session: Session,
    settings: Settings,
    case: Case,
    kind: DocumentKind,
    fields: dict[str, str] | None,
    by: str,
    *,
    render_now: bool = True,
    history: bool = False,
) -> Document:
    """``generate`` for a case already loaded (and readable by whoever acts, named ``by``); ``render_now=False``
    leaves the draft's file to be rendered when first asked for (bulk loads)."""
    reason = refusal(kind, case, history=history)
    if reason:
        raise Conflict(reason, code="document.not_applicable")
    written = _clean_fields(kind, fields or {})
    doc = session.scalars(
        select(Document).where(Document.case_id == case.id, Document.kind == kind.value)
        .where(Document.status != DocumentStatus.voided)  # a voided draft stays as it was; a new one is made
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
            created_by_name=by,
        )
        session.add(doc)
        session.flush()
    elif fields is not None:
        merged = {**doc.fields, **written}
        if merged != doc.fields and _signed(session, doc):
            raise Conflict("文书已有手写签名，签名确认的内容不能再修改", code="document.signed")
        doc.fields = merged
    if render_now:
        render(session, settings, case, doc)
    else:
        doc.pdf_sha256 = None
    doc.updated_at = clock.now()
    session.flush()
    return doc


def _signed(session: Session, doc: Document) -> bool:
    return bool(session.scalar(select(exists().where(DocumentSignature.document_id == doc.id))))


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
    try:
        load_case(session, doc.case_id, principal)
    except NotFound as exc:
        if exc.audit_note is not None:  # the log names the document asked for, not only its case
            exc.noting(exc.audit_note.about("document", doc.id, doc.document_no or doc.kind))
        raise
    return doc


def of_case(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> list[Document]:
    case = load_case(session, case_id, principal)
    docs = session.scalars(select(Document).where(Document.case_id == case.id))
    return sorted(docs, key=lambda d: (CATALOGUE[K(d.kind)].order, d.created_at))


def pdf_bytes(session: Session, settings: Settings, doc: Document) -> bytes:
    """The document's file; a draft not rendered yet is rendered from the record now."""
    if doc.pdf_sha256 is None:
        if doc.status is DocumentStatus.sealed:
            raise NotFound("文书文件缺失")
        case = session.get(Case, doc.case_id)
        assert case is not None
        render(session, settings, case, doc)
        session.flush()
    assert doc.pdf_sha256 is not None
    return blob_store(settings).get(doc.pdf_sha256)


def file_name(doc: Document, ext: str = "pdf") -> str:
    stamp = (doc.sealed_at or doc.updated_at or datetime.now()).strftime("%Y%m%d")
    return f"{doc.title}-{doc.document_no or stamp}.{ext}"


def record_download(session: Session, principal: StaffPrincipal, doc: Document, kind: str, data: bytes) -> None:
    """文书下载 in the audit log: which document, in which form, the digest of the bytes handed out."""
    events.download(session, principal, "document", doc.id, doc.document_no or doc.title, format=kind,
                    case_id=str(doc.case_id), status=doc.status, sha256=hashlib.sha256(data).hexdigest())  # fmt: skip


def docx_bytes(session: Session, settings: Settings, principal: StaffPrincipal, doc: Document) -> bytes:
    """The document as Word, rendered from the record now (an editable copy: the sealed PDF is the original)."""
    case = load_case(session, doc.case_id, principal)
    ctx = gather(session, case, settings, doc.fields, document=doc)
    return render_docx(build(K(doc.kind), ctx, doc.document_no, verify_url(settings, doc.verify_token)))


def delivery_counts(session: Session, document_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not document_ids:
        return {}
    rows = session.execute(
        select(Delivery.document_id, func.count()).where(Delivery.document_id.in_(document_ids))
        .group_by(Delivery.document_id)
    )  # fmt: skip
    return {doc_id: n for doc_id, n in rows}


@hooks.contributes("documents")
def _case_facts(session: Session, case: Case) -> dict[str, object]:
    """The drafts a case still holds open — neither sealed, signed nor voided (the closure gate of 第四十七条). The
    file's indexes (证据清单, 案卷目录) are made anew whenever the file is exported, so they never hold it open."""
    signed = exists().where(DocumentSignature.document_id == Document.id)
    indexes = [K.evidence_list.value, K.file_catalogue.value]
    titles = session.scalars(
        select(Document.title)
        .where(Document.case_id == case.id, Document.status == DocumentStatus.draft, ~signed)
        .where(Document.kind.not_in(indexes))
        .order_by(Document.created_at)
    )
    return {"open_drafts": tuple(titles)}
