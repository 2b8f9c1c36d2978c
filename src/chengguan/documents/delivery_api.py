"""HTTP routes of service (送达): the party's consent to electronic service and the deliveries of a case."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from chengguan.core.access import SessionDep, SettingsDep, require
from chengguan.core.errors import PROBLEM_RESPONSES, NotFound
from chengguan.core.masking import mask_phone
from chengguan.core.principals import StaffPrincipal
from chengguan.documents import delivery as service
from chengguan.documents.enums import DELIVERY_LABELS, METHOD_LABELS, DeliveryMethod
from chengguan.documents.models import Delivery, Document, ServiceConsent
from chengguan.documents.schemas import ConsentIn, ConsentList, ConsentOut, DeliveryIn, DeliveryList, DeliveryOut
from chengguan.evidence.store import blob_store
from chengguan.kit.media import MEDIA_RESPONSES, NOSNIFF

router = APIRouter(tags=["文书送达"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("case:read"))]
Writer = Annotated[StaffPrincipal, Depends(require("case:write"))]
CaseId = Annotated[uuid.UUID, Path(description="案件 id")]


def consent_out(c: ServiceConsent) -> ConsentOut:
    return ConsentOut(
        id=c.id,
        party_name=c.party_name,
        phone=mask_phone(c.phone) or "",
        channels=list(c.channels),
        signed_at=c.signed_at,
        recorded_by_name=c.recorded_by_name,
        revoked_at=c.revoked_at,
        signature_url=f"/api/v1/service-consents/{c.id}/signature.png" if c.signature_sha256 else None,
    )


def delivery_out(d: Delivery, doc: Document) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        document_id=d.document_id,
        document_title=doc.title,
        document_no=doc.document_no,
        method=d.method,
        method_label=METHOD_LABELS[d.method],
        status=d.status,
        status_label=DELIVERY_LABELS[d.status],
        party_name=d.party_name,
        sent_to=mask_phone(d.sent_to),
        sent_at=d.sent_at,
        opened_at=d.opened_at,
        served_on=d.served_on,
        recipient=d.recipient,
        refused=d.refused,
        receipt_signed_at=d.receipt_signed_at,
        note=d.note,
        link=f"/s/{d.token}" if d.token and d.method is DeliveryMethod.electronic else None,
        created_by_name=d.created_by_name,
        created_at=d.created_at,
    )


@router.get("/cases/{case_id}/service-consents", summary="当事人的电子送达确认书")
def list_consents(case_id: CaseId, session: SessionDep, principal: Reader) -> ConsentList:
    return ConsentList(items=[consent_out(c) for c in service.consents(session, principal, case_id)])


@router.post(
    "/cases/{case_id}/service-consents",
    status_code=201,
    summary="记录电子送达确认（第六十一条第二款）",
    responses=MEDIA_RESPONSES,
)
def record_consent(
    case_id: CaseId, body: ConsentIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> ConsentOut:
    consent = service.record_consent(session, principal, settings, case_id, party_name=body.party_name,
                                     phone=body.phone, channels=body.channels, signature=body.signature)  # fmt: skip
    return consent_out(consent)


@router.get(
    "/service-consents/{consent_id}/signature.png",
    summary="电子送达确认书上的当事人签名",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def consent_signature(consent_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: Reader) -> Response:
    consent = service.load_consent(session, principal, consent_id)
    if not consent.signature_sha256:
        raise NotFound("没有签名图片")
    return Response(blob_store(settings).get(consent.signature_sha256), media_type="image/png", headers=NOSNIFF)


@router.post("/documents/{document_id}/deliveries", status_code=201, summary="送达文书（电子送达、直接送达、当场交付）")
def deliver(
    document_id: uuid.UUID, body: DeliveryIn, session: SessionDep, settings: SettingsDep, principal: Writer
) -> DeliveryOut:
    d = service.deliver(session, principal, settings, document_id, method=body.method, recipient=body.recipient,
                        served_on=body.served_on, refused=body.refused, note=body.note)  # fmt: skip
    return delivery_out(d, session.get(Document, d.document_id))  # type: ignore[arg-type]


@router.get("/cases/{case_id}/deliveries", summary="案件文书的送达记录")
def case_deliveries(case_id: CaseId, session: SessionDep, principal: Reader) -> DeliveryList:
    rows = service.of_case(session, principal, case_id)
    docs = {d.id: d for d in session.query(Document).filter(Document.id.in_({r.document_id for r in rows}))}
    return DeliveryList(items=[delivery_out(r, docs[r.document_id]) for r in rows])
