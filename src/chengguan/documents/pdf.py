"""Render a DocumentSpec to an A4 PDF laid out like a Chinese official document (GB/T 9704-2012 as reference).

Margins 37/35/28/26 mm, authority and title centred in bold serif, the number under them, body in Noto Serif CJK SC
14 pt with a two-character indent and justified lines, "第 1 页 共 N 页" under every page, the verification QR code
in the bottom-right margin of the last page. Fonts: see fonts.py (a per-document TrueType subset, so the text is
extractable and the file small). When the spec has a seal, an empty signature field is placed over the closing
block so sign.seal_pdf can press the electronic seal exactly there.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from . import tables
from .fonts import glyph_source
from .layout import (
    Closing,
    DocumentSpec,
    FieldTable,
    Heading,
    Paragraph,
    SignatureField,
    SignatureLine,
    Spacer,
    Table,
)
from .linebreak import break_lines, justify_spacing
from .pagination import Item, paginate
from .qr import draw_qr

MM_PER_PT = 25.4 / 72
PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 37.0, 35.0, 28.0, 26.0
TEXT_W = PAGE_W - LEFT - RIGHT
BODY_PT, TITLE_PT, AUTHORITY_PT, TABLE_PT, FOOTER_PT, CAPTION_PT = 14.0, 22.0, 16.0, 12.0, 10.5, 8.0
LINE = BODY_PT * MM_PER_PT * 1.6  # ≈ 7.9 mm: 28 lines on the 225 mm type area, as GB/T 9704 asks for 22 at 16 pt
QR_MM = 20.0
_SEAL_LIFT = 7.0  # mm the seal's centre sits above the line between authority name and date
_EXTRA_CHARS = "第页共 0123456789扫码核验"


@dataclass(frozen=True)
class SealBox:
    """Where the seal sits: page index (0-based) and the square around it in PDF points, origin bottom-left."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class RenderedPdf:
    """The PDF bytes, the page count and the seal's place (None when the spec has no seal)."""

    data: bytes
    pages: int
    seal_box: SealBox | None


class Canvas:
    """An FPDF page plus the document's glyph metrics; the only place that calls fpdf2 drawing methods."""

    def __init__(self, pdf: FPDF, regular: dict[str, int], bold: dict[str, int]) -> None:
        self.pdf = pdf
        self._adv = {False: regular, True: bold}
        self.seal_box: SealBox | None = None

    def widths(self, text: str, pt: float, bold: bool = False) -> list[float]:
        """Per-character advance widths in mm."""
        adv, scale = self._adv[bold], pt * MM_PER_PT / 1000
        return [adv.get(ch, 1000) * scale for ch in text]

    def width(self, text: str, pt: float, bold: bool = False) -> float:
        """Advance width of a string in mm."""
        return sum(self.widths(text, pt, bold))

    def text(self, x: float, top: float, height: float, text: str, pt: float, bold=False, spacing=0.0) -> None:
        """Draw one line of text in a box of ``height`` starting at ``top``, glyphs ``spacing`` mm apart."""
        if not text:
            return
        self.pdf.set_font("serif", "B" if bold else "", pt)
        self.pdf.set_char_spacing(spacing / MM_PER_PT)  # fpdf2 takes character spacing in points
        # CJK glyphs sit on an em box from -0.12 to 0.88 em; centre that box in the line.
        size = pt * MM_PER_PT
        self.pdf.text(x, top + (height - size) / 2 + 0.88 * size, text)


def render_pdf(spec: DocumentSpec) -> bytes:
    """The document as PDF bytes (A4, fonts embedded and subset, text extractable)."""
    return render_pdf_layout(spec).data


