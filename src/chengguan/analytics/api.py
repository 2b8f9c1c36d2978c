"""HTTP routes of analytics (数据分析研判): the cube, trends, hotspots, repeat offenders, 吻合度, handling times,
today's figures, latest alarms, the indicator catalogue, the monthly report, and Excel of every table."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from chengguan.analytics import catalogue, exports, onduty, report, screen, service
from chengguan.analytics.dims import Dim, Measure, Window
from chengguan.analytics.figures import ALARM_CHANNELS
from chengguan.analytics.snapshot import read_manifest
from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.db import Database
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.intake.enums import Channel

router = APIRouter(prefix="/analytics", tags=["数据分析"], responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("source:read", "case:read"))]
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}}}}
}
Engine = Annotated[Literal["auto", "live", "snapshot"], Query(description="auto（默认：快照+实时）/ live / snapshot")]
Format = Annotated[Literal["json", "xlsx"], Query(description="json（默认）或 xlsx（Excel 导出，记入审计日志）")]


def window(
    start: Annotated[date | None, Query(alias="from", description="开始日期 YYYY-MM-DD（含，默认前 29 天）")] = None,
    end: Annotated[date | None, Query(alias="to", description="结束日期 YYYY-MM-DD（含，默认今日）")] = None,
) -> Window:
    return service.window_of(start, end)


Span = Annotated[Window, Depends(window)]
MeasureQ = Annotated[Measure, Query(description="sources 案源数 / cases 案件数 / fines 罚款金额（分）")]
ByQ = Annotated[Dim, Query(description="district / street / category / channel / hour / day / month / industry")]


def _out(data: dict[str, Any], fmt: str, kind: str, session: SessionDep, principal: StaffPrincipal) -> Any:
    # These routes mostly answer JSON on a read session (no write transaction per figure); an xlsx download's audit
    # entry is then written in a short transaction of its own before the file leaves (audit.events.download).
    if fmt == "xlsx":
        return exports.table_response(session, principal, kind, data)
    return data


@router.get("/cube", summary="多维统计：指标 × 维度（区、街道、类别、渠道、时段、行业）", responses=XLSX_RESPONSE)
def cube(session: SessionDep, settings: SettingsDep, principal: Reader, measure: MeasureQ, by: ByQ, w: Span,
         engine: Engine = "auto", format: Format = "json") -> Any:  # fmt: skip
    data = service.cube(session, principal, settings.data_dir, measure, by, w, engine)
    return _out(data, format, "cube", session, principal)


@router.get("/cube.xlsx", summary="多维统计导出 Excel", response_class=Response, responses=XLSX_RESPONSE)
@writes_on_read
def cube_xlsx(session: SessionDep, settings: SettingsDep, principal: Reader, measure: MeasureQ, by: ByQ, w: Span,
              engine: Engine = "auto") -> Any:  # fmt: skip
    data = service.cube(session, principal, settings.data_dir, measure, by, w, engine)
    return exports.table_response(session, principal, "cube", data)


@router.get("/trend", summary="趋势与环比、同比", responses=XLSX_RESPONSE)
def trend(session: SessionDep, settings: SettingsDep, principal: Reader, measure: MeasureQ, w: Span,
          by: Annotated[Literal["day", "month"] | None, Query(description="day / month（默认按时段长短）")] = None,
          engine: Engine = "auto", format: Format = "json") -> Any:  # fmt: skip
    data = service.trend(session, principal, settings.data_dir, measure, w, Dim(by) if by else None, engine)
    return _out(data, format, "trend", session, principal)


@router.get("/rankings", summary="排名（前 N 名）", responses=XLSX_RESPONSE)
def rankings(session: SessionDep, settings: SettingsDep, principal: Reader, measure: MeasureQ, by: ByQ, w: Span,
             limit: Annotated[int, Query(ge=1, le=100)] = 10, engine: Engine = "auto",
             format: Format = "json") -> Any:  # fmt: skip
    data = service.ranking(session, principal, settings.data_dir, measure, by, w, limit, engine)
    return _out(data, format, "cube", session, principal)


@router.get("/hotspots", summary="热点网格（案源最多的网格）", responses=XLSX_RESPONSE)
def hotspots(session: SessionDep, settings: SettingsDep, principal: Reader, w: Span,
             limit: Annotated[int, Query(ge=1, le=200)] = 20, engine: Engine = "auto",
             format: Format = "json") -> Any:  # fmt: skip
    data = service.hotspots(session, principal, settings.data_dir, w, limit, engine)
    return _out(data, format, "hotspots", session, principal)


@router.get("/repeat-offenders", summary="屡查屡犯（时段内 2 件及以上案件的当事人、商户）", responses=XLSX_RESPONSE)
def repeat_offenders(session: SessionDep, settings: SettingsDep, principal: Reader, w: Span,
                     minimum: Annotated[int, Query(ge=2, le=100)] = 2,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100, engine: Engine = "auto",
                     format: Format = "json") -> Any:  # fmt: skip
    data = service.repeat_offenders(session, principal, settings.data_dir, w, minimum, limit, engine)
    return _out(data, format, "repeat_offenders", session, principal)


@router.get("/match", summary="诉求与处罚吻合度（按区、街道或类别）", responses=XLSX_RESPONSE)
def match(session: SessionDep, settings: SettingsDep, principal: Reader, w: Span,
          by: Annotated[Literal["district", "street", "category"], Query()] = "district",
          engine: Engine = "auto", format: Format = "json") -> Any:  # fmt: skip
    data = service.match_rate(session, principal, settings.data_dir, w, Dim(by), engine)
    return _out(data, format, "match", session, principal)


@router.get("/handling-times", summary="办结时长（登记至办结的平均与中位天数）", responses=XLSX_RESPONSE)
def handling_times(session: SessionDep, settings: SettingsDep, principal: Reader, w: Span,
                   measure: Annotated[Literal["sources", "cases"], Query()] = "sources",
                   by: Annotated[Dim, Query()] = Dim.district, engine: Engine = "auto",
                   format: Format = "json") -> Any:  # fmt: skip
    data = service.handling_times(session, principal, settings.data_dir, Measure(measure), by, w, engine)
    return _out(data, format, "handling_times", session, principal)


@router.get("/today", summary="今日核心指标（每项附对应列表的筛选条件）")
def today(session: SessionDep, principal: Reader) -> dict[str, Any]:
    return {"items": service.today_figures(session, principal)}


@router.get("/on-duty", summary="在岗执法人员（定位在岗且未过期；工作台「在岗人员」的列表）")
def on_duty(session: SessionDep, principal: Annotated[StaffPrincipal, Depends(require("dispatch:read"))],
            status: Annotated[Literal["available", "busy"] | None, Query()] = None,
            page: Annotated[int, Query(ge=1, le=100_000)] = 1,
            page_size: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:  # fmt: skip
    found = onduty.listed(session, principal, status)
    return {"items": found[(page - 1) * page_size : page * page_size], "total": len(found)}


@router.get("/on-duty/export.xlsx", response_class=Response, responses=XLSX_RESPONSE,
            summary="导出在岗执法人员（Excel，与列表相同的筛选与数据范围，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_on_duty(session: SessionDep, principal: Annotated[StaffPrincipal, Depends(require("dispatch:read"))],
                   status: Annotated[Literal["available", "busy"] | None, Query()] = None) -> Response:  # fmt: skip
    return onduty.export(session, principal, status).response("在岗执法人员.xlsx")


@router.get("/screen", summary="大屏数据（一次取全：核心指标、30 日趋势、排名、热点、最新告警、地图点位与边界）")
def screen_bundle(session: SessionDep, settings: SettingsDep, principal: Reader) -> dict[str, Any]:
    return screen.load(session, principal, settings.data_dir, settings.analytics_screen_s)


def _latest(db: Database, principal: StaffPrincipal, data_dir: Any, every: float) -> screen.Entry:
    with db.session(write=False) as session:
        return screen.latest(session, principal, data_dir, every)


# Not in the OpenAPI document (an endless text/event-stream); docs/analytics.md describes it.
@router.get("/screen/stream", include_in_schema=False)
async def screen_stream(request: Request, settings: SettingsDep, principal: Reader,
                        max_s: Annotated[int, Query(ge=1, le=600)] = 600) -> StreamingResponse:  # fmt: skip
    """大屏实时推送：``bundle`` 事件（不含边界），每 analytics_screen_s 秒一次（同一数据范围的大屏共用一次计算）。"""
    db: Database = request.app.state.db
    every, deadline = settings.analytics_screen_s, time.monotonic() + max_s

    async def events() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        sent = 0
        while time.monotonic() < deadline:
            if await request.is_disconnected():
                return
            entry = await run_in_threadpool(_latest, db, principal, settings.data_dir, every)
            if entry.seq != sent:
                sent = entry.seq
                payload = json.dumps({**entry.bundle, "seq": entry.seq, "interval_s": every}, ensure_ascii=False)
                yield f"event: bundle\ndata: {payload}\n\n"
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(max(0.0, min(every, deadline - time.monotonic())))

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


@router.get("/alarms", summary="最新告警（视频智能识别、物联感知；all=true 为全部渠道）")
def alarms(session: SessionDep, principal: Reader, limit: Annotated[int, Query(ge=1, le=100)] = 20,
           all: Annotated[bool, Query(description="true：全部渠道的最新案源")] = False) -> dict[str, Any]:  # fmt: skip
    if not principal.has("source:read"):
        return {"items": []}
    channels: tuple[Channel, ...] | None = None if all else ALARM_CHANNELS
    return {"items": service.latest_alarms(session, principal, limit, channels)}


@router.get("/indicators", summary="指标目录与统计口径")
def indicators(_: Reader) -> dict[str, object]:
    return catalogue.indicators()


@router.get("/indicators/export.xlsx", summary="导出指标目录与统计口径（Excel，记入审计日志）", response_class=Response,
            responses=XLSX_RESPONSE)  # fmt: skip
@writes_on_read  # audited export
def export_indicators(session: SessionDep, principal: Reader) -> Response:
    return catalogue.export_indicators(session, principal).response("指标目录.xlsx")


@router.get("/snapshot", summary="统计快照状态（生成时间、行数、耗时）")
def snapshot_status(settings: SettingsDep, _: Reader) -> dict[str, Any]:
    m = read_manifest(settings.data_dir)
    if m is None:
        return {"exists": False}
    return {"exists": True, "as_of": m.as_of.isoformat(), "full_at": m.full_at.isoformat(), "rows": m.rows,
            "seconds": m.seconds}  # fmt: skip


@router.get(
    "/monthly-report", summary="月度统计报表（Excel 或 PDF，记入审计日志）", response_class=Response,
    responses={200: {"content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}},
                                 "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
)  # fmt: skip
@writes_on_read
def monthly_report(session: SessionDep, settings: SettingsDep, principal: Reader,
                   month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")],
                   format: Annotated[Literal["xlsx", "pdf"], Query()] = "xlsx") -> Response:  # fmt: skip
    return report.response(session, principal, settings.data_dir, month, format)
