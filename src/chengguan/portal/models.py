"""Tables of the merchant portal: the one-time login codes sent by SMS (only their digests are kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, UUIDPrimaryKey
from chengguan.core.fieldtypes import Encrypted, search_hash


class PortalLoginCode(UUIDPrimaryKey, Base):
    """A six-digit code sent to a phone for one login: valid for minutes, a few tries, used once."""

    __tablename__ = "portal_login_code"
    __table_args__ = (Index("ix_portal_login_code_phone_hash", "phone_hash", "sent_at"),)

    phone: Mapped[str] = mapped_column(Encrypted("phone", 32))
    phone_hash: Mapped[str] = search_hash("phone", "phone")
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
