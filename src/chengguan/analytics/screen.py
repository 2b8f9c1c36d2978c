"""The big screen (大屏) in one bundle: key figures, 30-day trends, rankings, hotspots, latest alarms, map points and
outlines — everything the wall draws, in the caller's scope, so it loads with one call and refreshes by one stream.

A bundle is computed at most once per ``analytics_screen_s`` for each scope and shared by every screen and stream
of that scope (``BundleCache``): ten walls of a command centre cost one computation, not ten.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from chengguan.analytics import boundaries, onduty, scope
from chengguan.analytics.dims import Dim, Measure, Window
from chengguan.analytics.figures import ALARM_CHANNELS, latest_alarms, today_figures
from chengguan.analytics.service import cube, hotspots, ranking
from chengguan.cases.facts import today
from chengguan.core import clock
from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching.service import cameras, open_sources

TREND_DAYS = 30
# The wall's figures, in order (those the caller may see): what a command centre reads first.
WALL_FIGURES = ("sources_today", "sources_open", "sources_overdue", "cases_today", "cases_running", "cases_overdue",
                "fines_paid_today", "officers_on_duty")  # fmt: skip


def scope_key(session: Session, principal: StaffPrincipal) -> tuple[Any, ...]:
    """Who may share a bundle: the same readable rows (units, and the user's own rows) and the same permissions."""
    s = scope.resolve(session, principal, cases=False)
    perms = tuple(p for p in ("source:read", "case:read", "dispatch:read", "device:read") if principal.has(p))
    if s.everything:
        return ("all", perms)
    return (tuple(sorted(s.unit_ids)), s.user_id, s.officer_id, perms)


def _series(session: Session, principal: StaffPrincipal, data_dir: Path, measure: Measure, w: Window) -> list[int]:
    return [r["value"] for r in cube(session, principal, data_dir, measure, Dim.day, w)["rows"]]


def bundle(session: Session, principal: StaffPrincipal, data_dir: Path, *, outlines: bool = True) -> dict[str, Any]:
    """Everything the big screen shows, in the caller's scope (sections the caller may not read are left out)."""
    on = today()
    w = Window(on - timedelta(days=TREND_DAYS - 1), on)
    figures = {f["key"]: f for f in today_figures(session, principal, frozenset(WALL_FIGURES))}
    out: dict[str, Any] = {
        "at": clock.now().isoformat(),
        "window": {"from": w.start.isoformat(), "to": w.end.isoformat()},
        "figures": [figures[k] for k in WALL_FIGURES if k in figures],
        "trend": {"days": [(w.start + timedelta(days=i)).isoformat() for i in range(w.days)]},
        "rankings": {},
        "hotspots": [],
        "alarms": [],
        "map": {"sources": [], "officers": [], "vehicles": [], "cameras": []},
    }
    area = Dim.district if scope.resolve(session, principal, cases=False).everything else Dim.street
    if principal.has("source:read"):
        out["trend"]["sources"] = _series(session, principal, data_dir, Measure.sources, w)
        areas = ranking(session, principal, data_dir, Measure.sources, area, w, 10)
        for r in areas["rows"]:  # a wall names the area (市南区), not the bureau (市南区综合行政执法局)
            r["label"] = boundaries.place_name(r["label"])
        out["rankings"]["areas"] = areas
        out["rankings"]["categories"] = ranking(session, principal, data_dir, Measure.sources, Dim.category, w, 10)
        out["rankings"]["channels"] = cube(session, principal, data_dir, Measure.sources, Dim.channel, w)
        out["hotspots"] = hotspots(session, principal, data_dir, w, 10)["rows"]
        out["alarms"] = latest_alarms(session, principal, 12, ALARM_CHANNELS) or latest_alarms(session, principal, 12,
                                                                                                None)  # fmt: skip
        out["map"]["sources"] = open_sources(session, principal, limit=2000)
    if principal.has("case:read"):
        out["trend"]["cases"] = _series(session, principal, data_dir, Measure.cases, w)
    if principal.has("dispatch:read"):
        live = onduty.positions(session, principal)
        out["map"]["officers"] = [p for p in live if p["kind"] == "officer" and not p["stale"]]
        out["map"]["vehicles"] = [p for p in live if p["kind"] == "vehicle" and not p["stale"]]
    if principal.has("dispatch:read") or principal.has("device:read"):
        out["map"]["cameras"] = cameras(session, principal)
    if outlines:
        out["outlines"] = boundaries.outlines(session, principal)
    return out


@dataclass(frozen=True)
class Entry:
    seq: int  # how many times this scope's bundle was computed: a stream sends a bundle when it grows
    at: float  # time.monotonic() of the computation
    bundle: dict[str, Any]


class BundleCache:
    """The latest bundle of each scope; a caller asking within ``max_age`` seconds gets the same one, and callers of
    one scope asking at once wait for a single computation (a lock per scope). Keeps the ``size`` latest scopes."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._guard = threading.Lock()
        self.computed = 0  # how many bundles were computed (tests read it: shared, not per client)

    def get(self, key: tuple[Any, ...], max_age: float, compute: Callable[[], dict[str, Any]]) -> Entry:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry.at < max_age:
                return entry
            fresh = Entry(seq=(entry.seq + 1) if entry else 1, at=time.monotonic(), bundle=compute())
            with self._guard:
                self.computed += 1
                self._entries[key] = fresh
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    old, _ = self._entries.popitem(last=False)
                    self._locks.pop(old, None)
            return fresh

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
            self._locks.clear()


CACHE = BundleCache()
OUTLINES_S = 600.0  # grids change rarely: the outlines are recomputed every ten minutes at most


def load(session: Session, principal: StaffPrincipal, data_dir: Path, every: float) -> dict[str, Any]:
    """The screen's first load: the shared bundle of the caller's scope and its outlines."""
    key = scope_key(session, principal)
    entry = CACHE.get(key, every, lambda: bundle(session, principal, data_dir, outlines=False))
    shapes = CACHE.get((*key, "outlines"), OUTLINES_S, lambda: boundaries.outlines(session, principal))
    return {**entry.bundle, "seq": entry.seq, "interval_s": every, "outlines": shapes.bundle}


def latest(session: Session, principal: StaffPrincipal, data_dir: Path, every: float) -> Entry:
    """The shared bundle of the caller's scope (without outlines), recomputed when older than ``every``."""
    return CACHE.get(scope_key(session, principal), every, lambda: bundle(session, principal, data_dir, outlines=False))
