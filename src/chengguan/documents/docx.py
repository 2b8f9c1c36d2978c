"""Render a DocumentSpec to DOCX (python-docx) for offices that still edit or print from Word.

Same content and page set-up as the PDF: A4, 37/35/28/26 mm margins, 仿宋 body at 14 pt with exact 22.4 pt lines,
宋体 bold title, page numbers as Word fields. Chinese font names are set on every run's ``w:eastAsia`` attribute —
Word ignores the plain font name for CJK text. The seal floats over the authority and date like a stamp; the QR
code closes the document. The DOCX is a working copy: only the sealed PDF is the legal document (art. 59).
"""

from __future__ import annotations

import io

import segno
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from .layout import (
    Closing,
    DocumentSpec,
    FieldTable,
    Heading,
    Paragraph,
    SignatureLine,
    Spacer,
    Table,
)

BODY_FONT, TITLE_FONT, LATIN_FONT = "仿宋", "宋体", "Times New Roman"
BODY_PT, TITLE_PT, AUTHORITY_PT, TABLE_PT = 14, 22, 16, 12
LINE_PT = 22.4  # the PDF's 7.9 mm
SEAL_LIFT_MM = 7.0  # as pdf.py: the seal's centre sits this far above the line between authority and date


def render_docx(spec: DocumentSpec) -> bytes:
    """The document as DOCX bytes."""
    doc = Document()
    _page_setup(doc)
    _styles(doc)
    props = doc.core_properties
    props.title, props.author, props.subject = spec.title, spec.authority, spec.document_no
    _para(doc, spec.authority, AUTHORITY_PT, bold=True, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, spec.title, TITLE_PT, bold=True, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, line=TITLE_PT * 1.5)
    _para(doc, spec.document_no, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for block in spec.blocks:
        match block:
            case Heading(text=text):
                p = _para(doc, text, BODY_PT, bold=True, indent=True)
                p.paragraph_format.keep_with_next = True
            case Paragraph(text=text, label=label, indent=indent):
                for n, part in enumerate(text.split("\n")):
                    p = _para(doc, "", BODY_PT, indent=indent, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
                    if n == 0 and label:
                        _run(p, label, BODY_PT, bold=True)
                    _run(p, part, BODY_PT)
            case FieldTable(rows=rows, caption=caption):
                _table(doc, None, [list(r) for r in rows], caption, label_column=True)
            case Table(header=header, rows=rows, caption=caption, widths=widths):
                _table(doc, list(header), [list(r) for r in rows], caption, widths=widths)
            case SignatureLine(fields=fields):
                p = _para(doc, "", BODY_PT)
                for i, f in enumerate(fields):
                    _run(p, ("\u3000\u3000" if i else "") + f.label, BODY_PT)
                    if f.image:
                        p.add_run().add_picture(io.BytesIO(f.image), height=Mm(10))
                    blank = "\u3000" * max(2, f.blank_chars - len(f.value))
                    _run(p, f" {f.value} " if f.value else blank, BODY_PT).font.underline = True
            case Closing():
                _closing(doc, block, spec)
            case Spacer(lines=n):
                _para(doc, "", BODY_PT, line=LINE_PT * n)
    if spec.footer_note:
        _para(doc, spec.footer_note, BODY_PT, indent=True)
    if spec.verify_url:
        _qr(doc, spec.verify_url)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(18)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "第 ", 10.5)
    _field(footer, "PAGE")
    _run(footer, " 页 共 ", 10.5)
    _field(footer, "NUMPAGES")
    _run(footer, " 页", 10.5)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, Pt(BODY_PT)
    _east_asia(normal.element.get_or_add_rPr(), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)


def _east_asia(rpr, font: str) -> None:
    """Set the font for Chinese text (w:eastAsia) next to the Latin one."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT), ("w:eastAsia", font)):
        fonts.set(qn(attr), value)


def _run(p: DocxParagraph, text: str, pt: float, *, bold: bool = False, font: str = BODY_FONT):
    run = p.add_run(text)
    run.font.size, run.font.bold, run.font.name = Pt(pt), bold, LATIN_FONT
    _east_asia(run._element.get_or_add_rPr(), font)
    return run


def _para(doc, text, pt, *, bold=False, font=BODY_FONT, align=None, indent=False, line=None) -> DocxParagraph:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * pt)  # two characters (首行缩进二字)
    if line is not None:
        p.paragraph_format.line_spacing = Pt(line)
    if text:
        _run(p, text, pt, bold=bold, font=font)
    return p


def _field(p: DocxParagraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    placeholder = _run(p, "1", 10.5)._element  # shown until Word updates the field
    placeholder.getparent().remove(placeholder)
    field.append(placeholder)
    p._p.append(field)


def _table(doc, header, rows, caption, *, label_column=False, widths=None) -> None:
    if caption:
        _para(doc, caption, BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    cols = len(header) if header else 2
    table = doc.add_table(rows=0, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = 156.0
    weights = widths or ((0.3, 0.7) if label_column else (1.0,) * cols)
    col_mm = [total * w / sum(weights) for w in weights]
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            _cell(cell, text, bold=True, shade=True)
        _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell(cell, text, bold=label_column and i == 0)
    for row in table.rows:
        for cell, width in zip(row.cells, col_mm, strict=True):
            cell.width = Mm(width)


def _cell(cell: _Cell, text: str, *, bold: bool = False, shade: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.line_spacing = Pt(TABLE_PT * 1.45)
    if shade:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fill = OxmlElement("w:shd")
        fill.set(qn("w:val"), "clear")
        fill.set(qn("w:fill"), "EBEBEB")
        cell._tc.get_or_add_tcPr().append(fill)
    _run(p, text, TABLE_PT, bold=bold)


def _repeat_header(row) -> None:
    """Mark the row as a header repeated at the top of every page (w:tblHeader)."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _closing(doc, block: Closing, spec: DocumentSpec) -> None:
    """Authority centred over the date, the date four characters from the right margin; the seal floats over both."""
    em = BODY_PT
    date_w, name_w = _estimate_pt(block.date), _estimate_pt(block.authority)
    gap_lines = 2.5 if spec.seal else 1
    _para(doc, "", BODY_PT, line=LINE_PT * gap_lines)
    name = _para(doc, block.authority, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    name.paragraph_format.right_indent = Pt(max(0.0, 4 * em + (date_w - name_w) / 2))
    date_p = _para(doc, block.date, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    date_p.paragraph_format.right_indent = Pt(4 * em)
    name.paragraph_format.keep_with_next = True
    if spec.seal and spec.seal.png:
        d = spec.seal.diameter_mm
        centre_from_left = 156.0 - (4 * em + date_w / 2) * 25.4 / 72
        top = LINE_PT * 25.4 / 72 - SEAL_LIFT_MM - d / 2  # relative to the authority line's top
        run = name.add_run()
        run.add_picture(io.BytesIO(spec.seal.png), width=Mm(d), height=Mm(d))
        _float(run, Mm(centre_from_left - d / 2), Mm(top))


def _estimate_pt(text: str) -> float:
    """Width of a line in points: a full em per Chinese character, half for digits and Latin."""
    return sum(BODY_PT * (0.5 if ch.isascii() else 1.0) for ch in text)


def _float(run, x: Emu, y: Emu) -> None:
    """Turn the run's inline picture into one floating in front of the text at (x, y) from column and paragraph."""
    inline = run._element.find(".//" + qn("wp:inline"))
    anchor = OxmlElement("wp:anchor")
    for attr, value in {
        "distT": "0", "distB": "0", "distL": "0", "distR": "0", "simplePos": "0", "relativeHeight": "251659264",
        "behindDoc": "0", "locked": "1", "layoutInCell": "1", "allowOverlap": "1",
    }.items():  # fmt: skip
        anchor.set(attr, value)
    simple = OxmlElement("wp:simplePos")
    simple.set("x", "0")
    simple.set("y", "0")
    anchor.append(simple)
    for tag, relative, offset in (("wp:positionH", "column", x), ("wp:positionV", "paragraph", y)):
        pos = OxmlElement(tag)
        pos.set("relativeFrom", relative)
        value = OxmlElement("wp:posOffset")
        value.text = str(int(offset))
        pos.append(value)
        anchor.append(pos)
    anchor.append(inline.find(qn("wp:extent")))
    effect = OxmlElement("wp:effectExtent")
    for side in "ltrb":
        effect.set(side, "0")
    anchor.append(effect)
    anchor.append(OxmlElement("wp:wrapNone"))
    for tag in ("wp:docPr", "wp:cNvGraphicFramePr", "a:graphic"):
        child = inline.find(qn(tag))
        if child is not None:
            anchor.append(child)
    inline.getparent().replace(inline, anchor)


def _qr(doc, url: str) -> None:
    """The verification QR code, right-aligned at the end, captioned 扫码核验."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=8, border=2)
    p = _para(doc, "", BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, line=Mm(22).pt)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    p.add_run().add_picture(io.BytesIO(buf.getvalue()), width=Mm(20))
    _para(doc, "扫码核验", 8, align=WD_ALIGN_PARAGRAPH.RIGHT, line=12).paragraph_format.right_indent = Mm(5)