def render_pdf_layout(spec: DocumentSpec) -> RenderedPdf:
    """The document as PDF plus where its pages and seal ended up."""
    chars = set(spec.text()) | set(_EXTRA_CHARS)
    bold_chars = _bold_text(spec)
    regular, bold = glyph_source("serif", False), glyph_source("serif", True)
    with tempfile.TemporaryDirectory(prefix="chengguan-doc-") as folder:
        # fpdf2 loads fonts from files only; the fonts are a few hundred kB and live for this call.
        paths = [Path(folder) / "regular.ttf", Path(folder) / "bold.ttf"]
        paths[0].write_bytes(regular.build(chars, "ChengguanSerifSC"))
        paths[1].write_bytes(bold.build(bold_chars, "ChengguanSerifSCBold"))
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(LEFT, TOP, RIGHT)
        pdf.add_font("serif", "", paths[0])
        pdf.add_font("serif", "B", paths[1])
        for font in pdf.fonts.values():
            # Our glyphs and bounds are final (fonts.py); without this fpdf2's subsetting decompiles and
            # recompiles every outline again, which was two thirds of the render time.
            font.ttfont.recalcBBoxes = False
        pdf.set_title(spec.title)
        pdf.set_author(spec.authority)
        pdf.set_subject(spec.document_no)
        pdf.set_creator("Chengguan 城管执法平台")
        pdf.set_lang("zh-CN")
        canvas = Canvas(pdf, regular.advances(chars), bold.advances(bold_chars))
        pages = paginate(_items(canvas, spec), TOP, PAGE_H - BOTTOM)
        for number, page in enumerate(pages, start=1):
            pdf.add_page()
            for item, top in page:
                item.draw(canvas, top)
                if "seal" in item.extra:
                    centre_x, offset, radius = item.extra["seal"]
                    canvas.seal_box = _seal_box(number - 1, centre_x, top + offset, radius)
            if spec.stamp:
                _draw_stamp(canvas, spec.stamp)
            label = f"第 {number} 页 共 {len(pages)} 页"
            canvas.text((PAGE_W - canvas.width(label, FOOTER_PT)) / 2, PAGE_H - BOTTOM + 8, 6, label, FOOTER_PT)
        if spec.verify_url:
            _draw_qr(canvas, spec.verify_url)
        data = bytes(pdf.output())
    if spec.seal is not None and canvas.seal_box is not None:
        data = _add_seal_field(data, spec.seal.field_name, canvas.seal_box)
    return RenderedPdf(data, len(pages), canvas.seal_box)


def _draw_stamp(c: Canvas, text: str) -> None:
    """The stamp across the page's middle, red and slanted, over the text (a voided document stays legible)."""
    pt = 96
    c.pdf.set_text_color(200, 30, 30)
    with c.pdf.rotation(30, x=PAGE_W / 2, y=PAGE_H / 2):
        c.text((PAGE_W - c.width(text, pt, bold=True)) / 2, PAGE_H / 2 - 20, 40, text, pt, bold=True)
    c.pdf.set_text_color(0, 0, 0)


def _bold_text(spec: DocumentSpec) -> set[str]:
    """Characters printed in bold: authority, title, labels, headings, table headers and captions."""
    parts = [spec.authority, spec.title, spec.stamp or ""]
    for block in spec.blocks:
        match block:
            case Heading(text=text):
                parts.append(text)
            case Paragraph(label=label) if label:
                parts.append(label)
            case FieldTable(rows=rows, caption=caption):
                parts += [caption or "", *(label for label, _ in rows)]
            case Table(header=header, caption=caption):
                parts += [caption or "", *header]
    return set("".join(parts))


def _items(c: Canvas, spec: DocumentSpec) -> list[Item]:
    """The whole document as a flat list of measured items, header first."""
    items: list[Item] = []
    items += _centred_lines(c, spec.authority, AUTHORITY_PT, bold=True, line=AUTHORITY_PT * MM_PER_PT * 1.6)
    items += _centred_lines(c, spec.title, TITLE_PT, bold=True, line=TITLE_PT * MM_PER_PT * 1.5)
    number_w = c.width(spec.document_no, BODY_PT)
    items.append(Item(LINE, lambda cv, y: cv.text(LEFT + TEXT_W - number_w, y, LINE, spec.document_no, BODY_PT)))
    items.append(Item(LINE * 0.6, lambda cv, y: None, spacer=True))
    for block in spec.blocks:
        match block:
            case Heading(text=text):
                lines = _paragraph_lines(c, text, "", indent=True, bold=True)
                for line in lines:
                    line.keep_with_next = True
                items += lines
            case Paragraph(text=text, label=label, indent=indent):
                items += _paragraph_lines(c, text, label or "", indent=indent)
            case FieldTable() | Table():
                items += tables.table_items(c, block, LEFT, TEXT_W, TABLE_PT)
            case SignatureLine(fields=fields):
                items += _signature_items(c, fields)
            case Closing():
                items.append(_closing_item(c, block, spec))
            case Spacer(lines=n):
                items.append(Item(LINE * n, lambda cv, y: None, spacer=True))
    if spec.footer_note:
        items.append(Item(LINE * 0.5, lambda cv, y: None, spacer=True))
        items += _paragraph_lines(c, spec.footer_note, "", indent=True)
    return items


