"""Travel-time estimates for dispatch (指挥调度): how long a candidate needs to reach the event.

Routing is pluggable: anything with an ``eta_s`` method matching ``EtaEstimator`` will do, so a road-network router
(an on-premises OSRM/Valhalla, or a government map service) can replace the default without touching the dispatch
code. The default, ``StraightLineEta``, needs no network and no map data (the platform must run offline on an
intranet): great-circle distance × a detour factor ÷ a typical speed for the kind of unit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from chengguan.core.geo import haversine_m

__all__ = ["DEFAULT_SPEEDS_KMH", "EtaEstimator", "StraightLineEta"]

# Typical urban speeds: an officer on foot or e-bike, a law-enforcement vehicle in city traffic.
DEFAULT_SPEEDS_KMH: Mapping[str, float] = {"officer": 15.0, "vehicle": 30.0}
# Streets are not straight lines: 1.3 is the usual urban ratio of network to great-circle distance.
DEFAULT_DETOUR = 1.3


@runtime_checkable
class EtaEstimator(Protocol):
    """Estimated travel time in whole seconds between two WGS-84 points for a unit of the given kind."""

    def eta_s(self, from_lng: float, from_lat: float, to_lng: float, to_lat: float, *, kind: str) -> int: ...


class StraightLineEta:
    """Default estimator: haversine distance × detour factor ÷ speed by kind, rounded up to whole seconds."""

    def __init__(self, speeds_kmh: Mapping[str, float] | None = None, detour: float = DEFAULT_DETOUR) -> None:
        speeds = dict(DEFAULT_SPEEDS_KMH if speeds_kmh is None else speeds_kmh)
        for kind, kmh in speeds.items():
            if not (math.isfinite(kmh) and kmh > 0):
                raise ValueError(f"speed for {kind!r} must be a positive number of km/h, got {kmh!r}")
        if not (math.isfinite(detour) and detour >= 1.0):
            raise ValueError(f"detour factor must be ≥ 1, got {detour!r}")
        self._speed_ms = {kind: kmh / 3.6 for kind, kmh in speeds.items()}
        self._detour = float(detour)

    def eta_s(self, from_lng: float, from_lat: float, to_lng: float, to_lat: float, *, kind: str) -> int:
        """Seconds to travel from one point to the other; an unknown kind raises ValueError."""
        speed = self._speed_ms.get(kind)
        if speed is None:
            raise ValueError(f"no speed configured for kind {kind!r}")
        metres = haversine_m(from_lng, from_lat, to_lng, to_lat) * self._detour
        return math.ceil(metres / speed)
