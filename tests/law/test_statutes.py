"""The statute importer: article numbering of every shipped text, citations down to clause and item, numerals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengguan.law.numerals import article_label, cn_to_int, fine_ranges, int_to_cn
from chengguan.law.statutes import Citation, StatuteFormatError, parse_statute, provision_text, shipped_statutes

# Counted by hand from the published texts (the last article of each): the importer must find exactly these.
ARTICLE_COUNTS = {
    "xingzheng-chufa": 86,
    "xingzheng-qiangzhi": 71,
    "chengxiang-guihua": 70,
    "daqi": 129,
    "zaosheng": 90,
    "gufei": 126,
    "guanggao": 74,
    "jiaotong-anquan": 124,
    "srhw-tiaoli": 45,
    "daolu-guanli": 45,
    "jiaotong-chuli": 83,
    "beijing-srhw": 67,
    "shanghai-cgzf": 42,
    "pudong-fxczf": 18,
    "shandong-daqi": 85,
    "shandong-laji": 45,
    "qingdao-srhw": 64,
    "qingdao-daqi": 38,
    "qingdao-cxgh": 37,  # the reference copy ends at 第三十七条 (no 法律责任 chapter)
    "qingdao-jzfqw": 31,
    "qingdao-wuye": 93,
    "qingdao-fengmao": 60,
    "qingdao-wenming": 38,
}
PARSED = {source.code: source.parse() for source in shipped_statutes()}


def test_every_shipped_statute_is_pinned():
    assert set(PARSED) == set(ARTICLE_COUNTS)


@pytest.mark.parametrize(("code", "count"), sorted(ARTICLE_COUNTS.items()))
def test_article_numbering_runs_one_to_n(code, count):
    articles = PARSED[code].articles
    assert len(articles) == count
    assert [a.number for a in articles] == list(range(1, count + 1))
    assert articles[-1].label == article_label(count)
    assert all(a.paragraphs for a in articles), "every article has text"


@pytest.mark.parametrize(
    ("code", "citation", "expected"),
    [
        ("daqi", "第一百一十八条第三款", "露天烧烤食品或者为露天烧烤食品提供场地的"),
        ("beijing-srhw", "第三十五条第五款", "五百元以上五千元以下"),
        ("gufei", "第一百一十一条第一款第（七）项", "（七）在运输过程中沿途丢弃、遗撒生活垃圾的"),
        ("daolu-guanli", "第四十二条第（六）项", "未按照批准的位置、面积、期限占用或者挖掘城市道路"),
        ("xingzheng-chufa", "第五十一条", "对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款"),
        ("qingdao-srhw", "第二十四条第一款", "处五百元以上二千元以下罚款；情节严重的，处二千元以上一万元以下罚款"),
        ("qingdao-srhw", "第三十一条第二款", "按照每平方米一百元处罚款"),
        ("qingdao-daqi", "第三十五条第（二）项", "(二)加热、熔融沥青不使用密闭装置的,处五千元以下罚款"),
        ("shandong-daqi", "第八十条", "对个人处五百元以上一千元以下的罚款"),
        ("shandong-laji", "第四十三条", "对个人处五十元以上二百元以下的罚款"),
        ("qingdao-fengmao", "第四十条第一款", "禁止取消现状道路"),  # an article line indented with U+3000
        ("qingdao-wuye", "第八十九条第（二）项", "并处被挪用或者侵占资金金额两倍的罚款"),
    ],
)
def test_citation_resolves_to_the_cited_words(code, citation, expected):
    parsed = Citation.parse(citation)
    assert str(parsed) == citation
    assert expected in provision_text(PARSED[code].articles[parsed.article - 1], parsed)


def test_item_citation_keeps_the_clause_lead_in():
    text = provision_text(PARSED["gufei"].articles[110], Citation.parse("第一百一十一条第一款第（一）项"))
    assert text.startswith("违反本法规定，有下列行为之一")
    assert text.endswith("（一）随意倾倒、抛撒、堆放或者焚烧生活垃圾的；")


def test_missing_clause_or_item_is_reported():
    with pytest.raises(LookupError, match="只有"):
        provision_text(PARSED["daqi"].articles[117], Citation.parse("第一百一十八条第九款"))
    with pytest.raises(ValueError):
        Citation.parse("第一百一十八条之三")


def test_chapters_and_sections_are_kept():
    article = PARSED["xingzheng-chufa"].articles[50]
    assert (article.chapter, article.section) == ("第五章 行政处罚的决定", "第二节 简易程序")


def test_gap_in_numbering_is_refused():
    text = "# 测试条例\n\n第一条 甲。\n\n第三条 丙。\n"
    with pytest.raises(StatuteFormatError, match="应为第二条"):
        parse_statute(text)


@given(st.integers(min_value=1, max_value=99_999))
def test_numerals_round_trip(number):
    assert cn_to_int(int_to_cn(number)) == number


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("处五千元以上五万元以下的罚款", [(5000, 50000)]),
        ("可以处以2万元以下的罚款", [(0, 20000)]),
        ("并可处五十元罚款；情节严重的，处二百元罚款", [(50, 50), (200, 200)]),
        ("对单位处一万元以上十万元以下的罚款，对个人处五百元以上二千元以下的罚款", [(10000, 100000), (500, 2000)]),
        ("处建设工程造价百分之五以上百分之十以下的罚款", []),
    ],
)
def test_fine_ranges_read_as_written(text, ranges):
    assert fine_ranges(text) == ranges
