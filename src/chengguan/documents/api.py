"""HTTP routes of documents: a case's documents, what can be generated now, generate, write, download."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Response
from sqlalchemy.orm import Session

from chengguan.cases.repository import load as load_case
from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.documents import archive, sealing, service, signatures, voiding
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.kinds import CATALOGUE, FIELD_LABELS, DocumentKind, signers
from chengguan.documents.models import CaseArchive, Document, DocumentSignature
from chengguan.documents.schemas import (
    ArchiveOut,
    DocumentItem,
    DocumentList,
    FieldsIn,
    GenerateIn,
    HandSignature,
    KindOption,
    SealIn,
    SignIn,
    VoidIn,
)
from chengguan.evidence.store import blob_store
from chengguan.kit.media import MEDIA_RESPONSES, NOSNIFF

router = APIRouter(tags=["执法文书"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("case:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("case:write"))]
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CaseId = Annotated[uuid.UUID, Path(description="案件 id")]
DocId = Annotated[uuid.UUID, Path(description="文书 id")]


def hand_signature(row: DocumentSignature) -> HandSignature:
    return HandSignature(
        slot=row.slot,
        role=signatures.role_of(row.slot),
        signer_name=row.signer_name,
        signed_at=row.signed_at,
        recorded_by_name=row.recorded_by_name,
    )


def item(doc: Document, deliveries: int = 0, signed: list[DocumentSignature] | None = None) -> DocumentItem:
    editable = CATALOGUE[DocumentKind(doc.kind)].editable
    return DocumentItem(
        id=doc.id,
        kind=doc.kind,
        title=doc.title,
        document_no=doc.document_no,
        status=doc.status,
        sealed=doc.status is DocumentStatus.sealed,
        download_url=f"/api/v1/documents/{doc.id}.pdf",
        fields=doc.fields or {},
        editable=list(editable),
        field_labels={key: FIELD_LABELS.get(key, key) for key in editable},
        sealed_at=doc.sealed_at,
        sealed_by_name=doc.sealed_by_name,
        algorithm=doc.algorithm,
        verify_url=f"/verify/{doc.verify_token}",
        docx_url=f"/api/v1/documents/{doc.id}.docx",
        deliveries_count=deliveries,
        signers=list(signers(DocumentKind(doc.kind))),
        signatures=[hand_signature(s) for s in signed or []],
        created_by_name=doc.created_by_name,
        voided_at=doc.voided_at,
        voided_by_name=doc.voided_by_name,
        void_reason=doc.void_reason,
        created_at=doc.created_at,
        updated_at=doc.updated_at,
        version=doc.version,
    )


@router.get("/cases/{case_id}/documents", summary="案件的执法文书")
def case_documents(case_id: CaseId, session: SessionDep, principal: Reader) -> DocumentList:
    docs = service.of_case(session, principal, case_id)
    counts = service.delivery_counts(session, [d.id for d in docs])
    signed = signatures.of_documents(session, [d.id for d in docs])
    return DocumentList(items=[item(d, counts.get(d.id, 0), signed.get(d.id)) for d in docs])


@router.get("/cases/{case_id}/document-kinds", summary="本案现在可以制作的文书")
def document_kinds(case_id: CaseId, session: SessionDep, principal: Reader) -> list[KindOption]:
    case = load_case(session, case_id, principal)
    out = []
    for kind, info in sorted(CATALOGUE.items(), key=lambda kv: kv[1].order):
        reason = service.refusal(kind, case)
        out.append(KindOption(kind=kind.value, title=info.title, numbered=info.word is not None, basis=info.basis,
                              editable=list(info.editable), available=reason is None, reason=reason,
                              field_labels={k: FIELD_LABELS.get(k, k) for k in info.editable}))  # fmt: skip
    return out


@router.post("/cases/{case_id}/documents", status_code=201, summary="生成（或刷新）文书草稿")
def generate_document(
    case_id: CaseId, body: GenerateIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DocumentItem:
    return full_item(session, service.generate(session, principal, settings, case_id, body.kind, body.fields))


@router.put("/documents/{document_id}/fields", summary="填写文书中由承办人撰写的内容（草稿）")
def write_fields(
    document_id: DocId, body: FieldsIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DocumentItem:
    doc = service.load(session, principal, document_id)
    return full_item(
        session, service.generate(session, principal, settings, doc.case_id, DocumentKind(doc.kind), body.fields)
    )


@router.get(
    "/documents/{document_id}.pdf",
    summary="下载文书 PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@writes_on_read  # audited download
def document_pdf(document_id: DocId, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    doc = service.load(session, principal, document_id)
    name = quote(service.file_name(doc))
    data = service.pdf_bytes(session, settings, doc)
    service.record_download(session, principal, doc, "pdf", data)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}", "Cache-Control": "no-store", **NOSNIFF},
    )


@router.get(
    "/documents/{document_id}.docx",
    summary="下载文书 Word 版（可编辑副本，不含电子签章）",
    response_class=Response,
    responses={200: {"content": {DOCX_MIME: {}}}},
)
@writes_on_read  # audited download
def document_docx(document_id: DocId, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    doc = service.load(session, principal, document_id)
    name = quote(service.file_name(doc, "docx"))
    data = service.docx_bytes(session, settings, principal, doc)
    service.record_download(session, principal, doc, "docx", data)
    return Response(
        data,
        media_type=DOCX_MIME,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}", "Cache-Control": "no-store", **NOSNIFF},
    )


@router.post("/documents/{document_id}/seal", summary="电子签章（第五十九条：加盖作出决定的行政机关印章）")
def seal_document(
    document_id: DocId, body: SealIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DocumentItem:
    return full_item(session, sealing.seal(session, principal, settings, document_id, body.algorithm))


@router.post("/documents/{document_id}/void", summary="作废文书草稿（保留文号，注明理由）")
def void_document(
    document_id: DocId, body: VoidIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DocumentItem:
    return full_item(session, voiding.void(session, principal, settings, document_id, body.reason))


@router.post(
    "/documents/{document_id}/signatures",
    summary="手写签名（执法人员本人或当事人；第五十二条：当场处罚决定书由执法人员签名、当事人签收）",
    responses=MEDIA_RESPONSES,
)
def sign_document(
    document_id: DocId, body: SignIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DocumentItem:
    doc = signatures.sign(session, principal, settings, document_id, body.role, body.signature, body.signer_name)
    return full_item(session, doc)


@router.get("/documents/{document_id}", summary="文书详情")
def get_document(document_id: DocId, session: SessionDep, principal: Reader) -> DocumentItem:
    return full_item(session, service.load(session, principal, document_id))


def full_item(session: Session, doc: Document) -> DocumentItem:
    """One document with its deliveries counted and its handwritten signatures."""
    deliveries = service.delivery_counts(session, [doc.id]).get(doc.id, 0)
    return item(doc, deliveries, signatures.of_documents(session, [doc.id]).get(doc.id))


def archive_out(row: CaseArchive) -> ArchiveOut:
    return ArchiveOut(sha256=row.sha256, size=row.size, files=len(row.manifest.get("files", [])),
                      created_at=row.created_at, created_by_name=row.created_by_name,
                      download_url=f"/api/v1/cases/{row.case_id}/archive.zip")  # fmt: skip


@router.get("/cases/{case_id}/archive", summary="案卷（结案时自动生成）")
def case_archive(case_id: CaseId, session: SessionDep, settings: SettingsDep, principal: Reader) -> ArchiveOut:
    return archive_out(archive.of_case(session, principal, settings, case_id))


@router.post("/cases/{case_id}/archive", summary="重新生成案卷（第四十七条：全过程记录归档）")
def make_archive(case_id: CaseId, session: SessionDep, settings: SettingsDep, principal: Writer) -> ArchiveOut:
    return archive_out(archive.assemble(session, principal, settings, case_id))


@router.get(
    "/cases/{case_id}/archive.zip",
    summary="下载案卷 ZIP（目录、文书、证据及摘要清单）",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
@writes_on_read  # audited download
def archive_zip(case_id: CaseId, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    row = archive.of_case(session, principal, settings, case_id)
    name = quote(f"案卷-{row.manifest['case']['code']}.zip")
    data = blob_store(settings).get(row.sha256)
    archive.record_download(session, principal, row)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}", "Cache-Control": "no-store", **NOSNIFF},
    )
