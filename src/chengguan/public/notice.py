"""执法公示: what the law says must be published, read off the live configuration.

* 行政处罚法第四十一条第一款: the places of the electronic monitoring devices used to record violations "应当向社会
  公布" — the fixed cameras that passed the legal and technical reviews (video.standing: only they record evidence),
  with the site as published, unit, calibration date and whether they are in service.
* 行政处罚法第三十四条: the discretion standards "应当向社会公布" — each standard that governs one of the city's
  districts today (the most specific one, as the calculator picks it), with its tiers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.law.enums import TIER_LABELS
from chengguan.law.models import DiscretionStandard, DiscretionTier, EnforcementMatter
from chengguan.law.service import applicable_standard
from chengguan.org.enums import DeviceKind, DeviceStatus, OrgLevel
from chengguan.org.models import Device, OrgUnit
from chengguan.org.repository import unit_names
from chengguan.video.models import CameraReview
from chengguan.video.registry import standing_of

SITES_BASIS = "《中华人民共和国行政处罚法》第四十一条第一款：电子技术监控设备……设置地点应当向社会公布。"
STANDARDS_BASIS = "《中华人民共和国行政处罚法》第三十四条：行政处罚裁量基准应当向社会公布。"


def monitoring_sites(session: Session, today: date) -> dict[str, Any]:
    """Fixed cameras that may record evidence today (body cameras move with officers and have no place), by unit and
    code; a camera not (or no longer) reviewed is not an evidence device and is not listed."""
    rows = session.execute(
        select(Device, CameraReview)
        .join(CameraReview, CameraReview.device_id == Device.id)
        .where(Device.kind == DeviceKind.camera)
        .order_by(Device.unit_id, Device.code)
    ).tuples().all()  # fmt: skip
    reviewed = [(d, r) for d, r in rows if standing_of(r, today).evidence_capable]
    names = unit_names(session, {d.unit_id for d, _ in reviewed})
    return {
        "basis": SITES_BASIS,
        "items": [
            {
                "code": d.code,
                "name": d.name,
                "site": r.site,
                "unit": names.get(d.unit_id, ""),
                "lng": None if d.lng is None else round(d.lng, 6),
                "lat": None if d.lat is None else round(d.lat, 6),
                "in_service": d.status is DeviceStatus.online,
                "calibrated_on": r.calibrated_on.isoformat() if r.calibrated_on else None,
                "published_on": r.published_on.isoformat() if r.published_on else None,
            }
            for d, r in reviewed
        ],
    }


def standards_in_force(session: Session, today: date) -> dict[str, Any]:
    """The standards governing the city's districts today, each with the districts it governs and its tiers."""
    districts = session.scalars(
        select(OrgUnit).where(OrgUnit.level == OrgLevel.district).order_by(OrgUnit.division_code)
    ).all()
    governs: dict[Any, list[str]] = defaultdict(list)
    picked: dict[Any, DiscretionStandard] = {}
    for district in districts:
        standard = applicable_standard(session, district.division_code[:6])
        if standard is not None and standard.effective_date <= today:
            picked[standard.id] = standard
            governs[standard.id].append(district.name)
    matter_names = dict(session.execute(select(EnforcementMatter.code, EnforcementMatter.name)).tuples().all())
    out = []
    for standard in sorted(picked.values(), key=lambda s: s.code):
        tiers = session.scalars(
            select(DiscretionTier).where(DiscretionTier.standard_id == standard.id)
            .order_by(DiscretionTier.matter_code, DiscretionTier.tier)
        ).all()  # fmt: skip
        out.append({
            "code": standard.code, "name": standard.name, "issuing_body": standard.issuing_body,
            "effective_date": standard.effective_date.isoformat(), "version": standard.version,
            "description": standard.description, "districts": governs[standard.id],
            "tiers": [_tier(t, matter_names) for t in tiers],
        })  # fmt: skip
    return {"basis": STANDARDS_BASIS, "items": out}


def _tier(row: DiscretionTier, matter_names: dict[str, str]) -> dict[str, Any]:
    if row.min_fen is not None or row.max_fen is not None:
        span = f"{_yuan(row.min_fen)}至{_yuan(row.max_fen)}"
    else:
        span = f"法定幅度的 {row.lower_pct or 0}% 至 {row.upper_pct or 0}%"
    return {
        "matter_code": row.matter_code,
        "matter_name": matter_names.get(row.matter_code or "", "各事项通用") if row.matter_code else "各事项通用",
        "tier": row.tier.value,
        "tier_label": TIER_LABELS[row.tier],
        "circumstances": row.circumstances,
        "range": span,
    }


def _yuan(fen: int | None) -> str:
    if fen is None:
        return "—"
    return f"{fen // 100} 元" if fen % 100 == 0 else f"{fen / 100:.2f} 元"
