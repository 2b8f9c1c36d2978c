"""Readings over time: the hourly history (downsampled), month partitions made ready ahead, and raw readings past
their retention archived and dropped — ``maintain`` does all three (the bridge hourly, ``chengguan iot-maintain``
from cron).

* **Hourly history** (``iot_reading_hourly``): per device and hour, each metric's count, minimum, maximum and mean.
  Each run computes the hours since the last run and recomputes the ``RECOMPUTE`` hours before, so readings a device
  buffered through a short outage and resent late still count; a month is computed once more, whole, just before
  its raw readings expire, so what arrived later still reaches the history. Charts over more than a few days read
  it instead of raw rows. Each day's hours are read in one transaction and written in a short one of their own: the
  bridge's batches never wait on a scan.
* **Partitions** (PostgreSQL): ``CHENGGUAN_IOT_PARTITIONS_AHEAD`` months made ready ahead (iot.partitions).
* **Retention**: raw readings older than ``CHENGGUAN_IOT_RETENTION_MONTHS`` whole months are first rolled up, then
  written to ``data_dir/iot-archive/iot_reading_pYYYYMM.jsonl.gz`` (one JSON object a line: device code, ts,
  values), then dropped — on PostgreSQL the month's partition is detached and dropped as one table (no row-by-row
  delete, no bloat), rows of that age in the default partition are deleted; on SQLite the rows are deleted.
  The hourly history stays. An archive file is written to a temporary name and renamed when complete, so a crash
  leaves no half archive and no dropped month without one.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Connection

from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.iot.models import IotDevice, IotReading, IotReadingHourly
from chengguan.iot.partitions import _month, ensure_partitions, partition_name

log = logging.getLogger(__name__)
RECOMPUTE = timedelta(hours=3)
WRITE = {"sqlite_immediate": True}  # SQLite: a writer takes the lock up front (core.db)
_PARTITION = re.compile(r"^iot_reading_p(\d{4})(\d{2})$")
_readings = IotReading.__table__
_hourly = IotReadingHourly.__table__


@dataclass
class Report:
    hours: int = 0  # (device, hour) rows of history written
    partitions_made: list[str] = field(default_factory=list)
    archived: dict[str, int] = field(default_factory=dict)  # archive file → rows
    dropped: list[str] = field(default_factory=list)  # partitions dropped (PostgreSQL)
    deleted: int = 0  # rows deleted (SQLite, or PostgreSQL's default partition)


def _hour(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _rows(connection: Connection, start: datetime, end: datetime) -> Iterator[tuple[uuid.UUID, datetime, Any]]:
    statement = (
        select(_readings.c.device_id, _readings.c.ts, _readings.c["values"])
        .where(_readings.c.ts >= start, _readings.c.ts < end)
        .order_by(_readings.c.device_id, _readings.c.ts)
        .execution_options(yield_per=5000)
    )
    yield from connection.execute(statement).tuples()


def rollup(db: Database, start: datetime, end: datetime) -> int:
    """Write the hourly history of the readings in [start, end) (whole hours; the hours there replaced), a day at
    a time (a first run over a year of readings holds one day in memory)."""
    start, end = _hour(start), _hour(end)
    written = 0
    while start < end:
        step = min(end, start + timedelta(days=1))
        with db.engine.connect() as connection:
            rows = _hourly_rows(connection, start, step)
            connection.rollback()
        with db.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            connection.execute(delete(_hourly).where(_hourly.c.hour >= start, _hourly.c.hour < step))
            for i in range(0, len(rows), 1000):
                connection.execute(insert(_hourly), rows[i : i + 1000])
        written += len(rows)
        start = step
    return written


def _hourly_rows(connection: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    acc: dict[tuple[uuid.UUID, datetime], dict[str, list[float]]] = {}
    for device_id, ts, values in _rows(connection, start, end):
        metrics = acc.setdefault((device_id, _hour(ts)), {})
        for name, v in (values or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                m = metrics.get(name)
                if m is None:
                    metrics[name] = [1, v, v, v]
                else:
                    m[0] += 1
                    m[1], m[2], m[3] = min(m[1], v), max(m[2], v), m[3] + v
    return [
        {"device_id": d, "hour": h, "stats": {k: [n, lo, hi, round(sum_ / n, 6)] for k, (n, lo, hi, sum_) in m.items()}}
        for (d, h), m in acc.items()
        if m
    ]


def cutoff(now: datetime, months: int) -> date:
    """The first day of the oldest month kept raw: ``months`` whole months before the current one."""
    return _month(now.astimezone(UTC).date(), -months)


def _archive(connection: Connection, folder: Path, name: str, start: datetime, end: datetime) -> int:
    """Write the readings in [start, end) to ``folder/name.jsonl.gz`` (appending a part if the file exists)."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = dict(connection.execute(select(IotDevice.id, IotDevice.code)).tuples().all())
    target = folder / f"{name}.jsonl.gz"
    n = 0
    while target.exists():  # an earlier run archived part of this month already (rows of the default partition)
        n += 1
        target = folder / f"{name}.{n}.jsonl.gz"
    tmp = target.with_suffix(".part")
    count = 0
    with gzip.open(tmp, "wt", encoding="utf-8") as out:
        for device_id, ts, values in _rows(connection, start, end):
            record = {"device": codes.get(device_id, str(device_id)), "ts": ts.astimezone(UTC).isoformat()}
            out.write(json.dumps(record | {"values": values}, ensure_ascii=False) + "\n")
            count += 1
    if count:
        tmp.replace(target)
    else:
        tmp.unlink()
    return count


