"""The bridge's view of the registry: device code or HJ 212 MN → the device and its compiled rules, cached for a few
seconds so a batch of readings costs no registry queries (rule edits reach the engine within ``TTL``)."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chengguan.iot.enums import SensorKind
from chengguan.iot.models import IotDevice
from chengguan.iot.spec import Compiled, compile_rule

TTL = 5.0


@dataclass(frozen=True)
class DeviceInfo:
    id: uuid.UUID
    code: str
    name: str
    kind: SensorKind
    unit_id: uuid.UUID
    merchant_id: uuid.UUID | None
    lng: float | None
    lat: float | None
    address: str | None
    interval_s: int
    profile: str | None
    rules: tuple[Compiled, ...]


class Directory:
    """Lookups by code and by MN; unknown identifiers are remembered too (a stray publisher costs one query per TTL)."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, DeviceInfo | None]] = {}

    def resolve(self, session: Session, keys: set[str]) -> dict[str, DeviceInfo | None]:
        """``keys`` are ``code:<device_code>`` or ``mn:<MN>``."""
        now = time.monotonic()
        with self._lock:
            found = {k: e[1] for k in keys if (e := self._entries.get(k)) and now - e[0] < self.ttl}
        missing = keys - found.keys()
        if missing:
            loaded = self._load(session, missing)
            with self._lock:
                for k in missing:
                    info = loaded.get(k)
                    self._entries[k] = (now, info)
                    found[k] = info
        return found

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()

    def _load(self, session: Session, keys: set[str]) -> dict[str, DeviceInfo]:
        from chengguan.iot.service import specs_for  # the registry's own rule resolution

        codes = [k[5:] for k in keys if k.startswith("code:")]
        mns = [k[3:] for k in keys if k.startswith("mn:")]
        devices = session.scalars(
            select(IotDevice).where(
                IotDevice.active.is_(True), or_(IotDevice.code.in_(codes), IotDevice.hj212_mn.in_(mns))
            )
        ).all()
        out: dict[str, DeviceInfo] = {}
        every = specs_for(session, devices)
        for d in devices:
            specs = every[d.id]
            info = DeviceInfo(
                d.id,
                d.code,
                d.name,
                d.kind,
                d.unit_id,
                d.merchant_id,
                d.lng,
                d.lat,
                d.address,
                d.report_interval_s,
                d.factor_profile,
                tuple(compile_rule(s, d.report_interval_s) for s in specs),
            )
            out[f"code:{d.code}"] = info
            if d.hj212_mn:
                out[f"mn:{d.hj212_mn}"] = info
        return out


DIRECTORY = Directory()  # this process's (the API's HTTP intake and the bridge each have their own)
