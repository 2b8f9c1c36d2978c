"""Every query of IoT: devices within the caller's data scope, rules, readings and alarms."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chengguan.core.principals import StaffPrincipal
from chengguan.intake.models import CaseSource, Signal
from chengguan.iot.enums import AlarmState, SensorKind
from chengguan.iot.models import IotAlarm, IotDevice, IotReading, IotReadingHourly, IotRule
from chengguan.kit.repository import Repository
from chengguan.merchants.models import Merchant
from chengguan.org.scope import scope_clause


class DeviceRepository(Repository[IotDevice]):
    model = IotDevice
    order_by = (IotDevice.code,)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[IotDevice]]:
        """Devices of the units the principal's data scope covers."""
        return select(IotDevice).where(scope_clause(principal, IotDevice.unit_id))

    def by_code(self, principal: StaffPrincipal, code: str) -> IotDevice | None:
        return self.session.scalars(self.readable(principal).where(IotDevice.code == code)).first()


def code_taken(session: Session, code: str, mn: str | None) -> str | None:
    """Which of the identifiers is registered already (code first)."""
    if session.scalar(select(IotDevice.id).where(IotDevice.code == code)) is not None:
        return "code"
    if mn and session.scalar(select(IotDevice.id).where(IotDevice.hj212_mn == mn)) is not None:
        return "hj212_mn"
    return None


def has_history(session: Session, device_id: uuid.UUID) -> bool:
    """Whether the device reported or alarmed (its records may be evidence)."""
    reading = select(IotReading.ts).where(IotReading.device_id == device_id).limit(1)
    alarm = select(IotAlarm.id).where(IotAlarm.device_id == device_id).limit(1)
    return session.scalar(reading) is not None or session.scalar(alarm) is not None


def rules_of(session: Session, *, device_id: uuid.UUID | None = None, kind: SensorKind | None = None) -> list[IotRule]:
    """A device's own rules, or (device_id None) the rules of a kind."""
    statement = select(IotRule).order_by(IotRule.key)
    if device_id is not None:
        statement = statement.where(IotRule.device_id == device_id)
    else:
        statement = statement.where(IotRule.device_id.is_(None), IotRule.sensor_kind == kind)
    return list(session.scalars(statement))


def all_rules(session: Session) -> list[IotRule]:
    return list(session.scalars(select(IotRule)))


def readings(session: Session, device_id: uuid.UUID, *, limit: int, since: datetime | None = None) -> list[IotReading]:
    """Newest first."""
    statement = select(IotReading).where(IotReading.device_id == device_id)
    if since is not None:
        statement = statement.where(IotReading.ts >= since)
    return list(session.scalars(statement.order_by(IotReading.ts.desc()).limit(limit)))


def hourly(session: Session, device_id: uuid.UUID, metric: str, since: datetime) -> list[tuple[datetime, int, float]]:
    """The hourly history of one metric since ``since``: (hour, count, mean), oldest first."""
    rows = session.execute(
        select(IotReadingHourly.hour, IotReadingHourly.stats)
        .where(IotReadingHourly.device_id == device_id, IotReadingHourly.hour >= since)
        .order_by(IotReadingHourly.hour)
    ).tuples()
    return [(hour, int(s[metric][0]), float(s[metric][3])) for hour, s in rows if metric in s]


def window(session: Session, device_id: uuid.UUID, start: datetime, end: datetime) -> list[IotReading]:
    """Readings in [start, end], oldest first (an alarm's evidence)."""
    return list(
        session.scalars(
            select(IotReading)
            .where(IotReading.device_id == device_id, IotReading.ts >= start, IotReading.ts <= end)
            .order_by(IotReading.ts)
            .limit(10_000)
        )
    )


ALARM_ORDER = (IotAlarm.raised_at.desc(), IotAlarm.id)  # newest first


def alarms(
    session: Session,
    principal: StaffPrincipal,
    *,
    device_code: str | None,
    state: AlarmState | None,
    since: datetime | None,
    limit: int,
) -> tuple[list[tuple[IotAlarm, IotDevice, str | None]], int]:
    """Alarms of devices in scope, newest first, with their device and the case source code."""
    statement = alarm_statement(principal, device_code=device_code, state=state, since=since)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.execute(statement.order_by(*ALARM_ORDER).limit(limit)).tuples().all()
    return list(rows), total


def alarm_statement(
    principal: StaffPrincipal, *, device_code: str | None, state: AlarmState | None, since: datetime | None
) -> Any:
    """(alarm, device, case source code) of the devices in scope matching the list's filters, unordered."""
    statement: Any = (
        select(IotAlarm, IotDevice, CaseSource.code)
        .join(IotDevice, IotDevice.id == IotAlarm.device_id)
        .outerjoin(Signal, Signal.id == IotAlarm.signal_id)
        .outerjoin(CaseSource, CaseSource.id == Signal.case_source_id)
        .where(scope_clause(principal, IotAlarm.unit_id))
    )
    if device_code:
        statement = statement.where(IotDevice.code == device_code)
    if state is not None:
        statement = statement.where(IotAlarm.state == state)
    if since is not None:
        statement = statement.where(IotAlarm.raised_at >= since)
    return statement


def active_counts(session: Session, device_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    wanted = list(device_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(IotAlarm.device_id, func.count())
        .where(IotAlarm.device_id.in_(wanted), IotAlarm.state == AlarmState.active)
        .group_by(IotAlarm.device_id)
    )
    return dict(rows.tuples().all())


def shop_alarms(
    session: Session, account_id: uuid.UUID, limit: int = 100
) -> list[tuple[IotAlarm, IotDevice, str | None]]:
    """Alarms of the devices on the shops a merchant-portal account holds (with the shop's code), newest first."""
    rows = session.execute(
        select(IotAlarm, IotDevice, Merchant.code)
        .join(IotDevice, IotDevice.id == IotAlarm.device_id)
        .join(Merchant, Merchant.id == IotDevice.merchant_id)
        .where(Merchant.account_id == account_id)
        .order_by(IotAlarm.raised_at.desc())
        .limit(limit)
    )
    return list(rows.tuples().all())
