"""What the map routes send and take."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from chengguan.dispatching.models import SubjectKind
from chengguan.mapping.enums import BaseLayerKind, PlaceKind


class OfflineBase(BaseModel):
    """The offline base: ``areas`` (district/street/community/grid polygons, ``properties.label`` = [lng, lat] of
    the name) and ``places`` (points), both GeoJSON FeatureCollections in WGS-84; ``bounds`` = [w, s, e, n]."""

    areas: dict[str, Any]
    places: dict[str, Any]
    bounds: list[float] | None


class BaseLayer(BaseModel):
    """One base layer the switcher offers. ``url`` is a Leaflet XYZ template ({s} {z} {x} {y}); ``labels_url`` an
    annotation layer drawn over it (天地图 cva); ``crs`` is the tiles' datum (gcj02: overlays are shifted)."""

    key: str
    kind: BaseLayerKind
    name: str
    url: str | None = None
    labels_url: str | None = None
    subdomains: str = ""
    crs: str = "wgs84"
    max_zoom: int = 18
    attribution: str = ""


class MapConfig(BaseModel):
    layers: list[BaseLayer]
    default: str = "offline"


class PlaceHit(BaseModel):
    kind: PlaceKind
    id: str
    name: str
    detail: str = ""  # address, code or owning street
    lng: float
    lat: float
    bbox: list[float] | None = None  # [w, s, e, n] of an area


class TrackQuery(BaseModel):
    kind: SubjectKind
    id: uuid.UUID
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")


class TrackPointOut(BaseModel):
    at: datetime
    lng: float
    lat: float
    speed_mps: float | None = None


class StopOut(BaseModel):
    started_at: datetime
    ended_at: datetime
    minutes: float
    lng: float
    lat: float
    first: int  # indexes into ``points``
    last: int


class TrackOut(BaseModel):
    kind: SubjectKind
    id: uuid.UUID
    name: str
    start: datetime
    end: datetime
    fixes: int  # fixes in the window; ``points`` holds them all up to rules.MAX_TRACK_POINTS, thinned beyond
    points: list[TrackPointOut]
    stops: list[StopOut]
    distance_m: float
    stop_radius_m: float
    stop_min_minutes: float
