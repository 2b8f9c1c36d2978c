"""Tables of the merchant H5: who claimed which shop (and the agents' letters), the details a shop completes, the
problems it reports, and the statements and hearing requests a party makes online."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted
from chengguan.kit.types import str_enum
from chengguan.shopfront.enums import ClaimMethod, ClaimStatus, SubmissionKind


class ShopClaim(UUIDPrimaryKey, Timestamps, Base):
    """A portal account's claim of a shop: approved at once when the licence matches the register, or pending until
    a staff member approves the agent's letter of authorisation (授权委托书)."""

    __tablename__ = "shop_claim"
    __table_args__ = (Index("ix_shop_claim_status_created", "status", "created_at"),)

    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchant.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchant_account.id", ondelete="CASCADE"), index=True)
    method: Mapped[ClaimMethod] = mapped_column(str_enum(ClaimMethod, "claim_method", 16))
    status: Mapped[ClaimStatus] = mapped_column(str_enum(ClaimStatus, "claim_status", 16))
    agent_name: Mapped[str | None] = mapped_column(String(50))
    letter_sha256: Mapped[str | None] = mapped_column(String(64))  # the letter in the blob store
    letter_mime: Mapped[str | None] = mapped_column(String(100))
    letter_filename: Mapped[str | None] = mapped_column(String(255))
    decided_by_name: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(500))


class ShopProfile(UUIDPrimaryKey, Timestamps, Base):
    """What the shop completed itself in the H5: business hours, a contact, the photo of its front (门头照片)."""

    __tablename__ = "shop_profile"

    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchant.id", ondelete="CASCADE"), unique=True)
    business_hours: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(Encrypted("phone", 32))  # personal data, sealed (core.fieldtypes)
    storefront_sha256: Mapped[str | None] = mapped_column(String(64))
    storefront_mime: Mapped[str | None] = mapped_column(String(100))


class MerchantReport(UUIDPrimaryKey, Base):
    """A problem a shop reported from the H5: taken into intake on channel ``merchant``; the shop follows the case
    source it became."""

    __tablename__ = "merchant_report"
    __table_args__ = (Index("ix_merchant_report_merchant_created", "merchant_id", "created_at"),)

    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchant.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("merchant_account.id", ondelete="SET NULL"))
    signal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signal.id", ondelete="CASCADE"), unique=True)
    case_source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_source.id", ondelete="SET NULL"))
    category_code: Mapped[str] = mapped_column(String(5))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(256))
    photo: Mapped[str | None] = mapped_column(String(80))  # intake media name (<sha256>.<ext>)
    created_at: Mapped[datetime]


class PartySubmission(UUIDPrimaryKey, Base):
    """A statement (陈述申辩, 《行政处罚法》第四十五条) or a hearing request (第六十四条第（一）项) the party made in
    the portal inside the statutory window, with its attachments fixed as evidence of the case (origin party)."""

    __tablename__ = "party_submission"
    __table_args__ = (Index("ix_party_submission_case", "case_id", "submitted_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("penalty_case.id", ondelete="RESTRICT"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("merchant_account.id", ondelete="SET NULL"))
    kind: Mapped[SubmissionKind] = mapped_column(str_enum(SubmissionKind, "submission_kind", 16))
    text: Mapped[str] = mapped_column(Text)
    evidence_ids: Mapped[list[str]] = mapped_column(JSON)
    window_ends: Mapped[date]
    submitted_at: Mapped[datetime]
