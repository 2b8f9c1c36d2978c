"""HTTP routes of the public's side (no login): 公众随手拍 with tracking, place lookup, and 执法公示."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from pydantic import Field

from chengguan.core import clock
from chengguan.core.access import SessionDep, SettingsDep, client_ip
from chengguan.core.errors import PROBLEM_RESPONSES, RATE_LIMITED_RESPONSES, TooManyRequests
from chengguan.intake import media
from chengguan.intake.schemas import CategoryCode, Lat, Lng
from chengguan.kit.media import MEDIA_RESPONSES
from chengguan.kit.schemas import Out, Schema
from chengguan.law.seed import categories
from chengguan.public import notice, places, reports

router = APIRouter(prefix="/public", tags=["公众服务"], responses=PROBLEM_RESPONSES)
UPLOADS_PER_HOUR = 30
TrackingCode = Annotated[str, Path(min_length=6, max_length=24, description="提交时获得的查询码")]


class ReportIn(Schema):
    category_code: CategoryCode
    description: str = Field(min_length=5, max_length=1000, description="问题描述（5–1000 字）")
    lng: Lng
    lat: Lat
    address: str | None = Field(None, max_length=200, description="位置说明，例如“中山路 12 号门前”")
    photos: list[Annotated[str, Field(max_length=120)]] = Field(
        default_factory=list, max_length=6, description="先经 POST /public/media 上传的照片地址，最多 6 张"
    )
    phone: str | None = Field(None, pattern=r"^1[3-9][0-9]{9}$", description="联系电话（可不填，不公开）")


class ReportCreated(Out):
    tracking_code: str = Field(description="查询码：凭此码查询办理进度")
    status_url: str


class Step(Out):
    at: str | None
    label: str


class ReportStatus(Out):
    tracking_code: str
    status: str = Field(description="open 办理中 / closed 已办结")
    status_notes: str
    category_code: str
    category_name: str
    description: str | None
    address: str | None
    lng: float
    lat: float
    photos: list[str]
    submitted_at: str | None
    updated_at: str | None
    expected_at: str | None
    unit: str | None
    steps: list[Step]


class _Window:
    """Uploads per client address and hour, in this process (a second process counts its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def take(self, key: str, limit: int) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and now - seen[0] > 3600:
                seen.popleft()
            if len(seen) >= limit:
                return False
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle clients rather than grow without bound
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < 3600}
            return True


_uploads = _Window()


@router.get("/report-categories", summary="可反映的问题类别")
def report_categories() -> list[dict[str, str]]:
    return [{"code": code, "name": name} for code, name in sorted(categories().items())]


@router.get("/places", summary="按地名或地址查找位置（网格名称、登记商户地址）")
def find_places(session: SessionDep, q: Annotated[str, Query(min_length=2, max_length=50)]) -> list[dict[str, Any]]:
    return places.suggest(session, q)


@router.get("/grids.geojson", summary="网格范围（地图选点用）")
def grids(session: SessionDep) -> dict[str, Any]:
    return places.grid_outlines(session)


@router.post("/media", status_code=201, summary="上传现场照片（JPEG、PNG、WebP、GIF，按内容识别，≤10 MB）",
             responses=MEDIA_RESPONSES | RATE_LIMITED_RESPONSES)  # fmt: skip
async def upload_photo(request: Request, settings: SettingsDep, file: Annotated[UploadFile, File()]) -> dict[str, str]:
    if not _uploads.take(reports.client_hash(settings, client_ip(request)), UPLOADS_PER_HOUR):
        raise TooManyRequests("上传过于频繁，请稍后再试", code="public.too_many_uploads")
    content = await file.read(1 + media.MAX_BYTES)
    name, digest = media.store(settings.data_dir, content, declared=file.content_type, filename=file.filename)
    return {"url": f"{reports.MEDIA_PREFIX}{name}", "sha256": digest}


@router.post("/reports", status_code=201, summary="公众随手拍：反映问题，返回查询码", responses=RATE_LIMITED_RESPONSES)
def submit_report(body: ReportIn, request: Request, session: SessionDep, settings: SettingsDep) -> ReportCreated:
    done = reports.submit(
        session, settings, category_code=body.category_code, description=body.description, lng=body.lng,
        lat=body.lat, address=body.address, photos=body.photos, phone=body.phone, ip=client_ip(request),
    )  # fmt: skip
    return ReportCreated(tracking_code=done.tracking_code, status_url=f"/public/track/{done.tracking_code}")


@router.get("/reports/{tracking_code}", summary="凭查询码查询办理进度")
def report_status(
    session: SessionDep, tracking_code: Annotated[str, Path(min_length=6, max_length=24)]
) -> ReportStatus:
    return ReportStatus(**reports.track(session, tracking_code))


@router.get("/monitoring-sites", summary="电子技术监控设备设置地点（行政处罚法第四十一条）")
def monitoring_sites(session: SessionDep) -> dict[str, Any]:
    return notice.monitoring_sites(session, clock.local_now().date())


@router.get("/discretion-standards", summary="现行行政处罚裁量基准（行政处罚法第三十四条）")
def discretion_standards(session: SessionDep) -> dict[str, Any]:
    return notice.standards_in_force(session, clock.local_now().date())
