"""The SMS outbox: every text message the platform sent (or tried to), whatever the gateway."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core import clock
from chengguan.core.db import Base, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted, search_hash


class SmsMessage(UUIDPrimaryKey, Base):
    """One text message: who it went to, what it said, why (purpose + ref), and what the gateway answered."""

    __tablename__ = "sms_message"
    __table_args__ = (Index("ix_sms_message_created", "created_at"),)

    phone: Mapped[str] = mapped_column(Encrypted("phone", 32))
    phone_hash: Mapped[str] = search_hash("phone", "phone", index=True)
    body: Mapped[str] = mapped_column(String(1000))
    purpose: Mapped[str] = mapped_column(String(40))  # e.g. document_delivery
    ref_id: Mapped[uuid.UUID | None]
    adapter: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # sent | failed
    gateway_id: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
