"""Tables of the documents module: generated documents (numbered, editable then sealed), each bureau's seal and
signing credentials, the party's consent to electronic service and every delivery with its service time."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted, search_hash
from chengguan.documents.enums import DeliveryMethod, DeliveryStatus, DocumentStatus, SignAlgorithm
from chengguan.kit.types import str_enum


class Document(UUIDPrimaryKey, Timestamps, Base):
    """One enforcement document of a case: filled from the case, editable where the law lets a person write, then
    sealed (locked, PAdES-signed); ``verify_token`` is what its QR code points at."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_case_kind", "case_id", "kind"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(40))  # documents.kinds.DocumentKind
    title: Mapped[str] = mapped_column(String(100))
    document_no: Mapped[str | None] = mapped_column(String(80), unique=True)
    status: Mapped[DocumentStatus] = mapped_column(str_enum(DocumentStatus, "document_status", 16))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # the texts a person wrote (kinds.editable)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))  # issuing bureau
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))  # the file as last rendered (or as sealed)
    sealed_at: Mapped[datetime | None]
    sealed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sealed_by_name: Mapped[str | None] = mapped_column(String(100))
    algorithm: Mapped[SignAlgorithm | None] = mapped_column(str_enum(SignAlgorithm, "sign_algorithm", 16))
    sm2_signature: Mapped[str | None] = mapped_column(Text)  # detached SM2 over the SM3 of the sealed file
    verify_token: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_name: Mapped[str] = mapped_column(String(100))
    voided_at: Mapped[datetime | None]
    voided_by_name: Mapped[str | None] = mapped_column(String(100))
    void_reason: Mapped[str | None] = mapped_column(String(500))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy's declarative attribute)


class BureauCredential(UUIDPrimaryKey, Timestamps, Base):
    """A bureau's electronic seal: the seal image, its signing certificate chain, and where the private key is."""

    __tablename__ = "bureau_credential"

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), unique=True)
    authority: Mapped[str] = mapped_column(String(200))
    algorithm: Mapped[SignAlgorithm] = mapped_column(str_enum(SignAlgorithm, "credential_algorithm", 16))
    seal_sha256: Mapped[str] = mapped_column(String(64))  # the seal PNG in the blob store
    cert_pem: Mapped[str] = mapped_column(Text)
    ca_pem: Mapped[str] = mapped_column(Text)
    key_file: Mapped[str] = mapped_column(String(200))  # under CHENGGUAN_DATA_DIR/keys, never in the database
    sm2_public_key: Mapped[str | None] = mapped_column(String(200))


class ServiceConsent(UUIDPrimaryKey, Base):
    """The party's signed consent to electronic service (电子送达确认书, art. 61 第二款): recorded before any
    document is served electronically."""

    __tablename__ = "service_consent"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"), index=True)
    party_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(Encrypted("phone", 32))
    phone_hash: Mapped[str] = search_hash("phone", "phone", index=True)  # the portal finds its consents by phone
    channels: Mapped[list[str]] = mapped_column(JSON)  # sms, portal
    signature_sha256: Mapped[str | None] = mapped_column(String(64))  # handwritten signature PNG in the blob store
    signed_at: Mapped[datetime]
    recorded_by_name: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None]


class Delivery(UUIDPrimaryKey, Timestamps, Base):
    """One service of a document: electronic (link by SMS / portal; served when the party opens it), on the spot,
    or paper with a 送达回证."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_document", "document_id", "created_at"),)

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id", ondelete="RESTRICT"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"), index=True)
    method: Mapped[DeliveryMethod] = mapped_column(str_enum(DeliveryMethod, "delivery_method", 16))
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "delivery_status", 16))
    consent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_consent.id", ondelete="RESTRICT"))
    token: Mapped[str | None] = mapped_column(String(48), unique=True)  # the party's link
    sent_to: Mapped[str | None] = mapped_column(Encrypted("phone", 40))
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]  # electronic service time
    opened_ip: Mapped[str | None] = mapped_column(String(64))
    served_on: Mapped[date | None]
    recipient: Mapped[str | None] = mapped_column(String(100))  # 送达回证: who signed (or 拒收 with witnesses)
    refused: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(1000))
    party_name: Mapped[str | None] = mapped_column(String(200))
    receipt_signature_sha256: Mapped[str | None] = mapped_column(String(64))  # the party's 签收 signature PNG
    receipt_signed_at: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_by_name: Mapped[str] = mapped_column(String(100))


class CaseArchive(UUIDPrimaryKey, Base):
    """The case file (案卷) as exported on closure: one ZIP in the blob store and the manifest of its digests."""

    __tablename__ = "case_archive"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    created_by_name: Mapped[str] = mapped_column(String(100))


class DocumentSignature(UUIDPrimaryKey, Base):
    """A handwritten signature on a document (笔录, 当场处罚决定书 …): an officer named on the case signs for
    themselves, the party signs on the officer's device. The PNG lies in the blob store; a slot signed again keeps
    only the latest signature."""

    __tablename__ = "document_signature"
    __table_args__ = (Index("ix_document_signature_document", "document_id", "slot"),)

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id", ondelete="RESTRICT"))
    slot: Mapped[str] = mapped_column(String(60))  # "officer:<officer id>" or "party" (layout.SignatureField.slot)
    signer_name: Mapped[str] = mapped_column(String(200))
    image_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(String(100))
