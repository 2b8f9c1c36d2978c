"""Device health: online/offline from MQTT last-will messages and a watchdog at 2 × the report interval.

Silence is judged on the server's clock (it is the absence of readings), and the offline alarm is dated when the
device became overdue — last heard + 2 × interval — not when the sweep happened to notice, so the alarm's time does
not depend on how often the watchdog runs. Any reading or an ``online`` status clears it (iot.ingest).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.core.principals import StaffPrincipal
from chengguan.iot import alarms
from chengguan.iot.enums import AlarmState, Health
from chengguan.iot.models import IotAlarm, IotDevice
from chengguan.org.scope import scope_clause

GRACE = 2  # × report interval


def overdue(last_seen: datetime, interval_s: int, now: datetime) -> datetime | None:
    """When a device heard at ``last_seen`` became overdue, if it is by ``now`` (pure)."""
    due = last_seen + timedelta(seconds=GRACE * interval_s)
    return due if now >= due else None


def sweep(session: Session, settings: Settings, now: datetime) -> list[uuid.UUID]:
    """Mark overdue devices offline and raise their offline alarms; the ids of the devices marked."""
    rows = session.execute(
        select(IotDevice.id, IotDevice.last_seen_at, IotDevice.report_interval_s).where(
            IotDevice.active.is_(True), IotDevice.health == Health.online, IotDevice.last_seen_at.is_not(None)
        )
    ).all()
    marked = []
    for device_id, last_seen, interval in rows:
        due = overdue(last_seen, interval, now)
        if due is None:
            continue
        went = mark_offline(session, settings, device_id, due, last_seen)
        if went:
            marked.append(device_id)
    return marked


def mark_offline(
    session: Session, settings: Settings, device_id: uuid.UUID, at: datetime, last_seen: datetime | None
) -> bool:
    """Offline now (guarded so two bridges do not both mark it); the offline alarm with it."""
    done = session.execute(
        update(IotDevice)
        .where(IotDevice.id == device_id, IotDevice.health != Health.offline)
        .values(health=Health.offline)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    device = session.get(IotDevice, device_id)
    assert device is not None
    alarms.raise_offline(session, settings, device, at, last_seen)
    session.flush()
    return True


def last_will(session: Session, settings: Settings, code: str, online: bool, now: datetime) -> bool:
    """A status message on ``…/devices/{code}/status``: ``offline`` (the broker published the device's last will,
    or the device said so) marks it offline at once; ``online`` marks it online and clears the offline alarm."""
    device = session.scalar(select(IotDevice).where(IotDevice.code == code))
    if device is None:
        return False
    if not online:
        return mark_offline(session, settings, device.id, now, device.last_seen_at)
    device.health, device.last_seen_at = Health.online, now
    for alarm in session.scalars(
        select(IotAlarm).where(
            IotAlarm.device_id == device.id, IotAlarm.rule_key == "offline", IotAlarm.state == AlarmState.active
        )
    ):
        alarm.state, alarm.cleared_at = AlarmState.cleared, now
    session.flush()
    return True


def summary(session: Session, principal: StaffPrincipal) -> dict[str, Any]:
    """Counts by health, malformed frames, active alarms — for the health page."""
    scope = scope_clause(principal, IotDevice.unit_id)
    by_health = dict(
        session.execute(select(IotDevice.health, func.count()).where(scope).group_by(IotDevice.health)).tuples().all()
    )
    malformed = session.scalar(select(func.coalesce(func.sum(IotDevice.malformed_count), 0)).where(scope)) or 0
    active = (
        session.scalar(
            select(func.count())
            .select_from(IotAlarm)
            .where(IotAlarm.state == AlarmState.active, scope_clause(principal, IotAlarm.unit_id))
        )
        or 0
    )
    return {
        "online": by_health.get(Health.online, 0),
        "offline": by_health.get(Health.offline, 0),
        "unknown": by_health.get(Health.unknown, 0),
        "malformed_frames": int(malformed),
        "active_alarms": active,
    }
