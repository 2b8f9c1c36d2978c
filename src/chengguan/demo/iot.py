"""Demo IoT: oil-fume monitors on demo restaurants, dust and noise monitors at sites, water quality in a pump room
and smart bins, with a day of readings up to now run through the real engine — so the console shows alarms raised
at their readings' times (one becomes a case source with its readings as evidence and a text to the shop), a
purifier switched off while the fan ran, a night-noise alarm and a device gone silent."""

from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.iot import health
from chengguan.iot.directory import Directory
from chengguan.iot.enums import SensorKind
from chengguan.iot.ingest import Reading, process
from chengguan.iot.models import IotDevice
from chengguan.merchants.models import Merchant
from chengguan.org.models import Grid

STEP = timedelta(minutes=10)
HOURS = 24


def _device(
    session: Session,
    code: str,
    kind: SensorKind,
    name: str,
    unit_id: uuid.UUID,
    lng: float,
    lat: float,
    **extra: object,
) -> IotDevice:
    device = IotDevice(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"chengguan-demo-iot/{code}"),
        code=code,
        name=name,
        kind=kind,
        unit_id=unit_id,
        lng=lng,
        lat=lat,
        report_interval_s=int(STEP.total_seconds()),
        malformed_count=0,
        **extra,
    )
    session.add(device)
    return device


def _fume(t: datetime, rng: random.Random, high: bool) -> dict[str, float]:
    local = t.astimezone(clock.SHANGHAI)
    cooking = 10 <= local.hour < 14 or 17 <= local.hour < 21
    base = (1.1 + rng.random() * 0.5) if cooking else 0.2 + rng.random() * 0.1
    if high and local.hour in (11, 12):  # lunch with the purifier's filter clogged
        base = 2.6 + rng.random() * 0.6
    return {
        "fume": round(base, 2),
        "particulate": round(base * 0.6, 2),
        "nmhc": round(2 + base * 3, 2),
        "fan_current": 3.2 if cooking else 0.0,
        "purifier_current": 2.8 if cooking else 0.0,
    }


def seed_iot(session: Session, data_dir: Path | str | None, seed: int) -> int:
    """Devices and a day of readings; returns the number of devices."""
    rng = random.Random(seed + 212)
    now = clock.now().replace(second=0, microsecond=0)
    start = now - timedelta(hours=HOURS)
    shops = list(session.scalars(select(Merchant).where(Merchant.business_type == "餐饮").order_by(Merchant.code)))[:8]
    grids = list(session.scalars(select(Grid).order_by(Grid.grid_code)))
    devices: list[tuple[IotDevice, str]] = []
    for n, shop in enumerate(shops):
        if shop.lng is None or shop.lat is None:
            continue
        code = f"YY-{shop.code[-6:]}"
        d = _device(
            session,
            code,
            SensorKind.oil_fume,
            f"{shop.name}油烟在线监测仪",
            shop.unit_id,
            shop.lng,
            shop.lat,
            merchant_id=shop.id,
            address=shop.address,
            calibrated_on=(now - timedelta(days=40 + n)).date(),
            factor_profile="oil-fume-db11-1488",
            hj212_mn=f"MN3702{shop.code[-8:]}",
        )
        devices.append((d, ["high", "tamper", "silent"][n] if n < 3 else "normal"))
    for n, g in enumerate(grids[:6]):
        kind, label, what = [
            (SensorKind.dust, "工地扬尘监测仪", "dust"),
            (SensorKind.noise, "工地噪声监测仪", "noise"),
            (SensorKind.water_quality, "二次供水泵房水质监测", "water"),
            (SensorKind.trash_bin, "智能垃圾桶", "bin"),
            (SensorKind.dust, "工地扬尘监测仪", "dust"),
            (SensorKind.noise, "工地噪声监测仪", "noise-night"),
        ][n]
        d = _device(
            session,
            f"{what[:2].upper()}-{g.grid_code[-6:]}",
            kind,
            f"{g.name}{label}",
            g.squad_id,
            g.centroid_lng,
            g.centroid_lat,
            site=f"{g.name}{'施工工地' if kind in (SensorKind.dust, SensorKind.noise) else '片区'}",
        )
        devices.append((d, what))
    session.flush()
    settings = get_settings()
    if data_dir is not None:  # None: CHENGGUAN_DATA_DIR, as the other demo stages
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    directory = Directory()
    readings: list[Reading] = []
    for d, scenario in devices:
        t = start
        end = now - timedelta(hours=3) if scenario == "silent" else now
        while t <= end:
            local = t.astimezone(clock.SHANGHAI)
            if d.kind is SensorKind.oil_fume:
                v = _fume(t, rng, scenario == "high")
                if scenario == "tamper" and local.hour in (18, 19):
                    v["purifier_current"] = 0.0  # switched off to save power while the fan runs
            elif d.kind is SensorKind.dust:
                v = {
                    "pm10": round(60 + 30 * math.sin(local.hour / 3) + rng.random() * 10, 1),
                    "pm25": round(35 + rng.random() * 8, 1),
                }
            elif d.kind is SensorKind.noise:
                night = local.hour >= 22 or local.hour < 6
                loud = scenario == "noise-night" and local.hour in (23, 0)
                v = {"noise_db": round((62 if loud else 48 if night else 64) + rng.random() * 3, 1)}
            elif d.kind is SensorKind.water_quality:
                v = {
                    "residual_chlorine": round(0.3 + rng.random() * 0.1, 3),
                    "turbidity": round(0.3 + rng.random() * 0.2, 2),
                    "ph": round(7.2 + rng.random() * 0.3, 2),
                }
            else:
                v = {"fill_pct": round(min(100.0, (local.hour % 12) * 9 + rng.random() * 5), 1), "battery_pct": 87.0}
            readings.append(Reading(f"code:{d.code}", t, v))
            t += STEP
    process(session, settings, readings, directory)
    for d, scenario in devices:  # heard last when its last reading came (the demo sends the day at once)
        if scenario == "silent":
            session.execute(update(IotDevice).where(IotDevice.id == d.id).values(last_seen_at=now - timedelta(hours=3)))
    health.sweep(session, settings, clock.now())
    session.flush()
    return len(devices)
