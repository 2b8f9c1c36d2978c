"""A decision states what 行政处罚法 第五十二条 (on the spot) and 第五十九条 require — pure table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chengguan.cases.particulars import Particulars, missing
from chengguan.law.enums import PartyType
from support import synthetic_ric

GOOD = synthetic_ric(1)
WRONG_CHECK_DIGIT = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")
AT = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
FULL = Particulars(
    facts="当事人在中山路12号门前人行道摆放桌椅经营烧烤，占用人行道约8平方米",
    address="青岛市市南区中山路12号门前人行道",
    act_at=AT,
    party_type=PartyType.individual,
    party_name="张某某",
    party_id_no=synthetic_ric(12345),
    party_address="青岛市市南区中山路12号",
)


def _replace(**changes):
    return Particulars(**{**FULL.__dict__, **changes})


@pytest.mark.parametrize(
    ("changes", "spot", "fields"),
    [
        ({}, True, []),
        ({}, False, []),
        ({"facts": "占道"}, True, ["facts"]),  # too short to say who did what where
        ({"facts": None}, False, ["facts"]),
        ({"act_at": None}, True, ["act_at"]),  # 第五十二条: 时间
        ({"act_at": None}, False, []),  # ordinary: the day of the act is always on the case
        ({"address": " "}, True, ["address"]),  # 地点
        ({"party_id_no": None}, True, ["party.id_no"]),
        ({"party_id_no": WRONG_CHECK_DIGIT}, False, ["party.id_no"]),
        ({"party_type": PartyType.organization}, False, ["party.id_no"]),  # an ID number is not a USCC
        ({"party_type": PartyType.organization, "party_id_no": "91110000600037341L"}, False, []),
        ({"party_address": None}, False, ["party.address"]),  # 第五十九条第一款第（一）项
        ({"party_address": None}, True, []),
        ({"facts": "", "address": "", "party_name": ""}, True, ["facts", "address", "party.name"]),
    ],
)
def test_particulars_table(changes, spot, fields):
    assert [m.field for m in missing(_replace(**changes), on_the_spot=spot)] == fields


def test_each_problem_names_its_article():
    problems = missing(_replace(act_at=None, address=""), on_the_spot=True)
    assert all("第五十二条" in p.message for p in problems)
    assert all("第五十九条" in p.message for p in missing(_replace(address=""), on_the_spot=False))
