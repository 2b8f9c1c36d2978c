"""HTTP routes of video patrol: the camera register's reviews, zones, detections in, alarms and their handling,
and the patrol wall (视频轮巡)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, Response, UploadFile

from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.evidence.api import items as evidence_items
from chengguan.evidence.schemas import EvidenceRead
from chengguan.kit.schemas import IsoDateTime, PageQuery, Paginated
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.org.enums import DeviceKind
from chengguan.video import alarms, export, footage, handling, patrol, registry, vendors
from chengguan.video.engine import Detection
from chengguan.video.schemas import (
    AccuracyRow,
    AlarmBrief,
    AlarmFilter,
    AlarmRead,
    CameraRead,
    DetectionsIn,
    DetectionsOut,
    DismissIn,
    ReviewIn,
    SiteIn,
    StreamStatusIn,
    ZoneIn,
    ZoneRead,
)

TAG = "视频智能巡查"
router = APIRouter(prefix="/video", tags=[TAG], responses=PROBLEM_RESPONSES)
DeviceReader = Annotated[StaffPrincipal, Depends(require("device:read", "dispatch:read"))]
DeviceWriter = Annotated[StaffPrincipal, Depends(require("device:write"))]
Reviewer = Annotated[StaffPrincipal, Depends(require("device:write", "legal:review"))]
Feeder = Annotated[StaffPrincipal, Depends(require("signal:write"))]
AlarmReader = Annotated[StaffPrincipal, Depends(require("source:read"))]
AlarmManager = Annotated[StaffPrincipal, Depends(require("source:manage"))]
FootageWriter = Annotated[StaffPrincipal, Depends(require("case:write", "source:manage"))]
DeviceId = Annotated[uuid.UUID, Path(description="设备 ID")]
AlarmId = Annotated[uuid.UUID, Path(description="告警 ID")]


@router.get("/cameras/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出视频设备及其审核状态（Excel，与列表相同的筛选与排序，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_cameras(
    session: SessionDep, principal: DeviceReader,
    kind: Annotated[DeviceKind | None, Query(description="设备类型")] = None,
) -> Response:  # fmt: skip
    return export.export_devices(session, principal, kind).response("视频设备.xlsx")


@router.get("/cameras", summary="视频设备及其第四十一条审核状态")
def list_cameras(
    session: SessionDep,
    principal: DeviceReader,
    kind: Annotated[DeviceKind | None, Query(description="设备类型")] = None,
) -> list[CameraRead]:
    return registry.cameras(session, principal, kind=kind)


@router.get("/cameras/{device_id}", summary="视频设备详情")
def get_camera(session: SessionDep, principal: DeviceReader, device_id: DeviceId) -> CameraRead:
    return registry.camera(session, principal, device_id)


@router.put("/cameras/{device_id}/review/{which}", summary="法制审核 / 技术审核（第四十一条第一款）")
def review_camera(
    session: SessionDep,
    principal: Reviewer,
    device_id: DeviceId,
    which: Annotated[Literal["legal", "technical"], Path(description="legal 法制审核 / technical 技术审核")],
    body: ReviewIn,
) -> CameraRead:
    return registry.review(session, principal, device_id, which, body)


@router.put("/cameras/{device_id}/site", summary="设置地点向社会公布")
def publish_site(session: SessionDep, principal: DeviceWriter, device_id: DeviceId, body: SiteIn) -> CameraRead:
    return registry.publish_site(session, principal, device_id, body)


@router.get("/cameras/{device_id}/zones", summary="设备的识别区域与规则")
def get_zones(session: SessionDep, principal: DeviceReader, device_id: DeviceId) -> list[ZoneRead]:
    return registry.zones(session, principal, device_id)


@router.put("/cameras/{device_id}/zones", summary="替换设备的识别区域与规则（同名区域保留编号）")
def put_zones(
    session: SessionDep,
    principal: DeviceWriter,
    device_id: DeviceId,
    body: Annotated[list[ZoneIn], Body(max_length=32)],
) -> list[ZoneRead]:
    return registry.replace_zones(session, principal, device_id, body)


@router.post("/detections", summary="接收跟踪检测结果（本平台分析进程或 AI 边缘盒），返回本批产生的告警")
def post_detections(session: SessionDep, settings: SettingsDep, principal: Feeder, body: DetectionsIn) -> DetectionsOut:
    device = alarms.camera_by_code(session, body.camera_code)
    frames = [
        alarms.FrameData(
            f.ts,
            [Detection(str(o.track_id), o.class_, o.bbox, o.score) for o in f.objects],
            _image(f.snapshot, i),
        )
        for i, f in enumerate(body.frames)
    ]
    clip = _decode(body.clip, "clip", "短视频须为 MP4/WebM 的 base64 编码") if body.clip else None
    raised = alarms.process(session, settings, device, frames, principal.actor, source="api", clip=clip)
    return DetectionsOut(alarms=[
        AlarmBrief(alarm_id=a.id, zone=a.zone_name, category_code=a.category_code, signal_id=a.signal_id,
                   evidence_usable=a.evidence_usable)
        for a in raised
    ])  # fmt: skip


def _image(snapshot: str | None, i: int) -> bytes | None:
    return _decode(snapshot, f"frames[{i}].snapshot", "抓拍须为 JPEG 的 base64 编码") if snapshot else None


def _decode(text: str, field: str, message: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise field_error(field, message, code="video.bad_snapshot") from None


@router.post("/vendors/{vendor}/alarms", summary="AI 边缘盒告警推送（generic / isapi 格式，见接口文档）")
def vendor_push(
    session: SessionDep,
    settings: SettingsDep,
    principal: Feeder,
    vendor: Annotated[str, Path(max_length=20)],
    body: Annotated[dict[str, Any], Body()],
) -> DetectionsOut:
    push = vendors.adapt(vendor, body)
    device = alarms.camera_by_code(session, push.camera_code)
    raised = alarms.process(
        session, settings, device, [push.frame], principal.actor, source=f"box:{vendor}", clip=push.clip
    )
    return DetectionsOut(alarms=[
        AlarmBrief(alarm_id=a.id, zone=a.zone_name, category_code=a.category_code, signal_id=a.signal_id,
                   evidence_usable=a.evidence_usable)
        for a in raised
    ])  # fmt: skip


@router.post(
    "/footage",
    status_code=201,
    summary="无人机、中继车、执法记录仪等设备的视频或抓拍作为电子技术监控设备记录存证（挂到案源或案件）",
)
def post_footage(
    session: SessionDep,
    settings: SettingsDep,
    principal: FootageWriter,
    device_code: Annotated[str, Form(min_length=1, max_length=40, description="设备编号")],
    file: Annotated[UploadFile, File(description="视频或照片（类型按内容识别）")],
    source_id: Annotated[uuid.UUID | None, Form(description="案源 ID（与 case_id 二选一）")] = None,
    case_id: Annotated[uuid.UUID | None, Form(description="案件 ID（与 source_id 二选一）")] = None,
    captured_at: Annotated[IsoDateTime | None, Form(description="拍摄时间（带时区）")] = None,
    lng: Annotated[float | None, Form(ge=-180, le=180, description="拍摄位置经度（WGS-84）")] = None,
    lat: Annotated[float | None, Form(ge=-90, le=90, description="拍摄位置纬度")] = None,
    address: Annotated[str | None, Form(max_length=256)] = None,
    title: Annotated[str | None, Form(max_length=200)] = None,
    description: Annotated[str | None, Form(max_length=4000)] = None,
) -> EvidenceRead:
    for name, value in (("address", address), ("title", title), ("description", description)):
        if value is not None and "\x00" in value:
            raise field_error(name, "文本中不能包含空字符（U+0000）")
    item = footage.attach(
        session, settings, principal, device_code, file.file, filename=file.filename or "footage",
        mime=file.content_type, source_id=source_id, case_id=case_id, captured_at=captured_at, lng=lng, lat=lat,
        address=address, title=title, description=description,
    )  # fmt: skip
    return evidence_items(session, principal, [item])[0]


@router.post("/stream-status", summary="视频流在线 / 离线（分析进程上报）")
def stream_status(session: SessionDep, principal: Feeder, body: StreamStatusIn) -> CameraRead:
    device = alarms.camera_by_code(session, body.camera_code)
    alarms.report_stream(session, device, body.ok, body.error)
    return registry.camera_reads(session, [device])[0]


@router.get("/alarms", summary="视频告警列表")
def list_alarms(
    session: SessionDep, principal: AlarmReader, filters: Annotated[AlarmFilter, Query()], page: PageQuery
) -> Paginated[AlarmRead]:
    return handling.list_alarms(session, principal, filters, page)


# Before /alarms/{alarm_id}, which would otherwise take "export.xlsx" for an id.
@router.get("/alarms/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出视频告警（Excel，与列表相同的筛选与排序，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_alarms(session: SessionDep, principal: AlarmReader, filters: Annotated[AlarmFilter, Query()]) -> Response:
    return export.export_alarms(session, principal, filters).response("视频告警.xlsx")


@router.get("/alarms/accuracy/export.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            summary="导出各设备、各区域告警的确认与排除（Excel，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_accuracy(session: SessionDep, principal: AlarmReader) -> Response:
    return export.export_accuracy(session, principal).response("视频告警准确率.xlsx")


@router.get("/alarms/accuracy", summary="各设备、各区域告警的确认与排除（误报率）")
def alarm_accuracy(session: SessionDep, principal: AlarmReader) -> list[AccuracyRow]:
    return handling.accuracy(session, principal)


@router.get("/alarms/{alarm_id}", summary="视频告警详情")
def get_alarm(session: SessionDep, principal: AlarmReader, alarm_id: AlarmId) -> AlarmRead:
    return handling.alarm(session, principal, alarm_id)


@router.post("/alarms/{alarm_id}/confirm", summary="确认告警（案源受理）")
def confirm_alarm(session: SessionDep, principal: AlarmManager, alarm_id: AlarmId) -> AlarmRead:
    return handling.confirm(session, principal, alarm_id)


@router.post("/alarms/{alarm_id}/dismiss", summary="排除告警（误报，须写明原因）")
def dismiss_alarm(session: SessionDep, principal: AlarmManager, alarm_id: AlarmId, body: DismissIn) -> AlarmRead:
    return handling.dismiss(session, principal, alarm_id, body.reason)


@router.get("/patrol", summary="视频轮巡：按街道分组的设备与最新画面")
def patrol_wall(session: SessionDep, principal: DeviceReader) -> list[patrol.PatrolGroup]:
    return patrol.groups(session, principal)
