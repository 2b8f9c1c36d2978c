"""A device's standing under 《行政处罚法》第四十一条 — pure rules, no session.

第一款: a device used to collect and fix violations "应当经过法制和技术审核，确保电子技术监控设备符合标准、设置合理、
标志明显，设置地点应当向社会公布". So a device records evidence only when the legal review and the technical review
both passed, its calibration (检定/校准) is current and its site has been published; anything else it reports is a
clue (线索) for an officer to check, never evidence (第二款: 未经审核……不得作为行政处罚的证据).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

CALIBRATION_VALID = timedelta(days=365)  # the usual 检定周期 of traffic and enforcement cameras: one year
CLUE_NOTE = (
    "【线索】该设备未经法制和技术审核或校准已过期（《行政处罚法》第四十一条），告警仅作案源线索，不得作为处罚证据"
)
EVIDENCE_NOTE = "经法制和技术审核的电子技术监控设备记录，抓拍已存证，待记录内容审核（《行政处罚法》第四十一条第二款）"


@dataclass(frozen=True, slots=True)
class Standing:
    """What the device's reviews allow today, and why not when they do not."""

    evidence_capable: bool
    label: str
    calibration_due: date | None


def standing(
    *,
    legal_passed: bool | None,
    technical_passed: bool | None,
    calibrated_on: date | None,
    site: str | None,
    today: date,
) -> Standing:
    """第四十一条第一款 as a decision: both reviews passed, calibration current, site published."""
    due = calibrated_on + CALIBRATION_VALID if calibrated_on else None
    if legal_passed is False or technical_passed is False:
        return Standing(False, "审核不通过", due)
    if legal_passed is None and technical_passed is None:
        return Standing(False, "未审核", due)
    if legal_passed is None:
        return Standing(False, "待法制审核", due)
    if technical_passed is None:
        return Standing(False, "待技术审核", due)
    if due is None or due < today:
        return Standing(False, "校准过期", due)
    if not site:
        return Standing(False, "设置地点未公布", due)
    return Standing(True, "已审核", due)
