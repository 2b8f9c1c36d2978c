"""CJK fonts for documents: Noto Serif CJK SC from the OS, converted glyph by glyph into small TrueType fonts.

Why not hand the Noto collection to the PDF library directly: Noto CJK ships CID-keyed CFF outlines in a 25 MB
collection; fpdf2 embeds those with a custom encoding CMap that text extractors (pdfminer.six) cannot read, and
parsing plus subsetting the whole collection costs ~0.6 s per document. Instead each glyph a document uses is
drawn once per process, converted to quadratic TrueType outlines (cu2qu) and cached as compiled bytes; a document
then gets a tiny TrueType font holding exactly its characters (~10 ms), which embeds as Identity-H with a
ToUnicode map — searchable, copyable and extractable.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph

SERIF_FAMILY = "Noto Serif CJK SC"
SANS_FAMILY = "Noto Sans CJK SC"
# Debian/Ubuntu (fonts-noto-cjk), Fedora, Arch, macOS Homebrew-style locations; CHENGGUAN_CJK_FONT_DIR wins.
_FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/OTF",
    "/usr/local/share/fonts",
)
_FILES = {
    ("serif", False): "NotoSerifCJK-Regular.ttc",
    ("serif", True): "NotoSerifCJK-Bold.ttc",
    ("sans", False): "NotoSansCJK-Regular.ttc",
    ("sans", True): "NotoSansCJK-Bold.ttc",
}
_FAMILIES = {"serif": SERIF_FAMILY, "sans": SANS_FAMILY}
# cu2qu tolerance in font units (1000/em): invisible at any print size, keeps point counts low.
_CU2QU_ERROR = 1.0


class FontUnavailable(RuntimeError):
    """The Noto CJK fonts are not installed where we look (install fonts-noto-cjk or set CHENGGUAN_CJK_FONT_DIR)."""


@dataclass(frozen=True)
class FontFace:
    """One face of an installed font collection: the file and the face index inside it."""

    path: Path
    index: int


@cache
def find_face(style: str = "serif", bold: bool = False) -> FontFace:
    """Locate the Simplified-Chinese face of the installed Noto CJK collection (serif or sans, regular or bold)."""
    name = _FILES[(style, bold)]
    dirs = [os.environ["CHENGGUAN_CJK_FONT_DIR"]] if os.environ.get("CHENGGUAN_CJK_FONT_DIR") else []
    for folder in (*dirs, *_FONT_DIRS):
        path = Path(folder) / name
        if path.is_file():
            return FontFace(path, _sc_index(path, _FAMILIES[style]))
    raise FontUnavailable(f"{name} not found (looked in {', '.join((*dirs, *_FONT_DIRS))})")


def _sc_index(path: Path, family: str) -> int:
    """The face index whose family name is the SC one — the order of faces differs between Noto releases."""
    collection = TTCollection(str(path), lazy=True)
    try:
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == family:
                return index
    finally:
        collection.close()
    raise FontUnavailable(f"{path} has no face named {family}")


@dataclass(frozen=True)
class _CachedGlyph:
    data: bytes  # compiled TrueType glyph, reused verbatim in every font built
    advance: int
    bbox: tuple[int, int, int, int] | None
    points: int
    contours: int


class GlyphSource:
    """A lazily opened Noto face whose glyphs are converted to TrueType on first use and kept for the process."""

    def __init__(self, face: FontFace) -> None:
        self.face = face
        self._lock = threading.Lock()  # fontTools' lazy tables are not thread-safe
        self._font: TTFont | None = None
        self._glyphs: dict[str, _CachedGlyph | None] = {}
        self.ascent = self.descent = self.created = 0

    def _open(self) -> TTFont:
        if self._font is None:
            font = TTFont(str(self.face.path), fontNumber=self.face.index, lazy=True)
            self._cmap = font.getBestCmap()
            self._glyphset = font.getGlyphSet()
            self._hmtx = font["hmtx"]
            self._scratch = newTable("glyf")  # Glyph.compile/recalcBounds want a glyf table to look things up in
            self._scratch.glyphs = {}
            self.ascent, self.descent = font["hhea"].ascent, font["hhea"].descent
            self.created = font["head"].created  # reused so the same document renders to the same bytes
            self._font = font
        return self._font

    def advances(self, chars: Iterable[str]) -> dict[str, int]:
        """Advance widths (font units, 1000/em) of the characters, missing ones as a full em."""
        self.prepare(chars)
        return {ch: (g.advance if (g := self._glyphs.get(ch)) else 1000) for ch in set(chars)}

    def prepare(self, chars: Iterable[str]) -> None:
        """Convert any of the characters not yet cached."""
        todo = [ch for ch in set(chars) if ch not in self._glyphs]
        if not todo:
            return
        with self._lock:
            self._open()
            for ch in todo:
                if ch not in self._glyphs:
                    name = ".notdef" if ch == "\0" else self._cmap.get(ord(ch))
                    self._glyphs[ch] = self._convert(name) if name else None

    def _convert(self, name: str) -> _CachedGlyph:
        pen = TTGlyphPen(None)
        self._glyphset[name].draw(Cu2QuPen(pen, _CU2QU_ERROR, reverse_direction=True))
        glyph = pen.glyph()
        glyph.recalcBounds(self._scratch)
        contours = max(glyph.numberOfContours, 0)
        bbox = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax) if contours else None
        points = len(glyph.coordinates) if contours else 0
        return _CachedGlyph(glyph.compile(self._scratch), self._hmtx[name][0], bbox, points, contours)

    def build(self, chars: Iterable[str], family: str) -> bytes:
        """A TrueType font (bytes) holding exactly these characters plus .notdef."""
        chars = sorted({ch for ch in chars if ch >= " "})
        self.prepare([*chars, "\0"])
        present = [ch for ch in chars if self._glyphs.get(ch)]
        names = [".notdef", *(f"uni{ord(ch):04X}" for ch in present)]
        cached = [self._glyphs["\0"], *(self._glyphs[ch] for ch in present)]
        builder = FontBuilder(1000, isTTF=True)
        builder.font.recalcBBoxes = False  # glyph bytes are final; bounds come from the cache below
        builder.setupGlyphOrder(names)
        builder.setupCharacterMap({ord(ch): name for ch, name in zip(present, names[1:], strict=True)})
        builder.font["loca"] = newTable("loca")
        builder.font["glyf"] = glyf = newTable("glyf")
        glyf.glyphOrder = names
        glyf.glyphs = {name: Glyph(g.data) for name, g in zip(names, cached, strict=True)}
        boxes = [g.bbox for g in cached if g.bbox] or [(0, 0, 0, 0)]
        builder.setupHorizontalMetrics(
            {name: (g.advance, g.bbox[0] if g.bbox else 0) for name, g in zip(names, cached, strict=True)}
        )
        builder.setupHead(
            created=self.created,
            modified=self.created,
            xMin=min(b[0] for b in boxes),
            yMin=min(b[1] for b in boxes),
            xMax=max(b[2] for b in boxes),
            yMax=max(b[3] for b in boxes),
        )
        builder.setupHorizontalHeader(
            ascent=self.ascent, descent=self.descent, advanceWidthMax=max(g.advance for g in cached)
        )
        builder.setupMaxp()
        maxp = builder.font["maxp"]
        maxp.maxPoints = max(g.points for g in cached)
        maxp.maxContours = max(g.contours for g in cached)
        builder.setupNameTable({"familyName": family, "styleName": "Regular"})
        builder.setupOS2(
            sTypoAscender=self.ascent,
            sTypoDescender=self.descent,
            usWinAscent=self.ascent,
            usWinDescent=-self.descent,
            sCapHeight=733,
            sxHeight=543,
        )
        builder.setupPost()
        out = io.BytesIO()
        builder.save(out)
        return out.getvalue()


@cache
def glyph_source(style: str = "serif", bold: bool = False) -> GlyphSource:
    """The process-wide glyph cache for one Noto face."""
    return GlyphSource(find_face(style, bold))
