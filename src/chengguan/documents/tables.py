"""Ruled tables for the PDF renderer: field tables (label → value) and lists with a header (证据清单, 送达回证).

Each row becomes one pagination item, so a long evidence list flows over pages with its header repeated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .layout import FieldTable, Table
from .linebreak import break_lines
from .pagination import Item

if TYPE_CHECKING:
    from .pdf import Canvas

MM_PER_PT = 25.4 / 72
PAD_X, PAD_Y = 1.6, 1.2  # mm of cell padding
HEADER_GREY = 235


def table_items(c: Canvas, block: FieldTable | Table, left: float, width: float, pt: float) -> list[Item]:
    """Measured rows of a field table or a list table, with an optional bold caption line first."""
    line = pt * MM_PER_PT * 1.45
    items: list[Item] = []
    if block.caption:
        caption = block.caption
        cap_w = c.width(caption, pt + 1, True)
        cap_line = (pt + 1) * MM_PER_PT * 1.8
        items.append(
            Item(cap_line, lambda cv, y: cv.text(left + (width - cap_w) / 2, y, cap_line, caption, pt + 1, True), True)
        )
    if isinstance(block, FieldTable):
        labels = [label for label, _ in block.rows]
        label_w = min(max((c.width(s, pt, True) for s in labels), default=0) + 2 * PAD_X, width * 0.35)
        cols = [label_w, width - label_w]
        for label, value in block.rows:
            items.append(_row_item(c, (label, value), cols, left, pt, line, bold=(True, False)))
        return items
    weights = block.widths or tuple(1.0 for _ in block.header)
    cols = [width * w / sum(weights) for w in weights]
    header = _row_item(c, block.header, cols, left, pt, line, bold=(True,) * len(cols), fill=True)
    header.keep_with_next = True
    items.append(header)
    for row in block.rows:
        item = _row_item(c, row, cols, left, pt, line, bold=(False,) * len(cols))
        item.header = header
        items.append(item)
    return items


def _row_item(
    c: Canvas,
    cells: tuple[str, ...],
    cols: list[float],
    left: float,
    pt: float,
    line: float,
    *,
    bold: tuple[bool, ...],
    fill: bool = False,
) -> Item:
    """One ruled row: every cell wrapped to its column, the row as tall as its tallest cell."""
    wrapped: list[list[tuple[str, float]]] = []
    for text, col, b in zip(cells, cols, bold, strict=True):
        parts: list[tuple[str, float]] = []
        for para in (text or "").split("\n"):
            widths = c.widths(para, pt, b)
            for ln in break_lines(para, widths, col - 2 * PAD_X):
                parts.append((para[ln.start : ln.end], sum(widths[ln.start : ln.end])))
        wrapped.append(parts)
    height = max(len(p) for p in wrapped) * line + 2 * PAD_Y

    def draw(cv: Canvas, top: float) -> None:
        x = left
        cv.pdf.set_line_width(0.25)
        cv.pdf.set_draw_color(0, 0, 0)
        for parts, col, b in zip(wrapped, cols, bold, strict=True):
            if fill:
                cv.pdf.set_fill_color(HEADER_GREY, HEADER_GREY, HEADER_GREY)
            cv.pdf.rect(x, top, col, height, style="DF" if fill else "D")
            y = top + (height - len(parts) * line) / 2  # cells are centred vertically
            single = len(parts) == 1
            for text, w in parts:
                # A header, or a one-line cell of a narrow column, reads best centred; longer text reads left-aligned.
                tx = x + (col - w) / 2 if (fill or (single and w < col * 0.5 and col < 40)) else x + PAD_X
                cv.text(tx, y, line, text, pt, b)
                y += line
            x += col

    return Item(height, draw)