def _centred_lines(c: Canvas, text: str, pt: float, *, bold: bool, line: float) -> list[Item]:
    """A centred, possibly wrapped, heading line (the authority name and the title)."""
    widths = c.widths(text, pt, bold)
    out = []
    for ln in break_lines(text, widths, TEXT_W):
        part, w = text[ln.start : ln.end], sum(widths[ln.start : ln.end])
        out.append(Item(line, lambda cv, y, s=part, w=w: cv.text(LEFT + (TEXT_W - w) / 2, y, line, s, pt, bold), True))
    return out


def _paragraph_lines(c: Canvas, text: str, label: str, *, indent: bool, bold: bool = False) -> list[Item]:
    """Body lines, justified except the last; the label in bold; a newline starts a new paragraph."""
    items: list[Item] = []
    em = BODY_PT * MM_PER_PT
    for n, para in enumerate(text.split("\n")):
        lead = label if n == 0 else ""
        full = lead + para
        widths = c.widths(lead, BODY_PT, True) + c.widths(para, BODY_PT, bold)
        first = TEXT_W - (2 * em if indent else 0)
        for i, ln in enumerate(break_lines(full, widths, TEXT_W, first)):
            x0 = LEFT + (TEXT_W - first if i == 0 else 0)
            natural = sum(widths[ln.start : ln.end])
            target = first if i == 0 else TEXT_W
            gap = 0.0 if ln.last else justify_spacing(natural, target, ln.end - ln.start, em)
            items.append(Item(LINE, _line_drawer(full, ln.start, ln.end, len(lead), x0, gap, bold)))
    return items


def _line_drawer(full: str, start: int, end: int, lead: int, x0: float, gap: float, bold: bool):
    """A draw function for one body line whose first ``lead`` characters of the paragraph are bold."""

    def draw(c: Canvas, top: float) -> None:
        x, split = x0, min(max(lead, start), end)
        if split > start:
            head = full[start:split]
            c.text(x, top, LINE, head, BODY_PT, True, gap)
            x += c.width(head, BODY_PT, True) + gap * len(head)
        c.text(x, top, LINE, full[split:end], BODY_PT, bold, gap)

    return draw


def _signature_items(c: Canvas, fields: tuple[SignatureField, ...]) -> list[Item]:
    """Signature slots "label：____" spread across the line, wrapping to more rows if they do not fit (art. 52)."""
    em = BODY_PT * MM_PER_PT
    sized = []
    for f in fields:
        rule = max(c.width(f.value, BODY_PT) + em, f.blank_chars * em, 26.0 if f.image else 0.0)
        sized.append((f, c.width(f.label, BODY_PT), rule))
    rows: list[list[tuple[SignatureField, float, float]]] = [[]]
    for entry in sized:
        if rows[-1] and sum(lw + rw + em for _, lw, rw in rows[-1]) + entry[1] + entry[2] > TEXT_W:
            rows.append([])
        rows[-1].append(entry)
    items = []
    for row in rows:
        height = LINE * (2.2 if any(f.image for f, _, _ in row) else 1.4)
        spare = TEXT_W - sum(lw + rw for _, lw, rw in row)
        gap = spare / (len(row) - 1) if len(row) > 1 else 0.0
        items.append(Item(height, _signature_drawer(row, gap, height)))
    return items


