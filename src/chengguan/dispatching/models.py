"""Dispatching tables: the latest position and duty status of officers and vehicles, and dispatch tasks (派遣)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from chengguan.core.db import Base, UUIDPrimaryKey
from chengguan.kit.types import str_enum
from chengguan.org import usage


class SubjectKind(StrEnum):
    officer = "officer"
    vehicle = "vehicle"


class DutyStatus(StrEnum):
    """在岗可派 / 任务中 / 离岗."""

    available = "available"
    busy = "busy"
    off_duty = "off_duty"


DUTY_LABELS = {DutyStatus.available: "在岗可派", DutyStatus.busy: "任务中", DutyStatus.off_duty: "离岗"}


class FixSource(StrEnum):
    """Where a fix came from: a real device (执法终端, vehicle GPS, the officer's own patrol report) or the simulator
    (``chengguan simulate``), which must never overwrite what a real phone says."""

    device = "device"
    simulator = "simulator"


class TaskStatus(StrEnum):
    """已派遣 → 已接收 → 已到场 → 已完成; or 超时未接收 / 已撤回 (reassigned or cancelled)."""

    dispatched = "dispatched"
    acknowledged = "acknowledged"
    arrived = "arrived"
    completed = "completed"
    timed_out = "timed_out"
    cancelled = "cancelled"


TASK_LABELS = {
    TaskStatus.dispatched: "待接收",
    TaskStatus.acknowledged: "已接收",
    TaskStatus.arrived: "已到场",
    TaskStatus.completed: "已完成",
    TaskStatus.timed_out: "超时未接收",
    TaskStatus.cancelled: "已撤回",
}
ACTIVE_TASK = frozenset({TaskStatus.dispatched, TaskStatus.acknowledged, TaskStatus.arrived})


class Position(Base):
    """The latest reported position of one officer or vehicle (WGS-84) and its duty status."""

    __tablename__ = "live_position"
    __table_args__ = (Index("ix_live_position_received", "received_at"),)

    subject_kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind, "subject_kind"), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id", ondelete="SET NULL"))
    lng: Mapped[float]
    lat: Mapped[float]
    accuracy_m: Mapped[float | None]
    speed_mps: Mapped[float | None]
    heading: Mapped[float | None]
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    status: Mapped[DutyStatus] = mapped_column(str_enum(DutyStatus, "status"), default=DutyStatus.available)
    seq: Mapped[int] = mapped_column(BigInteger, index=True, default=0)
    source: Mapped[FixSource] = mapped_column(str_enum(FixSource, "fix_source"), default=FixSource.device)
    device_at: Mapped[datetime | None]  # time of the latest real-device fix (simulated fixes yield to it)


class TrackPoint(Base):
    """One accepted fix of an officer or vehicle, kept for 轨迹回放 (live_position holds only the latest).

    The key (kind, subject, time) is the playback query's index; the same fix sent twice is stored once. Rows older
    than ``track_retention_days`` are deleted by the jobs (dispatching.tracks_upkeep)."""

    __tablename__ = "position_track"
    __table_args__ = (Index("ix_position_track_at", "at"),)

    subject_kind: Mapped[SubjectKind] = mapped_column(str_enum(SubjectKind, "subject_kind"), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(primary_key=True)
    unit_id: Mapped[uuid.UUID | None]  # the subject's unit when the fix came (data scope of the playback)
    lng: Mapped[float]
    lat: Mapped[float]
    speed_mps: Mapped[float | None]
    source: Mapped[FixSource] = mapped_column(str_enum(FixSource, "fix_source"), default=FixSource.device)


class DutySwitch(UUIDPrimaryKey, Base):
    """上班/下班 as the officer (or a dispatcher) switched it — when and who; the latest one is the officer's state:
    an off-duty officer is never offered for dispatch and their phone stops reporting positions."""

    __tablename__ = "duty_switch"
    __table_args__ = (Index("ix_duty_switch_officer_at", "officer_id", "at"),)

    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"))
    on_duty: Mapped[bool]
    at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    via: Mapped[str] = mapped_column(String(16))  # mobile | console


class DispatchTask(UUIDPrimaryKey, Base):
    """One dispatch order of a case source to an officer; each step is timestamped; ``version`` locks it."""

    __tablename__ = "dispatch_task"
    __table_args__ = (
        Index("ix_dispatch_task_officer_status", "officer_id", "status"),
        Index("ix_dispatch_task_status_ack_due", "status", "ack_due_at"),
    )

    case_source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_source.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id", ondelete="RESTRICT"))
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicle.id", ondelete="SET NULL"))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, "status"), default=TaskStatus.dispatched)
    distance_m: Mapped[float | None]
    eta_s: Mapped[int | None]
    dispatched_at: Mapped[datetime]
    ack_due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(200))
    dispatched_by: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def _forget_position(session: Session, kind: str, subject_id: uuid.UUID) -> None:
    """A deleted officer or vehicle leaves the live map and takes its track with it."""
    for table in (Position, TrackPoint):
        session.execute(delete(table).where(table.subject_kind == SubjectKind(kind), table.subject_id == subject_id))


usage.officer_referenced_by(
    DispatchTask.officer_id, "该执法人员有派遣记录，不能删除（可改为停用）", "officer.has_tasks"
)
usage.on_subject_deleted(_forget_position)
