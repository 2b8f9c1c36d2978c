"""Every shipped enforcement matter cites articles that exist in the imported texts, with the ranges they state."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from chengguan.law.numerals import fine_ranges
from chengguan.law.seed import categories, matter_from_seed
from chengguan.law.statutes import Citation, provision_text, shipped_statutes

MATTERS = tomllib.loads(resources.files("chengguan.law").joinpath("data", "matters.toml").read_text("utf-8"))["matter"]
CHECKLISTS = {
    c["code"]
    for c in tomllib.loads(resources.files("chengguan.law").joinpath("data", "checklists.toml").read_text("utf-8"))[
        "checklist"
    ]
}
PARSED = {source.code: source.parse() for source in shipped_statutes()}
IDS = [m["code"] for m in MATTERS]


def cited(ref: str) -> str:
    law, _, citation = ref.partition(" ")
    parsed = Citation.parse(citation)
    return provision_text(PARSED[law].articles[parsed.article - 1], parsed)


def test_at_least_forty_matters_with_unique_codes():
    assert len(MATTERS) >= 40
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("matter", MATTERS, ids=IDS)
def test_articles_exist_in_the_imported_texts(matter):
    for ref in matter["violated"] + matter["penalty"]:
        assert cited(ref), ref


@pytest.mark.parametrize("matter", MATTERS, ids=IDS)
def test_fine_range_matches_the_penalty_text(matter):
    stated = [r for ref in matter["penalty"] for r in fine_ranges(cited(ref))]
    lows, highs = {low for low, _ in stated}, {high for _, high in stated}
    for party in ("individual", "organization"):
        if party in matter:
            low, high = matter[party]
            assert low in lows and high in highs, f"{party} {low}–{high} not stated in {matter['penalty']}: {stated}"


@pytest.mark.parametrize("matter", [m for m in MATTERS if "ratio_pct" in m], ids=lambda m: m["code"])
def test_proportional_fines_quote_the_proportion(matter):
    text = "".join(cited(ref) for ref in matter["penalty"])
    low, high = matter["ratio_pct"]
    words = {5: "百分之五", 10: "百分之十", 100: "一倍"}
    assert words[high] in text
    assert low == 0 or words[low] in text


@pytest.mark.parametrize(
    "matter",
    [
        m
        for m in MATTERS
        if "fine" in m["kinds"] and "individual" not in m and "organization" not in m and "ratio_pct" not in m
    ],
    ids=lambda m: m["code"],
)
def test_no_amount_in_the_law_is_said_so(matter):
    """市容环卫条例第三十四条、第三十六条 only say 罚款: no range, and a note pointing to local law."""
    assert all(fine_ranges(cited(ref)) == [] for ref in matter["penalty"])
    assert "未规定" in matter["note"]


@pytest.mark.parametrize("matter", MATTERS, ids=IDS)
def test_category_checklist_and_region_are_known(matter):
    assert matter["category"] in categories()
    assert matter["checklist"] in CHECKLISTS
    assert matter.get("region", "") in ("", "110000")
    if matter.get("region") == "110000":
        assert all(ref.startswith("beijing-srhw ") for ref in matter["penalty"])


def test_simple_procedure_flag_follows_article_51():
    values = {m["code"]: matter_from_seed(m) for m in MATTERS}
    assert values["09010-QG-01"]["simple_procedure_possible"]  # 警告或者五元以上五十元以下
    assert not values["08004-QG-01"]["simple_procedure_possible"]  # 一万元以上, 单位
    assert values["06029-QG-01"]["simple_procedure_possible"]  # 单位 500 元 ≤ 3,000 元
    assert not values["06027-QG-02"]["simple_procedure_possible"]


def test_required_matters_are_covered():
    names = " ".join(m["name"] for m in MATTERS)
    for words in (
        "户外广告",
        "建设工程规划许可证",
        "油烟",
        "露天烧烤",
        "防尘",
        "渣土",
        "建筑垃圾",
        "夜间",
        "生活垃圾",
        "挖掘城市道路",
        "张贴",
        "非机动车",
        "摆摊",
    ):
        assert words in names or any(words in m["description"] for m in MATTERS), words
