"""Tables of video patrol: a device's 第四十一条 reviews, the zones and rules of a camera, the engine's state per
camera, and the alarms raised."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.kit.types import str_enum
from chengguan.org import usage
from chengguan.video.enums import AlarmStatus


class CameraReview(Timestamps, Base):
    """《行政处罚法》第四十一条第一款 for one device: the legal review (法制审核) and the technical review (技术审核) —
    who, when, result — the calibration date, and the site as published. Only a device that passed both produces
    evidence; a row of its own per device keeps the device register untouched."""

    __tablename__ = "video_camera_review"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), primary_key=True)
    legal_passed: Mapped[bool | None]
    legal_opinion: Mapped[str | None] = mapped_column(String(1000))
    legal_by: Mapped[str | None] = mapped_column(String(100))
    legal_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    legal_at: Mapped[datetime | None]
    technical_passed: Mapped[bool | None]
    technical_opinion: Mapped[str | None] = mapped_column(String(1000))
    technical_by: Mapped[str | None] = mapped_column(String(100))
    technical_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    technical_at: Mapped[datetime | None]
    calibrated_on: Mapped[date | None]
    site: Mapped[str | None] = mapped_column(String(256))  # the place as published (设置地点向社会公布)
    published_on: Mapped[date | None]


class VideoZone(UUIDPrimaryKey, Timestamps, Base):
    """A zone and its rule on one camera: polygon in 0–1 image coordinates, classes, category, dwell, schedule,
    cooldown (``PUT /video/cameras/{device_id}/zones`` replaces a camera's set)."""

    __tablename__ = "video_zone"
    __table_args__ = (
        CheckConstraint("min_dwell_s >= 30 AND min_dwell_s <= 14400", name="dwell_range"),
        CheckConstraint("cooldown_s >= 0", name="cooldown_positive"),
    )

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    category_code: Mapped[str] = mapped_column(String(5))
    polygon: Mapped[list[Any]] = mapped_column(JSON)
    classes: Mapped[list[Any]] = mapped_column(JSON)
    min_dwell_s: Mapped[int]
    cooldown_s: Mapped[int]
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sort_order: Mapped[int] = mapped_column(default=0)


class VideoEngineState(Base):
    """The event engine's memory of one camera between batches (tracks in zones, open events), its latest snapshot
    and whether its stream is up — the row is also the lock two pushes of the same camera queue on."""

    __tablename__ = "video_engine_state"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_frame_at: Mapped[datetime | None]
    snapshot: Mapped[str | None] = mapped_column(String(120))  # media URL of the latest frame seen
    snapshot_at: Mapped[datetime | None]
    stream_ok: Mapped[bool] = mapped_column(default=True)
    stream_error: Mapped[str | None] = mapped_column(String(300))
    # Alarm throttle (video.throttle): the hour's alarms beyond the limit are counted here, not raised.
    throttled_until: Mapped[datetime | None]
    suppressed: Mapped[int] = mapped_column(default=0)  # alarms held back in the current (or last) throttled hour
    suppressed_total: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class VideoAlarm(UUIDPrimaryKey, Timestamps, Base):
    """One alarm: camera × zone × category × event, with its snapshots; ``evidence_usable`` is fixed when raised
    (the device's reviews then) and never changes — a clue (线索) stays a clue."""

    __tablename__ = "video_alarm"
    __table_args__ = (
        Index("ix_video_alarm_device_raised", "device_id", "raised_at"),
        Index("ix_video_alarm_status_raised", "status", "raised_at"),
    )

    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id", ondelete="RESTRICT"))
    zone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("video_zone.id", ondelete="SET NULL"), index=True)
    zone_name: Mapped[str] = mapped_column(String(50))
    category_code: Mapped[str] = mapped_column(String(5))
    track_id: Mapped[str] = mapped_column(String(64))
    object_class: Mapped[str] = mapped_column(String(40))
    score: Mapped[float]
    bbox: Mapped[list[Any]] = mapped_column(JSON)
    started_at: Mapped[datetime]
    raised_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(40))  # worker / api / the vendor adapter's name
    evidence_usable: Mapped[bool]
    snapshots: Mapped[list[Any]] = mapped_column(JSON)  # media URLs, entry → alarm frame
    evidence_ids: Mapped[list[Any]] = mapped_column(JSON)
    clip_evidence_id: Mapped[uuid.UUID | None]  # the short video of the event, when the source had one
    signal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("signal.id", ondelete="SET NULL"))
    case_source_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_source.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[AlarmStatus] = mapped_column(str_enum(AlarmStatus, "status", 16), default=AlarmStatus.pending)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handled_at: Mapped[datetime | None]
    dismiss_reason: Mapped[str | None] = mapped_column(String(500))


usage.device_referenced_by(
    VideoAlarm.device_id, "该设备已有视频告警记录（可能已作为证据），不能删除；可将其状态设为报废", "device.in_use"
)
