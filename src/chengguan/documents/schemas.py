"""API shapes of documents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chengguan.documents.enums import DeliveryMethod, DeliveryStatus, DocumentStatus, SignAlgorithm
from chengguan.documents.kinds import DocumentKind
from chengguan.kit.schemas import Out, Schema


class HandSignature(Out):
    slot: str
    role: Literal["officer", "party"]
    signer_name: str
    signed_at: datetime
    recorded_by_name: str


class DocumentItem(Out):
    id: uuid.UUID
    kind: str
    title: str
    document_no: str | None
    status: DocumentStatus
    sealed: bool
    download_url: str
    fields: dict[str, str]
    editable: list[str]
    field_labels: dict[str, str]
    sealed_at: datetime | None
    sealed_by_name: str | None
    algorithm: SignAlgorithm | None
    verify_url: str
    docx_url: str
    deliveries_count: int
    signers: list[str] = Field(description="可手写签名的一方：officer 执法人员，party 当事人")
    signatures: list[HandSignature]
    created_by_name: str
    created_at: datetime
    updated_at: datetime
    version: int
    voided_at: datetime | None = None
    voided_by_name: str | None = None
    void_reason: str | None = None


class DocumentList(Out):
    items: list[DocumentItem]


class KindOption(Out):
    kind: str
    title: str
    numbered: bool
    basis: str
    editable: list[str]
    available: bool
    reason: str | None = None
    field_labels: dict[str, str] = Field(default_factory=dict)


class GenerateIn(Schema):
    kind: DocumentKind
    fields: dict[str, str] | None = Field(None, description="可由承办人填写的内容（事实、意见、笔录等）")


class FieldsIn(Schema):
    fields: dict[str, str] = Field(description="可由承办人填写的内容")


class SignIn(Schema):
    role: Literal["officer", "party"] = Field(description="officer：执法人员本人签名；party：当事人签名")
    signature: str = Field(max_length=2_000_000, description="手写签名（PNG data URL）")
    signer_name: str | None = Field(None, max_length=200, description="当事人签名时的签名人（默认当事人姓名）")


class VoidIn(Schema):
    reason: str = Field(min_length=4, max_length=500, description="作废理由（记入全过程记录）")


class SealIn(Schema):
    algorithm: SignAlgorithm = Field(SignAlgorithm.rsa, description="rsa：通用 PDF 签名；sm2：另附国密 SM2 签名")


class SignatureOut(Out):
    intact: bool
    valid: bool
    trusted: bool
    sm2_ok: bool | None
    signer: str
    signed_at: datetime | None


class PublicDocument(Out):
    """What anyone holding the QR code may see: enough to tell the document is genuine, no personal data."""

    title: str
    document_no: str | None
    bureau: str
    sealed: bool
    sealed_at: datetime | None
    algorithm: SignAlgorithm | None
    sha256: str | None
    signature: SignatureOut | None
    ok: bool
    message: str


class FileCheck(Out):
    matches: bool
    sha256: str
    intact: bool
    valid: bool
    trusted: bool
    sm2_ok: bool | None
    ok: bool
    message: str


class ConsentIn(Schema):
    party_name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=20, description="接收送达短信的手机号码")
    channels: list[str] = Field(default_factory=lambda: ["sms"], description="sms、portal")
    signature: str = Field(max_length=2_000_000, description="当事人手写签名（PNG data URL）")


class ConsentOut(Out):
    id: uuid.UUID
    party_name: str
    phone: str
    channels: list[str]
    signed_at: datetime
    recorded_by_name: str
    revoked_at: datetime | None
    signature_url: str | None


class ConsentList(Out):
    items: list[ConsentOut]


class DeliveryIn(Schema):
    method: DeliveryMethod
    recipient: str | None = Field(None, max_length=100, description="签收人（直接送达、当场交付）")
    served_on: date | None = Field(None, description="送达日期（直接送达、当场交付）")
    refused: bool = Field(False, description="当事人拒收（留置送达，须在备注中注明见证人）")
    note: str | None = Field(None, max_length=1000)


class DeliveryOut(Out):
    id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    document_no: str | None
    method: DeliveryMethod
    method_label: str
    status: DeliveryStatus
    status_label: str
    party_name: str | None
    sent_to: str | None
    sent_at: datetime | None
    opened_at: datetime | None
    served_on: date | None
    recipient: str | None
    refused: bool
    receipt_signed_at: datetime | None
    note: str | None
    link: str | None
    created_by_name: str
    created_at: datetime


class DeliveryList(Out):
    items: list[DeliveryOut]


class PartyDelivery(Out):
    """What the party sees behind the SMS link."""

    title: str
    document_no: str | None
    bureau: str
    party_name: str | None
    sent_at: datetime | None
    opened_at: datetime | None
    served_on: date | None
    pdf_url: str
    verify_url: str
    receipt_signed: bool


class ReceiptIn(Schema):
    signature: str = Field(max_length=2_000_000, description="当事人手写签收（PNG data URL）")


class ArchiveOut(Out):
    sha256: str
    size: int
    files: int
    created_at: datetime
    created_by_name: str
    download_url: str
