"""A shop reports a problem (反映问题: the sanitation or property problem next door, with a photo and the place): it
enters intake on channel ``merchant`` like any report (located, deduplicated, routed, timed), and the shop follows
the case source it became — its stages, never who handled it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import DomainError, field_error
from chengguan.core.principals import Actor
from chengguan.identity.models import MerchantAccount
from chengguan.intake import media
from chengguan.intake.enums import STATUS_LABELS, Channel, SourceStatus
from chengguan.intake.ingest import ingest
from chengguan.intake.models import CaseSource, Signal, SourceEvent
from chengguan.intake.schemas import Reporter, SignalIn
from chengguan.merchants.models import Merchant
from chengguan.shopfront.enums import REPORT_CATEGORIES
from chengguan.shopfront.models import MerchantReport
from chengguan.shopfront.schemas import ReportIn, ReportRead, ReportStep

MEDIA_PREFIX = "/api/v1/media/"


def submit(
    session: Session, settings: Settings, actor: Actor, account: MerchantAccount, shop: Merchant, data: ReportIn,
    photo: bytes | None, photo_name: str | None, photo_type: str | None, key: str | None = None,
) -> MerchantReport:  # fmt: skip
    """Take one report in: the place given (the phone's fix) or the shop's own; the photo stored by its bytes."""
    if data.category_code not in REPORT_CATEGORIES:
        raise field_error("category_code", "请选择问题类别", code="report.category_unknown")
    lng, lat = (data.lng, data.lat) if data.lng is not None and data.lat is not None else (shop.lng, shop.lat)
    if lng is None or lat is None:
        raise field_error("lng", "请允许定位或填写地址，店铺尚无登记坐标", code="report.place_required")
    photo_ref = None
    if photo:
        name, _ = media.store(settings.data_dir, photo, declared=photo_type, filename=photo_name)
        photo_ref = name
    now = clock.now()
    signal = SignalIn(
        idempotency_key=f"merchant:{key or uuid.uuid4().hex}",
        channel=Channel.merchant,
        category_code=data.category_code,
        lng=lng,
        lat=lat,
        occurred_at=now,
        description=f"【商户上报·{shop.name}】{data.description.strip()}",
        address=(data.address or "").strip() or shop.address,
        external_ref=shop.code,
        media=[MEDIA_PREFIX + photo_ref] if photo_ref else [],
        reporter=Reporter(name=shop.name[:50], phone=account.phone),
    )
    [result] = ingest(session, [signal], actor)
    if result.problem is not None or result.signal_id is None:
        problem = result.problem
        raise DomainError(problem.detail if problem else "提交失败", code=problem.code if problem else "report.refused")
    existing = session.scalar(select(MerchantReport).where(MerchantReport.signal_id == result.signal_id))
    if existing is not None:  # a replay of the same key: the first report stands
        return existing
    row = MerchantReport(merchant_id=shop.id, account_id=account.id, signal_id=result.signal_id,
                         case_source_id=result.case_source_id, category_code=data.category_code,
                         description=data.description.strip(), address=signal.address, photo=photo_ref,
                         created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def reads(session: Session, rows: list[MerchantReport], *, photo_base: str) -> list[ReportRead]:
    """The reports with the stage their case source is at and the stages it went through."""
    sources = {s.id: s for s in session.scalars(select(CaseSource).where(
        CaseSource.id.in_([r.case_source_id for r in rows if r.case_source_id])))}  # fmt: skip
    shops = {m.id: m for m in session.scalars(select(Merchant).where(Merchant.id.in_({r.merchant_id for r in rows})))}
    out = []
    for r in rows:
        source = sources.get(r.case_source_id) if r.case_source_id else None
        status = source.status if source else None
        out.append(ReportRead(
            id=r.id, merchant_code=shops[r.merchant_id].code, merchant_name=shops[r.merchant_id].name,
            category_code=r.category_code, category_name=REPORT_CATEGORIES.get(r.category_code, r.category_code),
            description=r.description, address=r.address,
            photo_url=f"{photo_base}{r.photo}" if r.photo else None, created_at=r.created_at,
            case_source_id=source.id if source else None, case_source_code=source.code if source else None,
            status=status.value if status else None,
            status_label=STATUS_LABELS[status] if status else "已接收（与附近同类问题合并处理）",
            steps=_steps(session, r, source),
        ))  # fmt: skip
    return out


def _steps(session: Session, report: MerchantReport, source: CaseSource | None) -> list[ReportStep]:
    steps = [ReportStep(at=report.created_at, label="已提交")]
    if source is None:
        return steps
    seen: set[str] = set()
    statement = select(SourceEvent.at, SourceEvent.to_status).where(
        SourceEvent.case_source_id == source.id, SourceEvent.to_status.is_not(None)
    )
    rows = session.execute(statement.order_by(SourceEvent.at))
    for at, to_status in rows:
        if to_status in seen or to_status == SourceStatus.pending.value:
            continue
        seen.add(to_status)
        steps.append(ReportStep(at=at, label=STATUS_LABELS[SourceStatus(to_status)]))
    return steps


def of_shop(session: Session, shop_id: uuid.UUID) -> list[MerchantReport]:
    return list(session.scalars(select(MerchantReport).where(MerchantReport.merchant_id == shop_id)
                                .order_by(MerchantReport.created_at.desc())))  # fmt: skip


def signal_of(session: Session, report: MerchantReport) -> Signal | None:
    return session.get(Signal, report.signal_id)
