"""Tables of IoT: devices, their rules, the rule engine's persisted state, readings and alarms."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Double, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core import clock
from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.iot.enums import AlarmState, Health, RuleKind, SensorKind
from chengguan.kit.types import str_enum


class IotDevice(UUIDPrimaryKey, Timestamps, Base):
    """A sensor in the field: what it measures, the shop, site or community it watches, the squad responsible,
    how often it reports (the watchdog's clock), when it was last calibrated, and its health."""

    __tablename__ = "iot_device"

    code: Mapped[str] = mapped_column(String(40), unique=True)  # the MQTT topic's {device_code}
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SensorKind] = mapped_column(str_enum(SensorKind, "sensor_kind", 24))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    merchant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("merchant.id", ondelete="SET NULL"), index=True)
    site: Mapped[str | None] = mapped_column(String(200))  # 工地、小区、泵房 (when not a shop)
    address: Mapped[str | None] = mapped_column(String(256))
    lng: Mapped[float | None]
    lat: Mapped[float | None]
    report_interval_s: Mapped[int]
    calibrated_on: Mapped[date | None]
    hj212_mn: Mapped[str | None] = mapped_column(String(24), unique=True)  # HJ 212 设备唯一标识 MN
    factor_profile: Mapped[str | None] = mapped_column(String(40))  # iot/data/factors.toml
    active: Mapped[bool] = mapped_column(default=True)
    health: Mapped[Health] = mapped_column(str_enum(Health, "health", 16), default=Health.unknown)
    last_seen_at: Mapped[datetime | None]
    last_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    malformed_count: Mapped[int] = mapped_column(default=0)
    last_malformed: Mapped[str | None] = mapped_column(String(200))


class IotRule(UUIDPrimaryKey, Base):
    """An alarm rule of one device, or of every device of a kind that has none of its own."""

    __tablename__ = "iot_rule"
    __table_args__ = (Index("ix_iot_rule_scope", "device_id", "sensor_kind"),)

    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("iot_device.id", ondelete="CASCADE"))
    sensor_kind: Mapped[SensorKind | None] = mapped_column(str_enum(SensorKind, "rule_sensor_kind", 24))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[RuleKind] = mapped_column(str_enum(RuleKind, "rule_kind", 24))
    label: Mapped[str] = mapped_column(String(100))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # the rule as entered (schemas.RuleIn)


class IotRuleState(Base):
    """The engine's memory of one (device, rule), saved after every batch so a restart resumes the windows.

    Times here are the engine's epoch seconds, kept bit-exact (they are compared with the readings' own times and
    never shown)."""

    __tablename__ = "iot_rule_state"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("iot_device.id", ondelete="CASCADE"), primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    phase: Mapped[str] = mapped_column(String(16))
    since: Mapped[float | None] = mapped_column(Double)
    last_ts: Mapped[float | None] = mapped_column(Double)
    ref_value: Mapped[float | None] = mapped_column(Double)
    ref_ts: Mapped[float | None] = mapped_column(Double)
    raised_at: Mapped[float | None] = mapped_column(Double)
    escalated: Mapped[bool] = mapped_column(default=False)
    alarm_id: Mapped[uuid.UUID | None]


class IotReading(Base):
    """One report of a device at its own timestamp (a resent reading is the same row: the key is device + time)."""

    __tablename__ = "iot_reading"
    __table_args__ = ({"postgresql_partition_by": "RANGE (ts)"},)  # monthly partitions (iot.partitions)

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("iot_device.id", ondelete="CASCADE"), primary_key=True)
    ts: Mapped[datetime] = mapped_column(primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)


class IotReadingHourly(Base):
    """The downsampled history: per device and hour, each metric's count, minimum, maximum and mean. Kept after the
    raw readings of its month are archived and dropped (iot.retention), so a year's chart still has its curve."""

    __tablename__ = "iot_reading_hourly"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("iot_device.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON)  # {metric: [n, min, max, mean]}


class IotAlarm(UUIDPrimaryKey, Base):
    """An alarm a rule raised at a reading's time; one per (device, rule, raised_at), cleared by a later reading."""

    __tablename__ = "iot_alarm"
    __table_args__ = (
        UniqueConstraint("device_id", "rule_key", "raised_at"),
        Index("ix_iot_alarm_device_raised", "device_id", "raised_at"),
        Index("ix_iot_alarm_state", "state", "raised_at"),
    )

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("iot_device.id", ondelete="CASCADE"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    rule_key: Mapped[str] = mapped_column(String(64))
    rule_label: Mapped[str] = mapped_column(String(100))
    kind: Mapped[RuleKind] = mapped_column(str_enum(RuleKind, "alarm_rule_kind", 24))
    state: Mapped[AlarmState] = mapped_column(str_enum(AlarmState, "alarm_state", 16), default=AlarmState.active)
    level: Mapped[int] = mapped_column(default=1)  # 2 once escalated
    began_at: Mapped[datetime]  # when the condition began (the evidence window starts here)
    raised_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    value: Mapped[float | None] = mapped_column(Double)
    signal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("signal.id", ondelete="SET NULL"))
    evidence_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evidence_item.id", ondelete="SET NULL"))
    notified: Mapped[str | None] = mapped_column(String(200))  # whom the shop notice reached (SMS status)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
