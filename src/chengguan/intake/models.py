"""Intake tables: immutable signals, deduplicated case sources (案源) with their timeline, and intake rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.core.fieldtypes import EncryptedJSON
from chengguan.intake.enums import Channel, Outcome, SourceStatus, TimeUnit
from chengguan.kit.types import str_enum
from chengguan.org import usage


class CaseSource(UUIDPrimaryKey, Timestamps, Base):
    """A case source (案源): one problem at one place, fed by one or more signals; ``version`` locks optimistically."""

    __tablename__ = "case_source"
    __table_args__ = (
        Index("ix_case_source_dedup", "category_code", "status", "last_signal_at"),
        Index("ix_case_source_due", "status", "due_at"),
        Index("ix_case_source_unit_status", "unit_id", "status"),
        Index("ix_case_source_updated", "updated_at"),
        Index("ix_case_source_created", "created_at"),  # the analytics window and the list's 登记日期 filter
        Index("ix_case_source_reported_by", "reported_by_id"),  # a caller's own sources beside the unit rollups
    )

    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[SourceStatus] = mapped_column(str_enum(SourceStatus, "status"), default=SourceStatus.pending)
    category_code: Mapped[str] = mapped_column(String(5))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    lng: Mapped[float]
    lat: Mapped[float]
    address: Mapped[str | None] = mapped_column(String(256))
    description: Mapped[str | None] = mapped_column(Text)
    grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grid.id", ondelete="SET NULL"))
    grid_code: Mapped[str | None] = mapped_column(String(15))
    squad_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    needs_routing: Mapped[bool] = mapped_column(default=False)
    reported_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    signal_count: Mapped[int] = mapped_column(default=1)
    first_signal_at: Mapped[datetime]
    last_signal_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    supervised_due_at: Mapped[datetime | None]
    supervision_count: Mapped[int] = mapped_column(default=0)
    officer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "outcome"))
    outcome_note: Mapped[str | None] = mapped_column(String(1000))
    rectification_due: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    public_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads a plain dict


class Signal(UUIDPrimaryKey, Base):
    """A raw alarm or report as received (原始告警/上报): never changed after intake; replays return the first."""

    __tablename__ = "signal"
    __table_args__ = (
        CheckConstraint("length(category_code) = 5", name="category_code_length"),
        Index("ix_signal_channel_received", "channel", "received_at"),
    )

    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    category_code: Mapped[str] = mapped_column(String(5))
    lng: Mapped[float]
    lat: Mapped[float]
    crs: Mapped[str] = mapped_column(String(8))
    raw_lng: Mapped[float]
    raw_lat: Mapped[float]
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(256))
    device_id: Mapped[str | None] = mapped_column(String(64))
    external_ref: Mapped[str | None] = mapped_column(String(64))
    media: Mapped[list[Any] | None] = mapped_column(JSON)
    reporter: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("reporter"))  # name, phone: encrypted
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    grid_code: Mapped[str | None] = mapped_column(String(15))
    case_source_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_source.id", ondelete="RESTRICT"), index=True
    )
    merged: Mapped[bool] = mapped_column(default=False)
    snooze_rule_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("snooze_rule.id", ondelete="SET NULL"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class SourceEvent(UUIDPrimaryKey, Base):
    """One entry of a case source's timeline (全过程记录): append-only, never updated."""

    __tablename__ = "case_source_event"
    __table_args__ = (
        Index("ix_case_source_event_source_at", "case_source_id", "at"),
        # A retried action (same key) is recorded once, even when the retries race each other.
        UniqueConstraint("case_source_id", "idempotency_key", name="one_source_action_per_key"),
    )

    case_source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_source.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(1000))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))


class Supervision(UUIDPrimaryKey, Base):
    """A 督办 record: an open source passed its stage deadline and was escalated to the supervising unit."""

    __tablename__ = "case_source_supervision"
    __table_args__ = (UniqueConstraint("case_source_id", "due_at", name="one_per_deadline"),)

    case_source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_source.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class TimeLimitRule(UUIDPrimaryKey, Timestamps, Base):
    """How long a source may stay in one status, per category and/or channel, for one unit and the units below it
    or (``unit_id`` NULL) the whole platform: the most specific rule wins, then the nearest unit's."""

    __tablename__ = "time_limit_rule"
    __table_args__ = (
        UniqueConstraint("stage", "category_code", "channel", "unit_id", name="one_rule_per_key"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("warn_percent >= 0 AND warn_percent < 100", name="warn_percent_range"),
    )

    stage: Mapped[SourceStatus] = mapped_column(str_enum(SourceStatus, "stage"))
    category_code: Mapped[str | None] = mapped_column(String(5))
    channel: Mapped[Channel | None] = mapped_column(str_enum(Channel, "channel"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int]
    unit: Mapped[TimeUnit] = mapped_column(str_enum(TimeUnit, "unit"))
    warn_percent: Mapped[int] = mapped_column(default=20)


class DedupRule(UUIDPrimaryKey, Timestamps, Base):
    """Merge radius and time window for one category (others use the platform default)."""

    __tablename__ = "dedup_rule"
    __table_args__ = (
        CheckConstraint("radius_m > 0 AND radius_m <= 5000", name="radius_range"),
        CheckConstraint("window_minutes > 0 AND window_minutes <= 43200", name="window_range"),
    )

    category_code: Mapped[str] = mapped_column(String(5), unique=True)
    radius_m: Mapped[int]
    window_minutes: Mapped[int]


class SnoozeRule(UUIDPrimaryKey, Timestamps, Base):
    """A known, already-handled spot: matching signals are kept but open no new source until ``until``; a unit's
    rule silences only signals located in that unit (and the units below it)."""

    __tablename__ = "snooze_rule"
    __table_args__ = (CheckConstraint("radius_m > 0 AND radius_m <= 5000", name="radius_range"),)

    category_code: Mapped[str | None] = mapped_column(String(5))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    lng: Mapped[float]
    lat: Mapped[float]
    radius_m: Mapped[int]
    until: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)


usage.unit_referenced_by(CaseSource.unit_id, "案源")
usage.unit_referenced_by(CaseSource.squad_id, "案源")
usage.unit_referenced_by(CaseSource.district_id, "案源")
usage.unit_referenced_by(Supervision.unit_id, "督办记录")
