"""The PDF renderer, checked on the real output: extracted text, embedded fonts, pages, seal field, QR modules."""

from __future__ import annotations

import io
import re
import zlib

import pytest
import segno
from pdfminer.high_level import extract_text
from pypdf import PdfReader

from chengguan.documents import fonts
from chengguan.documents.layout import Closing, DocumentSpec, Paragraph, SealSpec
from chengguan.documents.linebreak import NO_START
from chengguan.documents.pdf import BOTTOM, PAGE_W, QR_MM, RIGHT, render_pdf, render_pdf_layout
from chengguan.documents.seal import draw_seal_png
from documents.specimens import AUTHORITY, DOCUMENT_NO, VERIFY_URL, decision, receipt

MM = 72 / 25.4


@pytest.fixture(scope="module")
def rendered():
    return render_pdf_layout(decision())


@pytest.fixture(scope="module")
def text(rendered) -> str:
    return extract_text(io.BytesIO(rendered.data))


def test_two_page_decision_has_title_number_body_and_page_numbers(rendered, text: str) -> None:
    assert rendered.pages == 2 and len(PdfReader(io.BytesIO(rendered.data)).pages) == 2
    for expected in (
        AUTHORITY,
        "行政处罚决定书",
        DOCUMENT_NO,
        "当事人：青岛海韵餐饮管理有限公司",
        "罚款人民币伍佰元整（¥500.00）",
        "申请行政复议",
        "2026年3月5日",
        "第 1 页 共 2 页",
        "第 2 页 共 2 页",
        "扫码核验",
    ):
        assert expected in text.replace("\n", "") or expected in text, expected


def test_extracted_lines_never_start_with_closing_punctuation(text: str) -> None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(lines) > 40
    assert not [line for line in lines if line[0] in NO_START]


def test_fonts_are_embedded_subsets_with_unicode_maps(rendered) -> None:
    reader = PdfReader(io.BytesIO(rendered.data))
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert font["/Encoding"] == "/Identity-H" and "/ToUnicode" in font
            assert "/FontFile2" in descendant["/FontDescriptor"]
            assert re.fullmatch(r"/[A-Z]{6}\+ChengguanSerifSC(Bold)?", font["/BaseFont"])
            seen.add(font["/BaseFont"])
    assert len(seen) == 2  # regular body, bold title and labels
    assert len(rendered.data) < 200_000  # subsets, not the 25 MB collection


def test_seal_field_sits_over_the_closing_on_the_last_page(rendered) -> None:
    box = rendered.seal_box
    assert box is not None and box.page == rendered.pages - 1
    assert box.x2 - box.x1 == pytest.approx(42 * MM, abs=0.1)
    reader = PdfReader(io.BytesIO(rendered.data))
    fields = reader.get_fields()
    assert fields["AuthoritySeal"]["/FT"] == "/Sig" and "/V" not in fields["AuthoritySeal"]
    widget = next(a.get_object() for a in reader.pages[box.page]["/Annots"] if a.get_object().get("/T"))
    assert [round(float(v)) for v in widget["/Rect"]] == [round(v) for v in (box.x1, box.y1, box.x2, box.y2)]
    # Right half of the text area, below the body, above the bottom margin.
    assert box.x1 > PAGE_W / 2 * MM * 0.8 and box.y1 > BOTTOM * MM


def _image_count(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    return sum(
        1
        for page in reader.pages
        for xobj in page["/Resources"].get("/XObject", {}).values()
        if xobj.get_object()["/Subtype"] == "/Image"
    )


def test_seal_image_is_drawn_only_when_given() -> None:
    printed = render_pdf(decision(draw_seal_png(AUTHORITY, 300)))
    assert _image_count(printed) == 1
    states = PdfReader(io.BytesIO(printed)).pages[-1]["/Resources"]["/ExtGState"].values()
    assert "/Multiply" in [gs.get_object().get("/BM") for gs in states]  # ink over the authority and date
    assert _image_count(render_pdf(decision(None))) == 0
    unsealed = render_pdf(decision(sealed=False))
    assert PdfReader(io.BytesIO(unsealed)).get_fields() is None


def _qr_matrix_from_page(pdf: bytes) -> list[list[bool]]:
    """Rebuild the QR modules from the filled rectangles drawn in the bottom-right corner of the last page."""
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    content = page.get_contents().get_data().decode("latin-1")
    x0, top = (PAGE_W - RIGHT - QR_MM) * MM, (BOTTOM - 4) * MM  # PDF y grows upwards from the page foot
    rects = []
    for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re f", content):
        x, y, w, h = map(float, m.groups())
        if x >= x0 - 0.1 and y <= top + 0.1:
            rects.append((x, y, w, h))
    version = segno.make(VERIFY_URL, error="m", micro=False)
    n = len(list(version.matrix_iter(scale=1, border=0)))
    module = QR_MM * MM / n
    grid = [[False] * n for _ in range(n)]
    for x, y, w, _h in rects:
        row = round((top - y) / module)  # fpdf2 draws from the top edge with a negative height
        first = round((x - x0) / module)
        for col in range(first, first + max(1, round((w - 0.02 * MM) / module))):
            grid[row][col] = True
    return grid


def test_qr_code_encodes_the_verification_url(rendered) -> None:
    # the renderer fixes the mask pattern (any of the eight is a valid encoding of the same URL)
    qr = segno.make(VERIFY_URL, error="m", micro=False, mask=2)
    expected = [[bool(v) for v in row] for row in qr.matrix_iter(scale=1, border=0)]
    assert _qr_matrix_from_page(rendered.data) == expected


def test_long_table_flows_over_pages_with_its_header_repeated() -> None:
    pdf = render_pdf(receipt(70))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 3
    for number, _ in enumerate(pages):
        page_text = extract_text(io.BytesIO(pdf), page_numbers=[number])
        assert "送达文书名称" in page_text and f"第 {number + 1} 页 共 {len(pages)} 页" in page_text
    all_text = extract_text(io.BytesIO(pdf))
    assert all(f"第{i:04d}号" in all_text for i in (1, 35, 70))


def test_rare_characters_in_names_are_embedded() -> None:
    spec = DocumentSpec(
        kind="t",
        title="询问通知书",
        authority=AUTHORITY,
        document_no="X",
        blocks=(Paragraph("堃、喆、䶮、𠇔", label="被询问人："), Closing(AUTHORITY, "2026年3月5日")),
        seal=SealSpec(),
    )
    text = extract_text(io.BytesIO(render_pdf(spec)))
    assert "堃、喆、䶮、𠇔" in text  # CJK Extension A and B (surrogate pairs in the ToUnicode map)


def test_missing_fonts_raise_a_clear_error(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CHENGGUAN_CJK_FONT_DIR", str(tmp_path))
    monkeypatch.setattr(fonts, "_FONT_DIRS", ())
    fonts.find_face.cache_clear()
    try:
        with pytest.raises(fonts.FontUnavailable):
            fonts.find_face("serif", False)
    finally:
        fonts.find_face.cache_clear()


def test_page_content_is_compressed() -> None:
    raw = render_pdf(decision(repeat_facts=1))
    assert b"/FlateDecode" in raw
    first_stream = raw.index(b"stream\n") + len(b"stream\n")
    assert zlib.decompressobj().decompress(raw[first_stream : first_stream + 200])  # a real deflate stream
