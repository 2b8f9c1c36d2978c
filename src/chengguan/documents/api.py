"""HTTP routes of documents: a case's documents, what can be generated now, generate, write, download."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Response

from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.documents import service
from chengguan.documents.enums import DocumentStatus
from chengguan.documents.kinds import CATALOGUE, DocumentKind
from chengguan.documents.models import Document
from chengguan.documents.schemas import DocumentItem, DocumentList, FieldsIn, GenerateIn, KindOption
from chengguan.identity.dependencies import SessionDep, SettingsDep, require
from chengguan.identity.principals import StaffPrincipal

router = APIRouter(tags=["执法文书"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("case:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("case:write"))]
CaseId = Annotated[uuid.UUID, Path(description="案件 id")]
DocId = Annotated[uuid.UUID, Path(description="文书 id")]


def item(doc: Document) -> DocumentItem:
    return DocumentItem(
        id=doc.id,
        kind=doc.kind,
        title=doc.title,
        document_no=doc.document_no,
        status=doc.status,
        sealed=doc.status is DocumentStatus.sealed,
        download_url=f"/api/v1/documents/{doc.id}.pdf",
        fields=doc.fields or {},
        editable=list(CATALOGUE[DocumentKind(doc.kind)].editable),
        sealed_at=doc.sealed_at,
        sealed_by_name=doc.sealed_by_name,
        created_by_name=doc.created_by_name,
        created_at=doc.created_at,
        updated_at=doc.updated_at,
        version=doc.version,
    )


@router.get("/cases/{case_id}/documents", summary="案件的执法文书")
def case_documents(case_id: CaseId, session: SessionDep, principal: Reader) -> DocumentList:
    return DocumentList(items=[item(d) for d in service.of_case(session, principal, case_id)])


@router.get("/cases/{case_id}/document-kinds", summary="本案现在可以制作的文书")
def document_kinds(case_id: CaseId, session: SessionDep, principal: Reader) -> list[KindOption]:
    from chengguan.cases.service import load as load_case

    case = load_case(session, case_id, principal)
    out = []
    for kind, info in sorted(CATALOGUE.items(), key=lambda kv: kv[1].order):
        reason = service.refusal(kind, case)
        out.append(KindOption(kind=kind.value, title=info.title, numbered=info.word is not None, basis=info.basis,
                              editable=list(info.editable), available=reason is None, reason=reason))  # fmt: skip
    return out


@router.post("/cases/{case_id}/documents", status_code=201, summary="生成（或刷新）文书草稿")
def generate_document(
    case_id: CaseId, body: GenerateIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DocumentItem:
    return item(service.generate(session, principal, settings, case_id, body.kind, body.fields))


@router.put("/documents/{document_id}/fields", summary="填写文书中由承办人撰写的内容（草稿）")
def write_fields(
    document_id: DocId, body: FieldsIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DocumentItem:
    doc = service.load(session, principal, document_id)
    return item(service.generate(session, principal, settings, doc.case_id, DocumentKind(doc.kind), body.fields))


@router.get(
    "/documents/{document_id}.pdf",
    summary="下载文书 PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def document_pdf(document_id: DocId, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    doc = service.load(session, principal, document_id)
    name = quote(service.file_name(doc))
    return Response(
        service.pdf_bytes(settings, doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}", "Cache-Control": "no-store"},
    )


@router.get("/documents/{document_id}", summary="文书详情")
def get_document(document_id: DocId, session: SessionDep, principal: Reader) -> DocumentItem:
    return item(service.load(session, principal, document_id))
