"""The DOCX renderer: opens in python-docx with the text, CJK fonts on every run, A4 set-up, seal and QR images."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn
from docx.shared import Mm

from chengguan.documents.docx import render_docx
from chengguan.documents.seal import draw_seal_png
from documents.specimens import AUTHORITY, DOCUMENT_NO, decision, receipt


def test_decision_opens_with_its_text_fonts_and_page_setup() -> None:
    document = docx.Document(io.BytesIO(render_docx(decision(draw_seal_png(AUTHORITY, 300)))))
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == [AUTHORITY, "行政处罚决定书", DOCUMENT_NO]
    body = "\n".join(texts)
    assert "当事人：青岛海韵餐饮管理有限公司" in body and "罚款人民币伍佰元整（¥500.00）" in body
    assert "2026年3月5日" in body and "扫码核验" in body
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) in {"仿宋", "宋体"} for r in runs)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [28, 26]
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_seal_floats_over_the_closing_and_the_qr_code_is_inline() -> None:
    document = docx.Document(io.BytesIO(render_docx(decision(draw_seal_png(AUTHORITY, 300)))))
    images = [rel for rel in document.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 2  # seal and QR code
    anchors = document.element.body.findall(".//" + qn("wp:anchor"))
    assert len(anchors) == 1
    authority_paragraph = anchors[0].getparent().getparent().getparent()
    assert "".join(t.text for t in authority_paragraph.iter(qn("w:t"))) == AUTHORITY
    extent = anchors[0].find(qn("wp:extent"))
    assert int(extent.get("cx")) == Mm(42)
    assert len(document.inline_shapes) == 1  # the QR code


def test_unsealed_copy_has_no_seal_image() -> None:
    document = docx.Document(io.BytesIO(render_docx(decision(None))))
    assert not document.element.body.findall(".//" + qn("wp:anchor"))


def test_tables_repeat_their_header_row() -> None:
    document = docx.Document(io.BytesIO(render_docx(receipt(40))))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["送达文书名称", "文书编号"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(table.rows) == 41 and table.rows[40].cells[1].text == "青西综执询通字〔2026〕第0040号"
