"""Which enforcement matters a unit may apply: the matter's law in force in the unit's region on the day of the act,
and whether the matter lets a fine be decided at all. The rules are in ``jurisdiction`` and ``fines``; this module
reads the rows they need."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.law.jurisdiction import in_force, region_applies, region_of
from chengguan.law.models import EnforcementMatter, Law
from chengguan.org.models import OrgUnit


@dataclass(frozen=True)
class OutOfRegion:
    """Why a matter does not apply: its zh-CN message names the law and where it is in force."""

    message: str


def unit_region(session: Session, unit_id: uuid.UUID | None) -> str | None:
    """The GB/T 2260 region of an org unit (a street squad lies in its district)."""
    if unit_id is None:
        return None
    return region_of(session.scalar(select(OrgUnit.division_code).where(OrgUnit.id == unit_id)))


def _laws(session: Session, codes: set[str]) -> dict[str, Law]:
    return {law.code: law for law in session.scalars(select(Law).where(Law.code.in_(codes)))}


def refusal(session: Session, matter: EnforcementMatter, region: str | None, on: date | None) -> OutOfRegion | None:
    """None when ``matter`` may be applied to an act in ``region`` on ``on``; else why not.

    立法法 第八十条、第八十一条 (a local regulation governs only its own region) and 行政处罚法 第三十七条 (the law
    in force when the act was committed)."""
    codes = {ref["law"] for ref in matter.violated + matter.penalty}
    laws = _laws(session, codes)
    if region is not None and not region_applies(matter.region_code, region):
        local = [law for law in laws.values() if law.region_code] or list(laws.values())
        title = "、".join(f"《{law.title}》" for law in local) or "其地方性法规"
        place = next((law.issuing_body.split("人民代表大会")[0] for law in local if "人民代表大会" in law.issuing_body),
                     "其制定机关的行政区域")  # fmt: skip
        return OutOfRegion(
            f"执法事项“{matter.name}”（{matter.code}）依据{title}，只在{place}（行政区划 {matter.region_code}）"
            f"内适用，不适用于本单位所在地区（{region}）"
        )
    if on is not None:
        for law in laws.values():
            if not in_force(law.effective_date, law.repeal_date, on):
                when = f"自 {law.effective_date} 起施行" if on < law.effective_date else f"已于 {law.repeal_date} 废止"
                return OutOfRegion(
                    f"《{law.title}》{when}，违法行为发生时（{on}）不在施行期内，不能适用（《行政处罚法》第三十七条）"
                )
    return None


def applicable_codes(session: Session, region: str | None, on: date | None = None) -> set[str]:
    """Codes of the active matters in force in ``region`` (None: everywhere) on ``on`` (None: any day)."""
    matters = list(session.scalars(select(EnforcementMatter).where(EnforcementMatter.status == "active")))
    laws = _laws(session, {ref["law"] for m in matters for ref in m.violated + m.penalty})
    out = set()
    for m in matters:
        if region is not None and not region_applies(m.region_code, region):
            continue
        cited = [laws[ref["law"]] for ref in m.violated + m.penalty if ref["law"] in laws]
        if on is not None and not all(in_force(law.effective_date, law.repeal_date, on) for law in cited):
            continue
        out.add(m.code)
    return out
