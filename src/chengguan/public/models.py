"""A citizen's report through the H5: the tracking code the reporter keeps, and a keyed digest of where it came
from (for the submission limit; the address itself is not kept)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core import clock
from chengguan.core.db import Base, UUIDPrimaryKey


class PublicReport(UUIDPrimaryKey, Base):
    """One report of the 公众随手拍 H5; its signal carries the content, this row the way back to it."""

    __tablename__ = "public_report"
    __table_args__ = (Index("ix_public_report_client", "client_hash", "created_at"),)

    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    signal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signal.id", ondelete="CASCADE"))
    client_hash: Mapped[str] = mapped_column(String(64))  # HMAC of the client address under the secret key
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
