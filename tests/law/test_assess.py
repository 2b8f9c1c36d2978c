"""The penalty calculator: tier boundaries, 行政处罚法 arts. 30–33 exemptions, art. 51 caps, art. 58/63 flags."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengguan.law.assess import (
    AGGRAVATING,
    DEFAULT_BANDS,
    MANDATORY_MITIGATION,
    AssessError,
    Circumstances,
    HearingRule,
    MatterFacts,
    TierBand,
    assess,
)
from chengguan.law.enums import PartyType, Tier

IND, ORG = PartyType.individual, PartyType.organization
BARBECUE = MatterFacts(  # 大气污染防治法第一百一十八条第三款: 五百元以上二万元以下
    "06029-QG-01",
    "露天烧烤",
    ("order_correct", "confiscation", "fine"),
    ("第一百一十八条第三款",),
    {IND: (500_00, 20_000_00), ORG: (500_00, 20_000_00)},
)
BIKES = MatterFacts(  # 道路交通安全法第八十九条: 警告或者五元以上五十元以下
    "09010-QG-01", "非机动车乱停", ("warning", "fine"), ("第八十九条",), {IND: (5_00, 50_00), ORG: None}
)
PARKING = MatterFacts(
    "09009-QG-01",
    "机动车违停",
    ("warning", "fine"),
    ("第九十三条第二款",),
    {IND: (20_00, 200_00), ORG: (20_00, 200_00)},
)
MUCK = MatterFacts(
    "06014-QG-01",
    "渣土车遗撒",
    ("order_correct", "fine"),
    ("第一百一十六条",),
    {IND: (2_000_00, 20_000_00), ORG: (2_000_00, 20_000_00)},
)
FUMES_CLOSE = MatterFacts(
    "06027-QG-02",
    "住宅楼新建餐饮",
    ("order_correct", "restriction", "fine"),
    ("第一百一十八条第二款",),
    {IND: (10_000_00, 100_000_00), ORG: (10_000_00, 100_000_00)},
)
NO_AMOUNT = MatterFacts(
    "07007-QG-01",
    "张贴宣传品",
    ("order_correct", "warning", "fine"),
    ("第三十四条第（二）项",),
    {IND: None, ORG: None},
    fine_note="国家层面未规定罚款数额",
)
BUILDING = MatterFacts(
    "08016-QG-01",
    "违法建设",
    ("order_correct", "fine"),
    ("第六十四条",),
    {IND: None, ORG: None},
    ratio_pct=(5, 10),
    ratio_base="建设工程造价",
)
HEARING = HearingRule(10_000_00, 100_000_00, "测试")


@pytest.mark.parametrize(
    ("circumstances", "tier", "low", "high"),
    [
        (Circumstances(), Tier.general, 500_00, 6_350_00),  # 0–30 % of 500–20,000
        (Circumstances(harm="general"), Tier.serious, 6_350_00, 14_150_00),  # 30–70 %
        (Circumstances(repeat_count=1), Tier.serious, 6_350_00, 14_150_00),
        (Circumstances(aggravating=("refused_correction",)), Tier.serious, 6_350_00, 14_150_00),
        (Circumstances(harm="serious"), Tier.severe, 14_150_00, 20_000_00),  # 70–100 %
        (Circumstances(repeat_count=2), Tier.severe, 14_150_00, 20_000_00),
        (Circumstances(aggravating=("refused_correction", "public_complaints")), Tier.severe, 14_150_00, 20_000_00),
        (Circumstances(harm="serious", mitigating=("eliminated_harm",)), Tier.serious, 6_350_00, 14_150_00),
        (Circumstances(mitigating=("confessed_unknown",)), Tier.general, 500_00, 6_350_00),
    ],
)
def test_tier_boundaries_of_the_default_standard(circumstances, tier, low, high):
    result = assess(BARBECUE, IND, circumstances)
    assert (result.tier, result.fine_min_fen, result.fine_max_fen) == (tier, low, high)
    assert low <= result.suggested_fen <= high
    assert result.suggested_fen % 100 == 0, "whole yuan"


def test_mitigation_suggests_the_lower_bound():
    assert assess(BARBECUE, IND, Circumstances(mitigating=("minor_14_to_18",))).suggested_fen == 500_00


def test_explicit_tier_amounts_of_a_local_standard():
    bands = (TierBand(Tier.general, "", min_fen=500_00, max_fen=1_850_00),)
    result = assess(BARBECUE, IND, Circumstances(), bands=bands)
    assert (result.fine_min_fen, result.fine_max_fen) == (500_00, 1_850_00)


@pytest.mark.parametrize(
    ("circumstances", "basis"),
    [
        (
            Circumstances(corrected_in_time=True, harm="none"),
            "第三十三条第一款",
        ),  # 轻微并及时改正、没有危害后果: 不予处罚
        (Circumstances(first_offense=True, corrected_in_time=True, harm="minor"), "可以不予行政处罚"),  # 首违不罚
        (Circumstances(no_fault_proven=True, harm="general"), "第三十三条第二款"),
        (Circumstances(under_14=True, harm="serious"), "第三十条"),
        (Circumstances(unable_to_recognise=True), "第三十一条"),
    ],
)
def test_no_penalty_cases_of_articles_30_to_33_require_education(circumstances, basis):
    result = assess(BARBECUE, IND, circumstances)
    assert result.exempt and result.education_required
    assert basis in result.exemption_basis
    assert result.tier == Tier.minor and result.suggested_fen == 0
    assert "第三十三条第三款" in result.reasoning


@pytest.mark.parametrize(
    "circumstances",
    [
        Circumstances(first_offense=False, repeat_count=1, corrected_in_time=True, harm="minor"),  # not first
        Circumstances(first_offense=True, corrected_in_time=False, harm="minor"),  # not corrected
        Circumstances(first_offense=True, corrected_in_time=True, harm="general"),  # harm beyond minor
    ],
)
def test_no_exemption_outside_article_33(circumstances):
    assert not assess(BARBECUE, IND, circumstances).exempt


def test_first_offense_exemption_can_be_switched_off_per_matter():
    strict = MatterFacts(**{**BARBECUE.__dict__, "first_offense_exempt_possible": False})
    assert not assess(strict, IND, Circumstances(corrected_in_time=True, harm="minor")).exempt


@pytest.mark.parametrize(
    ("matter", "party", "circumstances", "allowed"),
    [
        (BIKES, IND, Circumstances(harm="serious"), True),  # ≤ 50 元
        (PARKING, IND, Circumstances(harm="serious"), True),  # severe band 146–200 元: at most 200 元
        (MUCK, IND, Circumstances(mitigating=("eliminated_harm",)), False),  # 2,000 元 > 200 元 for a citizen
        (MUCK, ORG, Circumstances(mitigating=("eliminated_harm",)), True),  # 2,000 元 ≤ 3,000 元 for an organisation
        (MUCK, ORG, Circumstances(), False),  # 4,700 元 > 3,000 元
        (NO_AMOUNT, IND, Circumstances(), True),  # a warning can be given on the spot
    ],
)
def test_simple_procedure_follows_article_51(matter, party, circumstances, allowed):
    result = assess(matter, party, circumstances)
    assert result.simple_procedure_allowed is allowed
    assert "第五十一条" in result.reasoning


def test_article_51_cap_is_inclusive():
    wide = MatterFacts("X", "宽幅度", ("fine",), ("第一条",), {IND: (1_00, 10_000_00), ORG: (1_00, 10_000_00)})
    exactly = TierBand(Tier.general, "", min_fen=200_00, max_fen=200_00)
    above = TierBand(Tier.general, "", min_fen=201_00, max_fen=201_00)
    assert assess(wide, IND, Circumstances(), bands=(exactly,)).simple_procedure_allowed
    assert not assess(wide, IND, Circumstances(), bands=(above,)).simple_procedure_allowed
    org_above = TierBand(Tier.general, "", min_fen=3_001_00, max_fen=3_001_00)
    assert not assess(wide, ORG, Circumstances(), bands=(org_above,)).simple_procedure_allowed
    org_cap = TierBand(Tier.general, "", min_fen=3_000_00, max_fen=3_000_00)
    assert assess(MUCK, ORG, Circumstances(), bands=(org_cap,)).simple_procedure_allowed


def test_hearing_right_at_the_large_amount_and_for_closure():
    assert not assess(BARBECUE, IND, Circumstances(), hearing=HEARING).hearing_right  # 3,400 元
    result = assess(BARBECUE, IND, Circumstances(harm="serious"), hearing=HEARING)  # 17,000 元 ≥ 10,000 元
    assert result.hearing_right and result.legal_review_required and "第六十三条" in result.reasoning
    closing = assess(FUMES_CLOSE, ORG, Circumstances(aggravating=("refused_correction",)), hearing=HEARING)
    assert closing.hearing_right and not closing.simple_procedure_allowed


def test_legal_review_for_article_58_cases():
    assert assess(BIKES, IND, Circumstances(major_public_interest=True)).legal_review_required
    assert assess(BIKES, IND, Circumstances(complex_case=True)).legal_review_required
    assert not assess(BIKES, IND, Circumstances()).legal_review_required


def test_no_amount_in_law_gives_no_range_and_says_so():
    result = assess(NO_AMOUNT, IND, Circumstances())
    assert result.fine_min_fen is None and result.suggested_fen is None
    assert "未规定罚款数额" in result.reasoning


def test_proportional_fine_needs_and_uses_the_base():
    with pytest.raises(AssessError) as error:
        assess(BUILDING, ORG, Circumstances())
    assert error.value.field == "circumstances.base_amount_fen"
    result = assess(BUILDING, ORG, Circumstances(base_amount_fen=1_000_000_00))
    assert (result.statutory_min_fen, result.statutory_max_fen) == (50_000_00, 100_000_00)


def test_unknown_circumstance_keys_are_refused():
    with pytest.raises(AssessError):
        assess(BARBECUE, IND, Circumstances(aggravating=("bad_mood",)))


@settings(max_examples=300, deadline=None)
@given(
    matter=st.sampled_from([BARBECUE, BIKES, PARKING, MUCK, FUMES_CLOSE]),
    party=st.sampled_from([IND, ORG]),
    harm=st.sampled_from(["none", "minor", "general", "serious"]),
    repeat=st.integers(0, 5),
    corrected=st.booleans(),
    mitigating=st.lists(st.sampled_from(sorted(MANDATORY_MITIGATION)), max_size=2, unique=True),
    aggravating=st.lists(st.sampled_from(sorted(AGGRAVATING)), max_size=3, unique=True),
)
def test_suggestion_never_leaves_the_statutory_range(matter, party, harm, repeat, corrected, mitigating, aggravating):
    circumstances = Circumstances(
        first_offense=repeat == 0,
        corrected_in_time=corrected,
        harm=harm,
        repeat_count=repeat,
        mitigating=tuple(mitigating),
        aggravating=tuple(aggravating),
    )
    result = assess(matter, party, circumstances)
    statutory = matter.fine_fen[party]
    if result.exempt or statutory is None:
        return
    assert statutory[0] <= result.fine_min_fen <= result.suggested_fen <= result.fine_max_fen <= statutory[1]
    assert result.tier in (Tier.general, Tier.serious, Tier.severe)
    assert {b.tier for b in DEFAULT_BANDS} >= {result.tier}
