"""The merchant table: one row per shop (一店一码), with its licence identity, location and responsible squad."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.cases.enums import MerchantKind, MerchantStatus
from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted, search_hash
from chengguan.kit.types import str_enum


class Merchant(UUIDPrimaryKey, Timestamps, Base):
    """A registered shop; cases against it (or its operator) link here so the repeat-offender history shows."""

    __tablename__ = "merchant"
    __table_args__ = (
        Index("ix_merchant_unit_name", "unit_id", "name"),
        Index("ix_merchant_operator_id_no_hash", "operator_id_no_hash"),
        Index("ix_merchant_phone_hash", "phone_hash"),
    )

    code: Mapped[str] = mapped_column(String(16), unique=True)  # 一店一码
    name: Mapped[str] = mapped_column(String(200))  # 字号或名称
    kind: Mapped[MerchantKind] = mapped_column(str_enum(MerchantKind, "merchant_kind"))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码, check digit verified
    operator_name: Mapped[str] = mapped_column(String(100))  # 经营者 / 法定代表人
    operator_id_no: Mapped[str | None] = mapped_column(Encrypted("id_no", 32))  # 经营者身份证号 (个体工商户)
    operator_id_no_hash: Mapped[str | None] = search_hash("operator_id_no", "id_no")
    phone: Mapped[str | None] = mapped_column(Encrypted("phone", 32))
    phone_hash: Mapped[str | None] = search_hash("phone", "phone")
    business_type: Mapped[str] = mapped_column(String(50))  # 经营类别：餐饮、零售 …
    address: Mapped[str] = mapped_column(String(256))
    lng: Mapped[float | None]
    lat: Mapped[float | None]
    grid_code: Mapped[str | None] = mapped_column(String(15))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    status: Mapped[MerchantStatus] = mapped_column(
        str_enum(MerchantStatus, "merchant_status"), default=MerchantStatus.operating
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("merchant_account.id", ondelete="SET NULL"), unique=True
    )
