"""第四十一条 standing of a device: both reviews, calibration current, site published."""

from datetime import date

import pytest

from chengguan.video.standing import standing

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("legal", "technical", "calibrated", "site", "capable", "label"),
    [
        (True, True, date(2026, 3, 1), "黄岛区长江中路 1 号", True, "已审核"),
        (None, None, None, None, False, "未审核"),
        (None, True, date(2026, 3, 1), "某地", False, "待法制审核"),
        (True, None, None, "某地", False, "待技术审核"),
        (True, False, date(2026, 3, 1), "某地", False, "审核不通过"),
        (True, True, date(2025, 12, 6), "某地", False, "校准过期"),
        (True, True, date(2025, 12, 7), "某地", True, "已审核"),  # due today: still current
        (True, True, date(2026, 3, 1), None, False, "设置地点未公布"),
    ],
)
def test_standing(legal, technical, calibrated, site, capable, label) -> None:  # type: ignore[no-untyped-def]
    s = standing(legal_passed=legal, technical_passed=technical, calibrated_on=calibrated, site=site, today=TODAY)
    assert (s.evidence_capable, s.label) == (capable, label)
