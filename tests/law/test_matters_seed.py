"""Every shipped enforcement matter cites articles that exist in the imported texts, with the ranges they state."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from chengguan.core.db import Database
from chengguan.law import seed, service
from chengguan.law.models import EnforcementMatter, Law
from chengguan.law.numerals import fine_ranges
from chengguan.law.schemas import AssessRequest
from chengguan.law.seed import categories, matter_from_seed
from chengguan.law.statutes import Citation, provision_text, shipped_statutes
from support import drop_database, migrated_database

MATTERS = tomllib.loads(resources.files("chengguan.law").joinpath("data", "matters.toml").read_text("utf-8"))["matter"]
CHECKLISTS = {
    c["code"]
    for c in tomllib.loads(resources.files("chengguan.law").joinpath("data", "checklists.toml").read_text("utf-8"))[
        "checklist"
    ]
}
PARSED = {source.code: source.parse() for source in shipped_statutes()}
LAW_REGION = {source.code: source.region for source in shipped_statutes()}
IDS = [m["code"] for m in MATTERS]
BY_CODE = {m["code"]: m for m in MATTERS}
# The code's middle part names where the matter's law applies: national, Beijing, Shandong, Qingdao.
REGION_OF_TAG = {"QG": "", "BJ": "110000", "SD": "370000", "QD": "370200"}
_AMOUNT = re.compile(r"[零〇一二两三四五六七八九十百千万\d.]+万?元")


def cited(ref: str) -> str:
    law, _, citation = ref.partition(" ")
    parsed = Citation.parse(citation)
    return provision_text(PARSED[law].articles[parsed.article - 1], parsed)


def test_at_least_130_matters_with_unique_codes():
    assert len(MATTERS) >= 130
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
    words = {5: "百分之五", 10: "百分之十", 100: "一倍", 200: "两倍"}
    assert words[high] in text
    assert low == 0 or words[low] in text


@pytest.mark.parametrize(
    "matter",
    [
        m
        for m in MATTERS
        if "fine" in m["kinds"] and not {"individual", "organization", "ratio_pct", "per_unit"} & m.keys()
    ],
    ids=lambda m: m["code"],
)
def test_no_amount_in_the_law_is_said_so(matter):
    """市容环卫条例第三十四条、第三十六条 only say 罚款: no range, and a note pointing to local law."""
    assert all(fine_ranges(cited(ref)) == [] for ref in matter["penalty"])
    assert "未规定" in matter["note"]


@pytest.mark.parametrize("matter", [m for m in MATTERS if "per_unit" in m], ids=lambda m: m["code"])
def test_per_unit_fines_quote_the_unit_amount(matter):
    """青岛市市容环卫条例第三十一条第二款: 每平方米一百元 / 每处五千元 — a computed amount, no range to store."""
    text = "".join(cited(ref) for ref in matter["penalty"])
    assert "individual" not in matter and "organization" not in matter
    for amount in matter["per_unit"]:
        assert amount in text and amount in matter["note"]


@pytest.mark.parametrize("matter", MATTERS, ids=IDS)
def test_category_checklist_and_region_are_known(matter):
    assert matter["category"] in categories()
    assert matter["checklist"] in CHECKLISTS
    category, tag, _ = matter["code"].split("-")
    assert category == matter["category"]
    region = matter.get("region", "")
    assert REGION_OF_TAG[tag] == region
    # a local matter is punished under its own region's texts; a national one under national texts only
    assert {LAW_REGION[ref.partition(" ")[0]] for ref in matter["penalty"]} == {region}


def _operative_clauses(matter):
    """The clauses of the penalty provisions that state this matter's fine (a range sharing a bound with it)."""
    bounds = [tuple(matter[p]) for p in ("individual", "organization") if p in matter]
    for ref in matter["penalty"]:
        for clause in re.split(r"[。；\n]", cited(ref)):
            if any(low == lo or high == hi for low, high in fine_ranges(clause) for lo, hi in bounds):
                yield clause


@pytest.mark.parametrize(
    "matter", [m for m in MATTERS if "individual" in m or "organization" in m], ids=lambda m: m["code"]
)
def test_conditions_of_the_fine_are_stated(matter):
    """A fine only after an ignored order (拒不改正的，处), a discretionary fine (可以处) and the 情节严重 range
    are in the description an officer reads, as the penalty clause states them."""
    description = matter["description"]
    for clause in _operative_clauses(matter):
        head = clause[: m.start()] if (m := _AMOUNT.search(clause)) else clause
        for condition in ("拒不改正", "逾期不改正", "逾期未改正"):
            assert condition not in head or condition in description, (condition, clause)
        assert not re.search(r"可以?并?处", clause) or re.search(r"可以?并?处|可以", description), clause
        assert "情节严重" not in clause or "情节严重" in description, clause


# National matters whose penalty provision names no amount (市容环卫条例第三十四条、第三十六条; 固废法
# 第一百一十一条第三款 for individuals), and the Qingdao/Shandong matter for the same act that gives the amount.
LOCAL_AMOUNT_FOR = {
    "07007-QG-01": "07001-QD-01",
    "06036-QG-01": "06036-QD-01",
    "07003-QG-02": "07003-QD-01",
    "06007-QG-01": "06005-QD-01",
    "06010-QG-02": "06030-QD-01",
    "06012-QG-01": "06012-QD-01",
    "06014-QG-03": "06014-QD-01",
    "08000-QG-02": "08010-QD-01",
    "06010-QG-03": "06010-QD-02",
    "06000-QG-03": "06041-SD-01",
}


