"""The demo's case scenarios (demo/data/scenarios.toml): one per enforcement matter in force in Qingdao, each a
party the matter's fine ranges allow, a drawable scene, three photo captions and facts that name the act."""

from __future__ import annotations

import re
import string
import tomllib
from importlib import resources

import pytest

from chengguan.law.numerals import fine_ranges
from chengguan.law.search import region_applies
from chengguan.law.statutes import Citation, provision_text, shipped_statutes

SCENARIOS = tomllib.loads(resources.files("chengguan.demo").joinpath("data", "scenarios.toml").read_text("utf-8"))[
    "scenario"
]
MATTERS = {
    m["code"]: m
    for m in tomllib.loads(resources.files("chengguan.law").joinpath("data", "matters.toml").read_text("utf-8"))[
        "matter"
    ]
}
QINGDAO = "370202"
IN_QINGDAO = {code for code, m in MATTERS.items() if region_applies(m.get("region") or None, QINGDAO)}
# A Qingdao officer applies the Qingdao/Shandong matter that states the amount, not the national one that does not
# (tests/law/test_matters_seed.py LOCAL_AMOUNT_FOR): no demo case uses these.
NO_SCENARIO = {
    "07007-QG-01": "青岛：07001-QD-01（市容环卫条例第二十九条）",
    "06036-QG-01": "青岛：06036-QD-01、06001-QD-01（第二十六条）",
    "07003-QG-02": "青岛：07003-QD-01（第三十五条）",
    "06007-QG-01": "青岛：06005-QD-01（第十七条）",
    "06010-QG-02": "青岛：06030-QD-01（第五十六条）",
    "06012-QG-01": "青岛：06012-QD-01（第十二条）",
    "06014-QG-03": "青岛：06014-QD-01（第三十一条）",
    "08000-QG-02": "青岛：08010-QD-01（第三十条）",
    "06010-QG-03": "青岛：06010-QD-02（第五十六条）",
    "06000-QG-03": "山东：06041-SD-01（生活垃圾管理条例第四十三条）",
}
PARTIES = {"shop", "company", "builder", "individual", "driver", "property"}
ORGANIZATIONS = {"company", "builder", "property"}
PERSONS = {"individual", "driver", "shop"}  # a shop may be an individual business (个体工商户)
SCENES = {"stall", "street", "site", "billboard", "truck", "smoke", "building", "garbage", "facade", "green", "night"}
IDS = [s["matter"] for s in SCENARIOS]
PARSED = {source.code: source.parse() for source in shipped_statutes()}
_AMOUNT = re.compile(r"[零〇一二两三四五六七八九十百千万\d.]+万?元")


def test_one_scenario_for_every_matter_in_force_in_qingdao():
    assert len(IDS) == len(set(IDS)), "one scenario per matter"
    assert set(NO_SCENARIO) <= IN_QINGDAO
    assert set(IDS) == IN_QINGDAO - set(NO_SCENARIO)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_fits_its_matter(scenario):
    matter = MATTERS[scenario["matter"]]
    assert scenario["party"] in PARTIES and scenario["scene"] in SCENES
    if "organization" in matter and "individual" not in matter:
        assert scenario["party"] in ORGANIZATIONS, "the law fines only organizations"
    if "individual" in matter and "organization" not in matter:
        assert scenario["party"] in PERSONS, "the law fines only persons"
    said = " ".join([matter["name"], matter["description"], *matter["keywords"]])
    assert scenario["terms"]
    for term in scenario["terms"]:
        assert term in scenario["facts"], term
        assert term in said, term


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_facts_photos_and_numbers_are_well_formed(scenario):
    facts = scenario["facts"]
    fields = {name for _, name, _, _ in string.Formatter().parse(facts) if name is not None}
    assert "addr" in fields and fields <= {"addr", "n", "m"}
    for key in ("n", "m"):
        assert (key in fields) == (key in scenario), key
        if key in scenario:
            low, high = scenario[key]
            assert isinstance(low, int) and isinstance(high, int) and 0 < low <= high
    text = facts.format(addr="延安三路88号" + scenario["place"], n=3, m=2)
    assert "当事人" not in text and not re.search(r"\d{4}年|\d+月\d+日|\d+时", text), "the demo adds the time"
    photos = scenario["photos"]
    assert len(photos) == 3 and len(set(photos)) == 3 and all(photos)
    assert scenario.get("detection", "x").strip()


def _entry_clauses(matter):
    """The penalty clauses that state the lowest fine of the matter (its entry condition precedes the amount)."""
    lows = {matter[p][0] for p in ("individual", "organization") if p in matter}
    for ref in matter["penalty"]:
        law, _, cited = ref.partition(" ")
        citation = Citation.parse(cited)
        for clause in re.split(r"[。；\n]", provision_text(PARSED[law].articles[citation.article - 1], citation)):
            if any(low in lows for low, _ in fine_ranges(clause)):
                yield clause


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_facts_meet_the_condition_of_the_fine(scenario):
    """Where the law fines only after an ignored order (拒不改正的/逾期未改正的，处) or only 情节严重的, the facts
    say so."""
    for clause in _entry_clauses(MATTERS[scenario["matter"]]):
        found = _AMOUNT.search(clause)
        head = clause[: found.start()] if found else clause
        if re.search(r"拒不|逾期不|逾期未", head):
            assert re.search(r"拒不|逾期不|逾期未", scenario["facts"]), clause
        if "情节严重" in head:
            assert "情节严重" in scenario["facts"], clause
