"""QR codes drawn as vector rectangles into an fpdf2 page: sharp at any print size, a few hundred bytes each."""

from __future__ import annotations

import segno
from fpdf import FPDF


def draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``text`` as a ``size`` mm square with its top-left corner at (x, y), without quiet zone."""
    # A fixed mask pattern: scoring all eight (segno's default) was a tenth of a document's render time; any mask
    # is valid for a reader.
    qr = segno.make(text, error="m", micro=False, mask=2)
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        col = 0
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            run = col
            while run < len(row) and row[run]:
                run += 1
            # Slight overlap hides hairline seams between modules in some viewers.
            pdf.rect(x + col * module, y + r * module, (run - col) * module + 0.02, module + 0.02, style="F")
            col = run