def _old_partitions(connection: Connection, before: date) -> list[tuple[str, date]]:
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = "
            "'iot_reading'::regclass"
        )
    ).scalars()
    out = []
    for name in names:
        m = _PARTITION.match(name)
        if m and date(int(m[1]), int(m[2]), 1) < before:
            out.append((name, date(int(m[1]), int(m[2]), 1)))
    return sorted(out, key=lambda p: p[1])


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def expire(db: Database, settings: Settings, now: datetime, report: Report) -> None:
    """Archive and drop the raw readings older than the retention (their hourly history written first). A month is
    archived and dropped in one transaction: nothing arriving meanwhile is dropped unarchived."""
    keep_from = cutoff(now, settings.iot_retention_months)
    folder = settings.data_dir / "iot-archive"
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            old = _old_partitions(connection, keep_from)
            connection.rollback()
        for name, first in old:
            start, end = _midnight(first), _midnight(_month(first, 1))
            report.hours += rollup(db, start, end)
            with db.engine.begin() as connection:
                report.archived[name] = _archive(connection, folder, name, start, end)
                connection.execute(text(f"ALTER TABLE iot_reading DETACH PARTITION {name}"))
                connection.execute(text(f"DROP TABLE {name}"))
            report.dropped.append(name)
    with db.engine.connect() as connection:
        oldest = connection.execute(
            select(func.min(_readings.c.ts)).where(_readings.c.ts < _midnight(keep_from))
        ).scalar()
        connection.rollback()
    if oldest is None:
        return
    first = _month(oldest.astimezone(UTC).date(), 0)
    while first < keep_from:  # SQLite, and PostgreSQL rows of that age left in the default partition
        start, end = _midnight(first), _midnight(_month(first, 1))
        report.hours += rollup(db, start, end)
        name = partition_name(first)
        with db.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            archived = _archive(connection, folder, name, start, end)
            if archived:
                gone = connection.execute(delete(_readings).where(_readings.c.ts >= start, _readings.c.ts < end))
                report.deleted += int(gone.rowcount or 0)  # type: ignore[attr-defined]
        if archived:
            report.archived[name] = report.archived.get(name, 0) + archived
        first = _month(first, 1)


def partitions_ahead(db: Database, settings: Settings, now: datetime) -> list[str]:
    """The month partitions ahead (PostgreSQL; nothing on SQLite)."""
    if db.engine.dialect.name != "postgresql":
        return []
    with db.engine.begin() as connection:
        return ensure_partitions(connection, now, ahead=settings.iot_partitions_ahead)


def maintain(db: Database, settings: Settings, now: datetime) -> Report:
    """One maintenance run, in transactions of its own (see the module docstring)."""
    report = Report()
    report.partitions_made = partitions_ahead(db, settings, now)
    with db.engine.connect() as connection:
        last = connection.execute(select(func.max(_hourly.c.hour))).scalar()
        if last is None:
            last = connection.execute(select(func.min(_readings.c.ts))).scalar()
        connection.rollback()
    if last is not None:
        start = min(last, now - RECOMPUTE)
        report.hours += rollup(db, start, now)  # the current hour waits until it is complete
    expire(db, settings, now, report)
    if report.dropped or report.deleted:
        log.info("iot readings expired: %s partitions dropped, %s rows deleted, archives %s", len(report.dropped),
                 report.deleted, report.archived)  # fmt: skip
    return report
