"""Every document kind renders for a complete case, and the decision carries every art. 59 item — checked on the
text pdfminer extracts from the real PDF, not on the template's input."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import pytest
from pdfminer.high_level import extract_text

from chengguan.documents.builders import BUILDERS, SEALED, build
from chengguan.documents.builders.common import yuan_upper
from chengguan.documents.context import ApprovalRef, DocContext, EvidenceRef, OfficerRef, Party, Remedy
from chengguan.documents.kinds import CATALOGUE, DocumentKind
from chengguan.documents.pdf import render_pdf

CTX = DocContext(
    case_id="0",
    case_code="AJ2026000123",
    authority="市南区综合行政执法局",
    unit_name="八大关街道执法中队",
    party=Party("individual", "张伟", "370202198001010011", "青岛市市南区中山路12号", "17012345678", None),
    matter_name="擅自占用城市道路经营",
    facts="于2026年11月3日在中山路12号店外占道经营，占用人行道约6平方米，经劝导未改正",
    place="中山路12号",
    act_on=date(2026, 11, 3),
    violated=("《城市市容和环境卫生管理条例》第十四条",),
    penalty_basis=("《城市市容和环境卫生管理条例》第三十六条第（一）项",),
    penalty_kinds=("警告", "罚款"),
    fine_fen=50_000,
    penalty_reasoning="依据自由裁量基准“一般”阶次",
    officers=(OfficerRef("李强", "37020226001"), OfficerRef("王磊", "37020226002")),
    evidence=(EvidenceRef(1, "现场照片（占道全景）", "照片", "2026年11月3日 10:32", "李强", "3f2a9c01d4e5b6a7"),),
    approvals=(ApprovalRef("filing_approval", "中队长审核", "赵军", True, "同意立案", "2026-11-04 09:00"),),
    remedy=Remedy("市南区人民政府", 60, "市南区人民法院", 6),
    payment_account="青岛银行市南支行 非税收入汇缴专户",
    issued_on=date(2026, 11, 20),
    procedure="ordinary",
    filed_on=date(2026, 11, 4),
    decided_on=date(2026, 11, 20),
    decision_no="市南区综执罚决字〔2026〕第0007号",
)


def pdf_text(kind: DocumentKind, ctx: DocContext = CTX, number: str | None = None) -> str:
    data = render_pdf(build(kind, ctx, number, "https://example.test/verify/abc"))
    assert data.startswith(b"%PDF-")
    # one running text: no spaces, no line breaks, no page footers between the lines of a page break
    return re.sub(r"第\d+页共\d+页", "", re.sub(r"\s", "", extract_text(io.BytesIO(data))))


def test_the_catalogue_has_a_builder_for_every_kind_and_more_than_twenty():
    assert set(BUILDERS) == set(DocumentKind) == set(CATALOGUE)
    assert len(BUILDERS) >= 20 and set(BUILDERS) >= SEALED


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_renders_with_its_title_and_number(kind: DocumentKind):
    info = CATALOGUE[kind]
    number = f"市南区综执{info.word}字〔2026〕第0001号" if info.word else None
    text = pdf_text(kind, CTX, number)
    assert info.title in text
    assert (number or CTX.case_code) in text


def test_the_decision_states_every_item_of_article_59():
    text = pdf_text(DocumentKind.penalty_decision, CTX, "市南区综执罚决字〔2026〕第0012号")
    required = {
        "(一) 当事人的姓名、地址": ["张伟", "青岛市市南区中山路12号", "370202198001010011"],
        "(二) 违法事实和证据": ["违法事实和证据", "占道经营", "现场照片（占道全景）"],
        "(三) 处罚种类和依据": [
            "《城市市容和环境卫生管理条例》第十四条",
            "第三十六条第（一）项",
            "警告",
            "人民币伍佰元整",
        ],
        "(四) 履行方式和期限": ["十五日内", "电子支付系统", "非税收入汇缴专户"],
        "(五) 复议、诉讼的途径和期限": [
            "60日内向市南区人民政府申请行政复议",
            "6个月内直接向市南区人民法院提起行政诉讼",
        ],
        "(六) 机关名称和日期": ["市南区综合行政执法局", "2026年11月20日"],
    }
    missing = {item: [w for w in words if w not in text] for item, words in required.items()}
    assert not any(missing.values()), missing


def test_a_hearing_right_is_announced_only_when_owed():
    assert "要求听证的权利" not in pdf_text(DocumentKind.prior_notice)
    assert "要求听证的权利" in pdf_text(DocumentKind.prior_notice, replace(CTX, hearing_right=True))


def test_what_a_person_wrote_replaces_the_default_text():
    ctx = replace(CTX, fields={"opinion": "经审核，建议减轻处罚。"})
    assert "经审核，建议减轻处罚。" in pdf_text(DocumentKind.legal_review_opinion, ctx)


@pytest.mark.parametrize(
    ("fen", "words"),
    [(50_000, "人民币伍佰元整"), (100_500, "人民币壹仟零伍元整"), (100_550, "人民币壹仟零伍元伍角"),
     (1_001, "人民币壹拾元零壹分"), (5, "人民币伍分"), (0, "人民币零元整"), (100_010_000, "人民币壹佰万零壹佰元整"),
     (20_000_000, "人民币贰拾万元整")],
)  # fmt: skip
def test_amounts_in_capitals(fen: int, words: str):
    assert yuan_upper(fen) == words


@pytest.mark.parametrize(
    "facts", ["当事人张伟于2026年11月3日在中山路12号店外占道经营。", "于2026年11月3日在中山路12号店外占道经营"]
)
def test_facts_written_with_or_without_their_subject_read_once(facts: str):
    """Facts are often written "当事人某某于……": the decision says 当事人 once, the notices address 你（单位） without
    the party's name after it, and no sentence ends twice."""
    ctx = replace(CTX, facts=facts)
    decision = pdf_text(DocumentKind.penalty_decision, ctx)
    assert "当事人当事人" not in decision and "。。" not in decision
    assert "经查，当事人" in decision and "于2026年11月3日在中山路12号店外占道经营。" in decision
    for kind in (DocumentKind.prior_notice, DocumentKind.rectification_notice):
        text = pdf_text(kind, ctx)
        assert "你（单位）当事人" not in text and "你（单位）张伟" not in text and "。。" not in text
