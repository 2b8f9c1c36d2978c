"""The shop's door sign (打烊提示牌 with its 城市共治识别码): an A5 card per shop, a street's worth in one PDF.

The sign hangs on the shop door. Its QR code opens the merchant H5 at ``/portal/shop/{code}``: the shop claims
itself there, completes its details, sees its obligations, notices and payments; a passer-by sees whom to call.
Pure layout: the caller hands in frozen ``SignSpec`` values, nothing is looked up here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from chengguan.documents.fonts import glyph_source
from chengguan.documents.qr import draw_qr

PAGE_W, PAGE_H = 148.0, 210.0  # A5 portrait
MARGIN = 10.0
QR_MM = 74.0
MM_PER_PT = 25.4 / 72
BAND = (0, 82, 155)  # the blue of city-management signage
FIXED_TEXT = (
    "打烊提示牌本店已打烊城市共治识别码扫一扫：认领店铺完善信息查看整改通知在线缴款反映问题"
    "店铺编码：门前三包责任区请保持整洁监督电话0123456789· "
)


@dataclass(frozen=True)
class SignSpec:
    """What one sign prints."""

    bureau: str  # 青岛市市南区综合行政执法局
    shop_name: str
    shop_code: str  # 一店一码, e.g. SH00000012
    url: str  # {public_base_url}/portal/shop/{shop_code}
    squad: str  # the responsible squad, printed as whom the shop answers to
    hotline: str = "12319"  # the city-management service hotline

    def text(self) -> str:
        return "".join((self.bureau, self.shop_name, self.shop_code, self.squad, self.hotline))


class _Page:
    """An fpdf2 page plus the glyph advances of the one font the signs use."""

    def __init__(self, pdf: FPDF, advances: dict[bool, dict[str, int]]) -> None:
        self.pdf = pdf
        self._adv = advances

    def width(self, text: str, pt: float, bold: bool = False) -> float:
        adv = self._adv[bold]
        return sum(adv.get(ch, 1000) for ch in text) * pt * MM_PER_PT / 1000

    def centred(self, text: str, top: float, pt: float, bold: bool = False) -> None:
        """One line centred on the page; shrunk to fit the margins when too long (a long shop name)."""
        room = PAGE_W - 2 * MARGIN
        while pt > 8 and self.width(text, pt, bold) > room:
            pt -= 0.5
        self.pdf.set_font("sans", "B" if bold else "", pt)
        self.pdf.text((PAGE_W - self.width(text, pt, bold)) / 2, top + 0.88 * pt * MM_PER_PT, text)


def render_signs(signs: Sequence[SignSpec]) -> bytes:
    """One A5 page per sign, in the order given (a street printed in walking order)."""
    if not signs:
        raise ValueError("no signs to print")
    chars = set(FIXED_TEXT).union(*(set(s.text()) for s in signs))
    regular, bold = glyph_source("sans", False), glyph_source("sans", True)
    with tempfile.TemporaryDirectory(prefix="chengguan-sign-") as folder:
        paths = (Path(folder) / "regular.ttf", Path(folder) / "bold.ttf")
        paths[0].write_bytes(regular.build(chars, "ChengguanSansSC"))
        paths[1].write_bytes(bold.build(chars, "ChengguanSansSCBold"))
        pdf = FPDF(unit="mm", format=(PAGE_W, PAGE_H))
        pdf.set_auto_page_break(False)
        pdf.add_font("sans", "", paths[0])
        pdf.add_font("sans", "B", paths[1])
        for font in pdf.fonts.values():
            font.ttfont.recalcBBoxes = False  # glyphs are final (see documents.fonts)
        pdf.set_title("打烊提示牌（城市共治识别码）")
        pdf.set_creator("Chengguan 城管执法平台")
        pdf.set_lang("zh-CN")
        page = _Page(pdf, {False: regular.advances(chars), True: bold.advances(chars)})
        for sign in signs:
            pdf.add_page()
            _draw(page, sign)
        return bytes(pdf.output())


def _draw(page: _Page, sign: SignSpec) -> None:
    pdf = page.pdf
    pdf.set_fill_color(*BAND)
    pdf.rect(0, 0, PAGE_W, 34, style="F")
    pdf.set_text_color(255, 255, 255)
    page.centred("打烊提示牌", 6, 28, bold=True)
    page.centred("本店已打烊", 22, 14)
    pdf.set_text_color(0, 0, 0)
    page.centred(sign.shop_name, 42, 20, bold=True)
    page.centred(f"店铺编码：{sign.shop_code}", 53, 11)
    qr_x, qr_y = (PAGE_W - QR_MM) / 2, 62.0
    pdf.set_draw_color(*BAND)
    pdf.set_line_width(0.8)
    pdf.rect(qr_x - 4, qr_y - 4, QR_MM + 8, QR_MM + 8)
    draw_qr(pdf, sign.url, qr_x, qr_y, QR_MM)
    pdf.set_text_color(*BAND)
    page.centred("城市共治识别码", qr_y + QR_MM + 7, 16, bold=True)
    pdf.set_text_color(0, 0, 0)
    page.centred("扫一扫：认领店铺 · 完善信息 · 查看整改通知", qr_y + QR_MM + 16, 10.5)
    page.centred("在线缴款 · 反映问题", qr_y + QR_MM + 22, 10.5)
    pdf.set_fill_color(*BAND)
    pdf.rect(0, PAGE_H - 26, PAGE_W, 26, style="F")
    pdf.set_text_color(255, 255, 255)
    page.centred(sign.bureau, PAGE_H - 22, 12, bold=True)
    page.centred(f"{sign.squad} · 监督电话 {sign.hotline}", PAGE_H - 13, 10)
    pdf.set_text_color(0, 0, 0)
