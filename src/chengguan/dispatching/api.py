"""HTTP routes of dispatching (指挥调度): positions in, nearest officers, dispatch tasks, the live command map."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from pydantic import RootModel
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.access import SessionDep, require
from chengguan.core.config import get_settings
from chengguan.core.db import Database
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching import duty, feed, positions, service
from chengguan.dispatching.live import POSITION_SEQ
from chengguan.dispatching.schemas import (
    ArriveIn,
    DispatchIn,
    DutyIn,
    DutyRead,
    MapFeed,
    NearestOfficer,
    NearestQuery,
    PositionBatchIn,
    PositionBatchOut,
    PositionIn,
    TaskCompleteIn,
    TaskFilter,
    TaskRead,
)
from chengguan.kit import readcache

router = APIRouter(responses=PROBLEM_RESPONSES)
TAG = "指挥调度"

Machine = Annotated[StaffPrincipal, Depends(require("signal:write"))]
Reader = Annotated[StaffPrincipal, Depends(require("dispatch:read"))]
Dispatcher = Annotated[StaffPrincipal, Depends(require("dispatch:write"))]
Field = Annotated[StaffPrincipal, Depends(require("source:write", "dispatch:write"))]
Mobile = Annotated[StaffPrincipal, Depends(require("mobile:use"))]

STREAM_INTERVAL_S = 2.0
STREAM_FALLBACK_S = 10.0
STREAM_MIN_GAP_S = 0.25
TaskList = RootModel[list[TaskRead]]


@router.post("/positions:batch", tags=[TAG], summary="批量上报人员/车辆定位（≤5000 条/次）")
def positions_batch(session: SessionDep, _: Machine, body: PositionBatchIn) -> PositionBatchOut:
    problems = positions.ingest_positions(session, body.positions)
    return PositionBatchOut(accepted=len(body.positions) - len(problems), rejected=problems)


@router.post("/dispatch/me/position", tags=[TAG], summary="执法通上报本人定位与在岗状态", status_code=204)
def my_position(session: SessionDep, principal: Mobile, body: PositionIn) -> None:
    service.own_position(session, principal, body)


@router.get("/dispatch/me/duty", tags=[TAG], summary="本人上班/下班状态")
def my_duty(session: SessionDep, principal: Mobile) -> DutyRead:
    return duty.state(session, service.officer_of(principal))


@router.put("/dispatch/me/duty", tags=[TAG], summary="上班/下班（下班后不参与派遣、执法通不再上报定位）")
def switch_my_duty(session: SessionDep, principal: Mobile, body: DutyIn) -> DutyRead:
    return duty.switch(session, principal.actor, service.officer_of(principal), body.on_duty, via="mobile")


@router.get("/dispatch/nearest", tags=[TAG], summary="离案源最近的可派执法队员（直线距离与预计到达时间）")
def nearest(session: SessionDep, principal: Reader, query: Annotated[NearestQuery, Query()]) -> list[NearestOfficer]:
    return service.nearest(session, principal, query.source_id, query.limit)


@router.post("/dispatch/tasks", tags=[TAG], summary="派遣（已派遣的案源则改派）", status_code=201)
def dispatch(session: SessionDep, principal: Dispatcher, body: DispatchIn) -> TaskRead:
    return service.dispatch(session, principal, body)


@router.get("/dispatch/tasks", tags=[TAG], summary="派遣任务（默认本人的未完成任务）", response_model=list[TaskRead])
async def list_tasks(request: Request, principal: Field, filters: Annotated[TaskFilter, Query()]) -> Response:
    # The distance to each task follows the live positions: their counter is part of the page's key (kit.readcache).
    return await readcache.respond(request, principal, lambda session: _tasks(session, principal, filters),
                                   grain=readcache.second, also=(POSITION_SEQ,))  # fmt: skip


def _tasks(session: Session, principal: StaffPrincipal, filters: TaskFilter) -> TaskList:
    return TaskList(service.list_tasks(session, principal, filters))


@router.post("/dispatch/tasks/{task_id}/acknowledge", tags=[TAG], summary="接收任务")
def acknowledge(session: SessionDep, principal: Field, task_id: uuid.UUID) -> TaskRead:
    return service.step(session, principal, task_id, "acknowledge")


@router.post("/dispatch/tasks/{task_id}/arrive", tags=[TAG], summary="到达现场（须在到场范围内，否则填写说明）")
def arrive(session: SessionDep, principal: Field, task_id: uuid.UUID, body: ArriveIn | None = None) -> TaskRead:
    return service.step(session, principal, task_id, "arrive", body)


@router.post("/dispatch/tasks/{task_id}/complete", tags=[TAG], summary="处置反馈（未发现违法/劝导/责令整改/立案）")
def complete(session: SessionDep, principal: Field, task_id: uuid.UUID, body: TaskCompleteIn) -> TaskRead:
    return service.step(session, principal, task_id, "complete", body)


@router.get("/dispatch/map", tags=[TAG], summary="一张图：未结案源、人员车辆位置、视频探头")
def map_feed(session: SessionDep, principal: Reader) -> MapFeed:
    units = service.scoped_units(session, principal)
    return MapFeed(
        sources=service.open_sources(session, principal),
        positions=feed.snapshot(session, units),
        cameras=service.cameras(session, principal),
        at=clock.now(),
        stale_after_s=get_settings().position_stale_minutes * 60,
    )


def _changes(db: Database, principal: StaffPrincipal, since: datetime) -> tuple[list[dict], list[dict]]:
    """Positions and sources changed since ``since`` (a second of overlap: a late commit is sent twice, not lost)."""
    with db.session(write=False) as session:
        units = service.scoped_units(session, principal)
        positions = feed.snapshot(session, units, since=since - timedelta(seconds=1))
        sources = service.open_sources(session, principal, since=since - timedelta(seconds=1), limit=500)
    return positions, sources


# Not in the OpenAPI document: an endless text/event-stream is not something a schema (or its fuzzer) can describe;
# docs/api-intake.md documents it.
@router.get("/dispatch/stream", include_in_schema=False)
async def stream(
    request: Request, principal: Reader, max_s: Annotated[int, Query(ge=1, le=600)] = 600
) -> StreamingResponse:
    """一张图实时推送（text/event-stream：positions、sources 事件）; ends after ``max_s`` s, clients reconnect."""
    db: Database = request.app.state.db
    started = clock.now()
    deadline = time.monotonic() + max_s  # wall time, not the (possibly frozen) business clock

    async def events() -> AsyncIterator[str]:
        since = started
        # Woken by core.bus when positions or listed data are committed (by any process when the bus reaches the
        # others); the poll every STREAM_INTERVAL_S (STREAM_FALLBACK_S with such a bus) catches a lost wake-up.
        changed, unsubscribe = db.bus.async_event("positions", "data")
        every = STREAM_FALLBACK_S if db.bus.shared else STREAM_INTERVAL_S
        try:
            yield "retry: 3000\n\n"
            while time.monotonic() < deadline:
                if await request.is_disconnected():
                    return
                began, tick = time.monotonic(), clock.now()
                changed.clear()
                positions, sources = await run_in_threadpool(_changes, db, principal, since)
                since = tick
                if positions:
                    yield f"event: positions\ndata: {json.dumps(positions, ensure_ascii=False)}\n\n"
                if sources:
                    yield f"event: sources\ndata: {json.dumps(sources, ensure_ascii=False)}\n\n"
                yield f": keep-alive {tick.isoformat()}\n\n"
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), max(0.0, min(every, deadline - time.monotonic())))
                # A burst of commits is read in one go: at most one read per STREAM_MIN_GAP_S.
                await asyncio.sleep(max(0.0, min(began + STREAM_MIN_GAP_S, deadline) - time.monotonic()))
        finally:
            unsubscribe()

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