def _signature_drawer(row, gap: float, height: float):
    """Draw one row of signature slots: label, rule, value on the rule, signature image above it."""

    def draw(c: Canvas, top: float) -> None:
        x, text_top = LEFT, top + height - LINE
        for f, label_w, rule_w in row:
            c.text(x, text_top, LINE, f.label, BODY_PT)
            x += label_w
            base = text_top + LINE * 0.82
            c.pdf.set_line_width(0.2)
            c.pdf.line(x, base, x + rule_w, base)
            if f.value:
                c.text(x + (rule_w - c.width(f.value, BODY_PT)) / 2, text_top, LINE, f.value, BODY_PT)
            if f.image:
                img_h = height - LINE * 0.5
                c.pdf.image(io.BytesIO(f.image), x=x + 1, y=base - img_h, h=img_h, keep_aspect_ratio=True, w=rule_w - 2)
            x += rule_w + gap

    return draw


def _closing_item(c: Canvas, block: Closing, spec: DocumentSpec) -> Item:
    """Authority centred over the date, the date four characters in from the right; the seal pressed over both.

    GB/T 9704-2012 §7.3.5.1: the seal covers the authority name and date, its top within one line of the text.
    """
    em = BODY_PT * MM_PER_PT
    date_w, name_w = c.width(block.date, BODY_PT), c.width(block.authority, BODY_PT)
    date_x = LEFT + TEXT_W - 4 * em - date_w
    centre = date_x + date_w / 2
    name_x = min(centre - name_w / 2, LEFT + TEXT_W - name_w)
    seal = spec.seal
    radius = seal.diameter_mm / 2 if seal else 0.0
    # With a seal, leave room so its top lands just under the last body line.
    gap = max(LINE, radius + _SEAL_LIFT - LINE) if seal else LINE
    # The seal's centre sits above the name/date pair, so both fall in its lower half as §7.3.5.1 shows.
    centre_y = gap + LINE - _SEAL_LIFT
    below = max(0.0, centre_y + radius - gap - 2 * LINE)

    def draw(cv: Canvas, top: float) -> None:
        cv.text(name_x, top + gap, LINE, block.authority, BODY_PT)
        cv.text(date_x, top + gap + LINE, LINE, block.date, BODY_PT)
        if seal and seal.png:
            d = seal.diameter_mm
            # Multiply, like ink on paper: the authority and date under the seal stay legible.
            with cv.pdf.local_context(blend_mode="MULTIPLY"):
                cv.pdf.image(io.BytesIO(seal.png), x=centre - radius, y=top + centre_y - radius, w=d, h=d)

    item = Item(gap + 2 * LINE, draw, pull_back=2, below=below)
    if seal:
        item.extra["seal"] = (centre, centre_y, radius)
    return item


def _seal_box(page: int, centre_x: float, centre_y: float, radius: float) -> SealBox:
    """The seal's square from mm (top-left origin) to PDF points (bottom-left origin)."""
    to_pt = 1 / MM_PER_PT
    return SealBox(
        page,
        (centre_x - radius) * to_pt,
        (PAGE_H - centre_y - radius) * to_pt,
        (centre_x + radius) * to_pt,
        (PAGE_H - centre_y + radius) * to_pt,
    )


def _draw_qr(c: Canvas, url: str) -> None:
    """The verification QR code, vector-drawn, in the bottom-right margin of the last page, captioned 扫码核验."""
    x0, y0 = PAGE_W - RIGHT - QR_MM, PAGE_H - BOTTOM + 4
    draw_qr(c.pdf, url, x0, y0, QR_MM)
    caption = "扫码核验"
    cw = c.width(caption, CAPTION_PT)
    c.text(x0 + (QR_MM - cw) / 2, y0 + QR_MM + 0.5, 3.5, caption, CAPTION_PT)


def _add_seal_field(data: bytes, name: str, box: SealBox) -> bytes:
    """Add an empty signature field over the seal, so the electronic seal is applied exactly there."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    box_pts = tuple(round(v, 2) for v in (box.x1, box.y1, box.x2, box.y2))
    append_signature_field(writer, SigFieldSpec(sig_field_name=name, on_page=box.page, box=box_pts))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
