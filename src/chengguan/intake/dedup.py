"""Dedup/merge of signals into open case sources: same category, within a radius and a time window.

Rule (``matches``): a signal joins an open source of the same category when the great-circle distance is at most
the category's radius and its occurrence time lies within [first − window, last + window] of the source's signals;
of several candidates the nearest wins (ties: the older code). Closed and voided sources never take signals.

Speed: candidates live in an in-memory cell hash per category (cells as wide as the radius, so a 3×3 neighbourhood
holds every source in range). The hash of this process stays valid while no other writer changed case sources:
every intake batch and every status change bumps ``intake_seq`` in the same transaction, and a batch that finds the
counter moved past the value it last saw reloads the candidates from the database. The write lock (SQLite) or the
counter's row lock (PostgreSQL) serialises intake batches, so a reload sees every committed source.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chengguan.core.geo import haversine_m

_M_PER_DEG = 111_320.0
_COS_MIN = math.cos(math.radians(55.0))  # northernmost China ≈ 53.6°N: lng cells are never narrower than radius


@dataclass(slots=True)
class Candidate:
    """An open source as the dedup hash sees it; ``t0``/``t1`` are ``first_at``/``last_at`` in epoch seconds (the
    hot loop compares floats, not datetimes)."""

    id: uuid.UUID
    code: str
    category_code: str
    lng: float
    lat: float
    first_at: datetime
    last_at: datetime
    added: int = 0  # signals merged in this batch (applied to signal_count in one UPDATE)
    t0: float = 0.0
    t1: float = 0.0

    def __post_init__(self) -> None:
        self.t0, self.t1 = self.first_at.timestamp(), self.last_at.timestamp()

    def take(self, at: datetime, at_s: float) -> None:
        """Count one more signal occurring at ``at`` (``at_s`` in epoch seconds)."""
        self.added += 1
        if at_s > self.t1:
            self.last_at, self.t1 = at, at_s
        if at_s < self.t0:
            self.first_at, self.t0 = at, at_s


@dataclass(frozen=True)
class Params:
    radius_m: float
    window: timedelta


def matches(c: Candidate, lng: float, lat: float, at: datetime, p: Params) -> float | None:
    """Distance in metres when a signal at (lng, lat, at) joins candidate ``c`` under ``p``; otherwise None."""
    if at < c.first_at - p.window or at > c.last_at + p.window:
        return None
    d = haversine_m(c.lng, c.lat, lng, lat)
    return d if d <= p.radius_m else None


_ROW = 1 << 32  # cell key = column * _ROW + row: one int instead of a tuple per lookup


class CategoryHash:
    """Candidates of one category in cells ``radius`` wide."""

    __slots__ = ("cells", "dlat", "dlng", "radius", "window_s")

    def __init__(self, params: Params) -> None:
        self.radius = params.radius_m
        self.window_s = params.window.total_seconds()
        self.dlat = params.radius_m / _M_PER_DEG
        self.dlng = params.radius_m / (_M_PER_DEG * _COS_MIN)
        self.cells: dict[int, list[Candidate]] = {}

    def _key(self, lng: float, lat: float) -> int:
        return math.floor(lng / self.dlng) * _ROW + math.floor(lat / self.dlat)

    def add(self, c: Candidate) -> None:
        key = self._key(c.lng, c.lat)
        cell = self.cells.get(key)
        if cell is None:
            self.cells[key] = [c]
        else:
            cell.append(c)

    def best(self, lng: float, lat: float, at_s: float) -> Candidate | None:
        """The candidate a signal at (lng, lat) occurring at ``at_s`` (epoch seconds) joins: the rule of
        ``matches`` on floats, nearest first, ties to the older code."""
        centre = self._key(lng, lat)
        cells = self.cells
        w = self.window_s
        best: Candidate | None = None
        best_d = math.inf
        for column in (centre - _ROW, centre, centre + _ROW):
            for key in (column - 1, column, column + 1):
                cell = cells.get(key)
                if cell is None:
                    continue
                for c in cell:
                    if at_s < c.t0 - w or at_s > c.t1 + w:
                        continue
                    d = haversine_m(c.lng, c.lat, lng, lat)
                    if d <= self.radius and (d < best_d or (d == best_d and best is not None and c.code < best.code)):
                        best, best_d = c, d
        return best

    def prune(self, before: datetime) -> None:
        """Forget candidates whose last signal is before ``before`` (they can no longer match later signals)."""
        cutoff = before.timestamp()
        for key, items in list(self.cells.items()):
            kept = [c for c in items if c.t1 >= cutoff]
            if len(kept) != len(items):
                if kept:
                    self.cells[key] = kept
                else:
                    del self.cells[key]


class DedupCache:
    """This process's candidates, valid for signals occurring at or after ``horizon`` while ``seq`` is current."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seq: int | None = None
        self.horizon: datetime | None = None
        self.params_key: object = None
        self.hashes: dict[str, CategoryHash] = {}
        self.latest: datetime | None = None
        self.pending_seq: int | None = None

    def reset(self) -> None:
        self.seq, self.horizon, self.params_key, self.hashes, self.latest = None, None, None, {}, None

    def valid_for(self, seq: int, earliest: datetime, params_key: object) -> bool:
        return (
            self.seq == seq and self.params_key == params_key and self.horizon is not None and earliest >= self.horizon
        )

    def load(
        self, seq: int, horizon: datetime, params_key: object, params: dict[str, Params], rows: Iterable[Candidate]
    ) -> None:
        self.reset()
        self.seq, self.horizon, self.params_key = seq, horizon, params_key
        for c in rows:
            self.hash_for(c.category_code, params).add(c)

    def hash_for(self, category: str, params: dict[str, Params]) -> CategoryHash:
        h = self.hashes.get(category)
        if h is None:
            h = self.hashes[category] = CategoryHash(params[category])
        return h
