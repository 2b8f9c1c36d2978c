"""A penalty must be one the matter's provisions allow — pure rules.

行政处罚法 第四条、第十一条至第十四条 (who may set a penalty and its amount), 第五十一条 (the on-the-spot caps)."""

from __future__ import annotations

import pytest

from chengguan.law.assess import MatterFacts
from chengguan.law.enums import PartyType, PenaltyKind
from chengguan.law.fines import penalty_refusal

P, K = PartyType, PenaltyKind
RANGED = MatterFacts(
    code="X-1",
    name="露天烧烤",
    penalty_kinds=("order_correct", "confiscation", "fine"),
    penalty_citations=("《中华人民共和国大气污染防治法》第一百一十八条第三款",),
    fine_fen={P.individual: (500_00, 20_000_00), P.organization: (500_00, 20_000_00)},
)
NO_AMOUNT = MatterFacts(
    code="X-2",
    name="乱张贴",
    penalty_kinds=("order_correct", "warning", "fine"),
    penalty_citations=("《城市市容和环境卫生管理条例》第三十四条第（二）项",),
    fine_fen={P.individual: None, P.organization: None},
    fine_note="《城市市容和环境卫生管理条例》第三十四条只规定“可以并处警告、罚款”，国家层面未规定罚款数额",
)
SMALL = MatterFacts(
    code="X-3",
    name="违停",
    penalty_kinds=("warning", "fine"),
    penalty_citations=("《中华人民共和国道路交通安全法》第九十三条第二款",),
    fine_fen={P.individual: (20_00, 200_00), P.organization: (20_00, 200_00)},
)


@pytest.mark.parametrize(
    ("matter", "party", "kinds", "fine", "spot", "code"),
    [
        (RANGED, P.individual, [K.fine], 500_00, False, None),  # 以上: inclusive
        (RANGED, P.individual, [K.fine], 20_000_00, False, None),  # 以下: inclusive
        (RANGED, P.individual, [K.fine], 499_99, False, "case.fine_out_of_range"),
        (RANGED, P.individual, [K.fine], 20_000_01, False, "case.fine_out_of_range"),
        (
            RANGED,
            P.individual,
            [K.fine, K.order_correct],
            800_00,
            False,
            None,
        ),  # 责令改正 is not a penalty (第二十八条)
        (RANGED, P.individual, [K.warning], None, False, "case.penalty_kind_not_provided"),
        (RANGED, P.individual, [K.fine], None, False, "case.fine_missing"),
        (RANGED, P.individual, [K.fine], 500_00, True, "case.fine_over_simple_cap"),  # 第五十一条: 200 元
        (NO_AMOUNT, P.individual, [K.fine], 100_00, False, "case.fine_not_provided"),  # the 当场处罚 defect
        (NO_AMOUNT, P.organization, [K.fine], 100_00, True, "case.fine_not_provided"),
        (NO_AMOUNT, P.individual, [K.warning], None, True, None),  # a warning is named: allowed
        (SMALL, P.individual, [K.fine], 200_00, True, None),
        (SMALL, P.organization, [K.fine], 200_00, True, None),  # 第五十一条: 3,000 元 for organisations
        (SMALL, P.individual, [K.confiscation], None, False, "case.penalty_kind_not_provided"),
    ],
)
def test_penalty_table(matter, party, kinds, fine, spot, code):
    refusal = penalty_refusal(matter, party, kinds, fine, on_the_spot=spot)
    assert (refusal.code if refusal else None) == code


def test_messages_name_the_article_and_why():
    no_amount = penalty_refusal(NO_AMOUNT, P.individual, [K.fine], 100_00)
    assert no_amount is not None and "第三十四条" in no_amount.message and "未规定罚款数额" in no_amount.message
    assert no_amount.field == "penalty.fine_fen"
    out = penalty_refusal(RANGED, P.individual, [K.fine], 100_00)
    assert out is not None and "500 元以上 20000 元以下" in out.message and "第一百一十八条" in out.message
    cap = penalty_refusal(RANGED, P.organization, [K.fine], 3_000_01, on_the_spot=True)
    assert cap is not None and "3000 元" in cap.message and "第五十一条" in cap.message