def test_every_national_matter_without_an_amount_has_a_qingdao_counterpart_with_one():
    no_amount = {
        m["code"] for m in MATTERS if not m.get("region") and "fine" in m["kinds"] and "未规定" in m.get("note", "")
    }
    assert no_amount == set(LOCAL_AMOUNT_FOR)
    for national, local in LOCAL_AMOUNT_FOR.items():
        counterpart = BY_CODE[local]
        assert counterpart["region"] in ("370200", "370000")
        assert counterpart["category"][:2] == BY_CODE[national]["category"][:2]
        lacking = {"individual", "organization"} - BY_CODE[national].keys()
        assert lacking & counterpart.keys() or "per_unit" in counterpart, local


def test_simple_procedure_flag_follows_article_51():
    values = {m["code"]: matter_from_seed(m) for m in MATTERS}
    assert values["09010-QG-01"]["simple_procedure_possible"]  # 警告或者五元以上五十元以下
    assert not values["08004-QG-01"]["simple_procedure_possible"]  # 一万元以上, 单位
    assert values["06029-QG-01"]["simple_procedure_possible"]  # 单位 500 元 ≤ 3,000 元
    assert not values["06027-QG-02"]["simple_procedure_possible"]
    assert values["06010-QD-02"]["simple_procedure_possible"]  # 可以处五十元以上二百元以下
    assert values["06029-SD-01"]["simple_procedure_possible"]  # 个人 500 元 > 200, but 单位 2,000 元 ≤ 3,000
    assert not values["08016-QD-01"]["simple_procedure_possible"]  # 五十万元以上
    assert not values["06014-QD-01"]["simple_procedure_possible"]  # 每平方米一百元: no minimum to go by
    assert values["10000-QD-08"]["simple_procedure_possible"]  # 给予警告 (and 两倍 of the sum)


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


@pytest.mark.commits  # seeds a database of its own
def test_migrate_adds_the_local_knowledge_base_to_a_database_holding_the_older_one(tmp_path, monkeypatch):
    """``chengguan migrate`` on a database seeded before the Shandong/Qingdao texts: they are added, once."""
    url = migrated_database(tmp_path)
    db = Database(url)
    shipped, read = seed.shipped_statutes(), seed._data

    def older(name):
        raw = read(name)
        if name == "matters.toml":
            return {"matter": [m for m in raw["matter"] if not m.get("region", "").startswith("37")]}
        if name == "standards.toml":
            return {**raw, "standard": [s for s in raw["standard"] if s["code"] != "qingdao"]}
        return raw

    try:
        monkeypatch.setattr(seed, "shipped_statutes", lambda: [s for s in shipped if not s.region.startswith("37")])
        monkeypatch.setattr(seed, "_data", older)
        with db.session() as session:
            seed.seed_knowledge_base(session)
            session.commit()
        monkeypatch.undo()
        with db.session() as session:
            added = seed.seed_knowledge_base(session)
            session.commit()
        local = [m for m in MATTERS if m.get("region", "").startswith("37")]
        assert (added.laws, added.matters, added.standards) == (9, len(local), 1)
        with db.session() as session:
            assert seed.seed_knowledge_base(session).matters == 0
            assert session.scalar(select(func.count()).select_from(Law)) == len(shipped)
            assert session.scalar(select(func.count()).select_from(EnforcementMatter)) == len(MATTERS)
            stored = session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == "06029-SD-01"))
            assert (stored.individual_max_fen, stored.organization_min_fen) == (1000_00, 2000_00)
            # 擅自占用道路经营 in Qingdao: the 一般 tier stays below the 情节严重 range (二千元以上一万元以下)
            request = AssessRequest(matter_code="09006-QD-01", party_type="individual", region="370202")
            result = service.run_assessment(session, request)
            assert result.standard.code == "qingdao"
            assert (result.fine_min_fen, result.fine_max_fen) == (500_00, 950_00)
    finally:
        db.dispose()
        drop_database(url)


STANDARDS = {
    s["code"]: s
    for s in tomllib.loads(resources.files("chengguan.law").joinpath("data", "standards.toml").read_text("utf-8"))[
        "standard"
    ]
}


def _serious_range(matter):
    """(ordinary range, 情节严重 range) where the penalty text gives both for every party of a local matter."""
    bounds = {tuple(matter[p]) for p in ("individual", "organization") if p in matter}
    if len(bounds) != 1:
        return None
    low, high = bounds.pop()
    text = "".join(cited(ref) for ref in matter["penalty"])
    if "情节严重的" not in text:
        return None
    ranges = fine_ranges(text)
    for first, second in pairwise(ranges):
        if first[0] == low and second[1] == high and first[1] == second[0]:
            return first, second
    return None


TWO_RANGES = [m for m in MATTERS if m.get("region", "").startswith("37") and _serious_range(m)]


def test_the_qingdao_standard_keeps_the_serious_range_for_serious_cases():
    """情节严重的，处… : only the 严重 tier may reach into that range; 一般 and 较重 stay within the ordinary range."""
    standard = STANDARDS["qingdao"]
    assert standard["region"] == "370200" and len(TWO_RANGES) >= 20
    rows = {(t.get("matter"), t["tier"]): t for t in standard["tier"]}
    assert {tier for matter, tier in rows if matter is None} == {"minor", "general", "serious", "severe"}
    for matter in TWO_RANGES:
        (low, top), serious = _serious_range(matter)
        general, heavier, severe = (rows[(matter["code"], t)]["yuan"] for t in ("general", "serious", "severe"))
        assert low == general[0] <= general[1] == heavier[0] <= heavier[1] == top, matter["code"]
        assert tuple(severe) == serious and "情节严重" in rows[(matter["code"], "severe")]["circumstances"]
