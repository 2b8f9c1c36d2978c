"""The bridge's view of the registry: device code or HJ 212 MN → the device and its compiled rules, cached so a batch
of readings costs no registry queries (registry and rule edits reach the engine within ``TTL``)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
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
    """Lookups by code and by MN; unknown identifiers are remembered too (a stray publisher costs one query).

    Every ``ttl`` seconds one small query checks the registry's mark — the number of devices and their latest
    ``updated_at`` (a device's edit, a rule edit, which touches its devices, a registration). Unchanged: everything
    cached stands, so a bridge with thousands of devices does not reload them all every few seconds (a reload of 500
    devices cost 0.3–0.4 s, stalling the batch that met it: bench/iot.py). Changed: the devices edited since the last
    mark are dropped and reload on their next reading (all, when a device was deleted)."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, DeviceInfo | None] = {}
        self._checked = -1e18
        self._mark: tuple[int, datetime | None] | None = None
        self._compiled: dict[tuple[str, int], Compiled] = {}

    def resolve(self, session: Session, keys: set[str]) -> dict[str, DeviceInfo | None]:
        """``keys`` are ``code:<device_code>`` or ``mn:<MN>``."""
        now = time.monotonic()
        if now - self._checked >= self.ttl:
            self._validate(session)
            self._checked = now
        with self._lock:
            found = {k: self._entries[k] for k in keys if k in self._entries}
        missing = keys - found.keys()
        if missing:
            loaded = self._load(session, missing)
            with self._lock:
                for k in missing:
                    info = loaded.get(k)
                    self._entries[k] = info
                    found[k] = info
        return found

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()
            self._mark = None

    def _validate(self, session: Session) -> None:
        count, latest = session.execute(select(func.count(), func.max(IotDevice.updated_at))).one()
        mark = (int(count), latest)
        before = self._mark
        if mark == before:
            return
        self._mark = mark
        if before is None or before[1] is None:
            self.forget()
            self._mark = mark
            return
        changed = session.execute(
            select(IotDevice.id, IotDevice.code, IotDevice.hj212_mn, IotDevice.created_at).where(
                IotDevice.updated_at >= before[1]
            )
        ).all()
        created = sum(1 for c in changed if c.created_at >= before[1])
        if mark[0] != before[0] + created:  # a device left the registry: start afresh
            self.forget()
            self._mark = mark
            return
        ids = {c.id for c in changed}
        with self._lock:
            for key in [k for k, v in self._entries.items() if v is None or v.id in ids]:
                del self._entries[key]  # the edited devices, and identifiers unknown until now

    def _compile(self, spec: dict[str, Any], interval_s: int) -> Compiled:
        key = (json.dumps(spec, sort_keys=True, default=str), interval_s)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = compile_rule(spec, interval_s)
        return found

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
                tuple(self._compile(s, d.report_interval_s) for s in specs),
            )
            out[f"code:{d.code}"] = info
            if d.hj212_mn:
                out[f"mn:{d.hj212_mn}"] = info
        return out


DIRECTORY = Directory()  # this process's (the API's HTTP intake and the bridge each have their own)
