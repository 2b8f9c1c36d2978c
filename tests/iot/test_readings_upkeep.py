"""Readings upkeep: month partitions made ahead (PostgreSQL), the hourly history, and readings past the retention
archived and dropped — a whole partition on PostgreSQL, rows on SQLite — while their hourly history stays."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from chengguan.iot.api import regroup
from chengguan.iot.directory import Directory
from chengguan.iot.ingest import Reading, process
from chengguan.iot.models import IotReading, IotReadingHourly
from chengguan.iot.partitions import _month, partition_name
from chengguan.iot.retention import cutoff, maintain

NOW = datetime(2026, 12, 7, 4, 30, tzinfo=UTC)
OLD = datetime(2025, 9, 14, 10, 0, tzinfo=UTC)  # 15 months back: past a 13-month retention


def _partitions(connection) -> set[str]:  # type: ignore[no-untyped-def]
    rows = connection.execute(
        text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
             "WHERE i.inhparent = 'iot_reading'::regclass")
    )
    return set(rows.scalars())


@pytest.mark.commits
def test_old_readings_are_archived_and_dropped_and_their_hourly_history_stays(world, client, admin) -> None:  # type: ignore[no-untyped-def]
    code = f"DS-{uuid.uuid4().hex[:8]}"
    r = client.post("/api/v1/iot/devices", json={"code": code, "kind": "dust", "report_interval_s": 60,
                                                 "lng": 120.38, "lat": 36.06}, headers=admin)  # fmt: skip
    assert r.status_code == 201, r.text
    device_id = uuid.UUID(r.json()["id"])
    settings = world.settings
    postgres = world.db.engine.dialect.name == "postgresql"
    old_first = date(OLD.year, OLD.month, 1)
    if postgres:  # the month's partition, as the bridge made it then
        with world.db.engine.begin() as connection:
            from chengguan.iot.partitions import ensure_partitions

            ensure_partitions(connection, OLD, back=0, ahead=0)
    # Two hours of minute readings back then, and an hour now.
    old = [Reading(f"code:{code}", OLD + timedelta(minutes=m), {"pm10": float(m)}) for m in range(120)]
    hour_ago = NOW.replace(minute=0) - timedelta(hours=2)
    recent = [Reading(f"code:{code}", hour_ago + timedelta(minutes=m), {"pm10": 50.0}) for m in range(60)]
    with world.db.session() as session, session.begin():
        assert process(session, settings, old + recent, Directory()).stored == 180
    report = maintain(world.db, settings, NOW)
    assert cutoff(NOW, settings.iot_retention_months) == date(2025, 11, 1)
    name = partition_name(old_first)
    assert report.archived[name] == 120
    with world.db.engine.begin() as connection:
        left = connection.execute(select(func.count()).select_from(IotReading).where(IotReading.device_id == device_id))
        assert left.scalar() == 60  # only the recent hour's readings stay raw
        hours = connection.execute(
            select(IotReadingHourly.hour, IotReadingHourly.stats).where(IotReadingHourly.device_id == device_id)
            .order_by(IotReadingHourly.hour)
        ).all()  # fmt: skip
        if postgres:
            parts = _partitions(connection)
            assert name not in parts and name in report.dropped  # dropped as a whole table
            for k in range(1, settings.iot_partitions_ahead + 1):  # the months ahead are ready
                assert partition_name(_month(NOW.date(), k)) in parts
        else:
            assert report.deleted == 120
    assert [h for h, _ in hours][:2] == [OLD, OLD + timedelta(hours=1)]
    assert hours[0][1]["pm10"] == [60, 0.0, 59.0, 29.5]  # n, min, max, mean of the first hour
    assert hours[-1][1]["pm10"][0] == 60 and hours[-1][1]["pm10"][3] == 50.0
    archive = settings.data_dir / "iot-archive" / f"{name}.jsonl.gz"
    with gzip.open(archive, "rt", encoding="utf-8") as f:
        lines = [json.loads(x) for x in f]
    assert len(lines) == 120 and lines[0]["device"] == code and lines[0]["values"] == {"pm10": 0.0}
    # A second run has nothing more to expire and keeps the history as it was.
    again = maintain(world.db, settings, NOW)
    assert again.archived == {} and again.deleted == 0 and not again.dropped
    # A year's chart reads the hourly history.
    year = client.get(f"/api/v1/iot/devices/{code}/series", params={"metric": "pm10", "hours": 24 * 31 * 16,
                      "points": 2000}, headers=admin)  # fmt: skip
    assert year.status_code == 422  # at most 31 days a chart: the long range goes through the history below
    month = client.get(f"/api/v1/iot/devices/{code}/series", params={"metric": "pm10", "hours": 24 * 7},
                       headers=admin).json()  # fmt: skip
    assert month["points"]


def test_hourly_means_regrouped_by_count() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    means = [(since, 60, 10.0), (since + timedelta(hours=1), 20, 50.0)]
    [(_, value)] = regroup(means, since, hours=48, points=10)  # 4.8 h buckets: both hours in the first
    assert value == pytest.approx((60 * 10 + 20 * 50) / 80)
