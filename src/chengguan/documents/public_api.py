"""Public routes (no login): the verification page behind every document's QR code, and the party's service link."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Request, Response, UploadFile

from chengguan.core.access import SessionDep, SettingsDep, client_ip, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES, NotFound, Unprocessable
from chengguan.documents import delivery, sealing, service, verifiers
from chengguan.documents.models import Document
from chengguan.documents.schemas import FileCheck, PartyDelivery, PublicDocument, ReceiptIn, SignatureOut
from chengguan.kit.media import MEDIA_RESPONSES, NOSNIFF
from chengguan.org.models import OrgUnit

router = APIRouter(prefix="/public", tags=["文书核验与送达（公开）"], responses=PROBLEM_RESPONSES)
Token = Annotated[str, Path(min_length=8, max_length=64, description="二维码或短信链接中的令牌")]
MAX_UPLOAD = 30 * 1024 * 1024


def _bureau(session, doc: Document) -> str:  # type: ignore[no-untyped-def]
    unit = session.get(OrgUnit, doc.unit_id)
    return unit.name if unit else ""


@router.get("/verify/{token}", summary="文书核验：是否为执法机关签发的原件")
def verify(token: Token, session: SessionDep, settings: SettingsDep) -> PublicDocument:
    try:
        doc = sealing.by_token(session, token)
    except NotFound:
        if (other := verifiers.show(session, settings, token)) is not None:
            return other  # a paper another module seals (an electronic payment receipt)
        raise
    c = sealing.check_on_record(session, settings, doc)
    signature = None
    if c is not None:
        signature = SignatureOut(intact=c.intact and c.matches, valid=c.valid, trusted=c.trusted, sm2_ok=c.sm2_ok,
                                 signer=c.signer, signed_at=c.signed_at)  # fmt: skip
    return PublicDocument(
        title=doc.title,
        document_no=doc.document_no,
        bureau=_bureau(session, doc),
        sealed=c is not None,
        sealed_at=doc.sealed_at,
        algorithm=doc.algorithm,
        sha256=doc.pdf_sha256 if c is not None else None,
        signature=signature,
        ok=c is not None and c.ok,
        message=c.message if c is not None else "该文书尚未签章，不具有法律效力",
    )


@router.post("/verify/{token}", summary="上传文件核验：是否与签发的原件一致、签章是否完好")
def verify_file(
    token: Token,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="待核验的 PDF 文件")],
) -> FileCheck:
    try:
        doc = sealing.by_token(session, token)
    except NotFound:
        if (other := verifiers.check(session, settings, token, _upload(file))) is not None:
            return other
        raise
    data = _upload(file)
    c = sealing.check(session, doc, data)
    return FileCheck(matches=c.matches, sha256=c.sha256, intact=c.intact, valid=c.valid, trusted=c.trusted,
                     sm2_ok=c.sm2_ok, ok=c.ok, message=c.message)  # fmt: skip


def _upload(file: UploadFile) -> bytes:
    data = file.file.read(MAX_UPLOAD + 1)
    if not data or len(data) > MAX_UPLOAD:
        raise Unprocessable("请上传不超过 30 MB 的 PDF 文件", code="verify.file")
    return data


def _party_view(session, d) -> PartyDelivery:  # type: ignore[no-untyped-def]
    doc = session.get(Document, d.document_id)
    return PartyDelivery(
        title=doc.title,
        document_no=doc.document_no,
        bureau=_bureau(session, doc),
        party_name=d.party_name,
        sent_at=d.sent_at,
        opened_at=d.opened_at,
        served_on=d.served_on,
        pdf_url=f"/api/v1/public/deliveries/{d.token}.pdf",
        verify_url=f"/verify/{doc.verify_token}",
        receipt_signed=d.receipt_signed_at is not None,
    )


@router.get(
    "/deliveries/{token}.pdf",
    summary="当事人查看送达的文书 PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@writes_on_read  # audited download
def party_pdf(token: Token, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    doc, data = delivery.party_pdf(session, settings, token, client_ip(request))
    name = quote(service.file_name(doc))
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}", "Cache-Control": "no-store", **NOSNIFF},
    )


@router.get("/deliveries/{token}", summary="当事人打开送达链接（首次打开的时间即为送达时间）")
@writes_on_read  # the first opening is the service (送达) and is audited
def party_open(token: Token, request: Request, session: SessionDep) -> PartyDelivery:
    return _party_view(session, delivery.open_link(session, token, client_ip(request)))


@router.post("/deliveries/{token}/receipt", summary="当事人手写签收", responses=MEDIA_RESPONSES)
def party_receipt(token: Token, body: ReceiptIn, session: SessionDep, settings: SettingsDep) -> PartyDelivery:
    return _party_view(session, delivery.sign_receipt(session, settings, token, body.signature))
