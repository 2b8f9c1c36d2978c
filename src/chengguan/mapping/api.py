"""HTTP routes of the map (一张图): base layers, the offline base, place search, track playback."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from chengguan.core.access import SessionDep, SettingsDep, require
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching.models import SubjectKind
from chengguan.kit import readcache
from chengguan.mapping import base, search, tiles, tracks
from chengguan.mapping.rules import SEARCH_MAX_CHARS, SEARCH_MAX_RESULTS
from chengguan.mapping.schemas import MapConfig, OfflineBase, PlaceHit, TrackOut, TrackQuery

router = APIRouter(prefix="/map", responses=PROBLEM_RESPONSES)
TAG = "一张图"
# The base and the search orient whoever has a map (the command map, the grid register, the IoT device map); a track
# is where a person was, for the command centre alone.
MapReader = Annotated[StaffPrincipal, Depends(require("dispatch:read", "grid:read", "device:read"))]
Reader = Annotated[StaffPrincipal, Depends(require("dispatch:read"))]


@router.get("/config", tags=[TAG], summary="底图配置：离线底图与已配置的天地图 / GCJ-02 / 内网瓦片")
def map_config(_: MapReader, settings: SettingsDep) -> MapConfig:
    return tiles.config(settings)


@router.get(
    "/base",
    tags=[TAG],
    summary="离线底图：区、街道、社区、网格边界与名称，商户、场所、探头、设备点位",
    response_model=OfflineBase,
)
async def offline_base(request: Request, principal: MapReader) -> Response:
    # Rebuilt only when the data version moves (a grid, shop or device written): unions of a city's grids are
    # the expensive part, and every command-map page load asks for them (kit.readcache).
    return await readcache.respond(request, principal, lambda session: _base(session, principal),
                                   grain=readcache.forever)  # fmt: skip


def _base(session: Session, principal: StaffPrincipal) -> OfflineBase:
    return base.build(session, principal)


@router.get("/search", tags=[TAG], summary="地名查找：街道、网格、商户、场所（名称、编码、地址）")
def place_search(
    session: SessionDep,
    principal: MapReader,
    q: Annotated[str, Query(description=f"查找内容（1–{SEARCH_MAX_CHARS} 字）", max_length=200)],
    limit: Annotated[int, Query(ge=1, le=SEARCH_MAX_RESULTS)] = 20,
) -> list[PlaceHit]:
    return search.search(session, principal, q, limit)


def track_query(
    kind: Annotated[SubjectKind, Query(description="officer 执法队员 / vehicle 执法车辆")],
    subject_id: Annotated[uuid.UUID, Query(alias="id", description="人员或车辆 id")],
    # Aware only: a time without its zone is refused (422) rather than guessed.
    start: Annotated[AwareDatetime, Query(alias="from", description="开始时间（ISO 8601，含时区）")],
    end: Annotated[AwareDatetime, Query(alias="to", description="结束时间（ISO 8601，含时区）")],
) -> TrackQuery:
    return TrackQuery.model_validate({"kind": kind, "id": subject_id, "from": start, "to": end})


@router.get("/tracks", tags=[TAG], summary="轨迹回放：时段内的定位点（按时间）与停留点")
def track_playback(
    session: SessionDep, principal: Reader, query: Annotated[TrackQuery, Depends(track_query)]
) -> TrackOut:
    return tracks.playback(session, principal, query)
