"""Streamed Excel workbooks (导出): each row is written as SpreadsheetML to a temporary file as it comes, so an export
of a million rows holds one row in memory, not the sheet; the finished workbook (a zip of those files) is then
streamed to the client in chunks and removed.

Why not openpyxl's write-only mode: it builds a cell object per value and looks its style up per cell — about 300
styled rows a second on a two-core server, five minutes for 100,000 cases. Writing the sheet XML directly (inline
strings, four fixed styles) is the same file format at a few thousand rows a second; openpyxl reads the result in
the tests, and so do Excel, WPS and LibreOffice.

Cells are typed for Excel: dates and times as real dates (``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm``, local time), money
as numbers in yuan with two decimals (``#,##0.00``) from integer fen, so a sum in Excel is right to the fen.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi.responses import StreamingResponse

from chengguan.core import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_000_000  # a sheet holds 1,048,576 rows; past this an export asks for narrower filters
CHUNK = 64 * 1024
EPOCH = datetime(1899, 12, 30)
# Style indexes of styles.xml below: 0 plain, 1 header, 2 date, 3 date-time, 4 money, 5 caption.
PLAIN, HEAD, DATE, TIME, MONEY, CAPTION = range(6)
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    """One exported column: its Chinese header, width, and kind (text, int, date, time, money — fen in, yuan out)."""

    header: str
    width: float = 14
    kind: str = "text"


class Fen(int):
    """An amount in fen, written as yuan with two decimals."""


def _text(value: str, style: int = PLAIN) -> str:
    return f'<c t="inlineStr" s="{style}"><is><t xml:space="preserve">{escape(_BAD_XML.sub("", value))}</t></is></c>'


def _cell(kind: str, value: Any) -> str:
    if value is None or value == "":
        return "<c/>"
    if kind == "money" or isinstance(value, Fen):
        return f'<c s="{MONEY}"><v>{int(value) / 100:.2f}</v></c>'
    if isinstance(value, datetime):
        local = clock.as_utc(value).astimezone(clock.SHANGHAI).replace(tzinfo=None)  # Excel has no zones
        return f'<c s="{TIME}"><v>{(local - EPOCH).total_seconds() / 86400:.8f}</v></c>'
    if isinstance(value, date):
        return f'<c s="{DATE}"><v>{(value - EPOCH.date()).days}</v></c>'
    if isinstance(value, bool):
        return _text("是" if value else "否")
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    return _text(str(value))  # inline strings are never formulas, whatever they start with


class SheetWriter:
    """One sheet: the header row (an optional caption above), then ``append`` of plain values in column order."""

    def __init__(self, path: str, title: str, columns: Sequence[Column], caption: str | None) -> None:
        self.path, self.title, self.columns = path, title, list(columns)
        self.rows = 0
        self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by finish)
        top = 2 if caption else 1
        cols = "".join(f'<col min="{n}" max="{n}" width="{c.width}" customWidth="1"/>'
                       for n, c in enumerate(self.columns, start=1))  # fmt: skip
        self._file.write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{top}" topLeftCell="A{top + 1}" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>"
        )
        if caption:
            self._file.write(f"<row>{_text(caption, CAPTION)}</row>")
        self._file.write("<row>" + "".join(_text(c.header, HEAD) for c in self.columns) + "</row>")
        self._kinds = [c.kind for c in self.columns]

    def append(self, values: Sequence[Any]) -> None:
        self._file.write("<row>" + "".join(map(_cell, self._kinds, values)) + "</row>")
        self.rows += 1

    def finish(self) -> None:
        if not self._file.closed:
            self._file.write("</sheetData></worksheet>")
            self._file.close()


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="166" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="等线"/></font>'
    '<font><b/><sz val="12"/><name val="等线"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/></patternFill></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="6"><xf/>'
    '<xf fontId="1" fillId="2" applyFont="1" applyFill="1" applyAlignment="1"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/>'
    '<xf numFmtId="166" applyNumberFormat="1"/><xf fontId="2" applyFont="1"/></cellXfs>'
    "</styleSheet>"
)


class StreamedBook:
    """A workbook of streamed sheets saved to a temporary file; ``response`` streams it and removes the files."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="chengguan-export-")
        self.sheets: list[SheetWriter] = []
        self.path: str | None = None

    def sheet(self, title: str, columns: Sequence[Column], *, caption: str | None = None) -> SheetWriter:
        title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or f"Sheet{len(self.sheets) + 1}"
        writer = SheetWriter(os.path.join(self.folder, f"sheet{len(self.sheets) + 1}.xml"), title, columns, caption)
        self.sheets.append(writer)
        return writer

    def save(self) -> str:
        self.path = os.path.join(self.folder, "book.xlsx")
        n = len(self.sheets)
        sheets = "".join(f'<sheet name="{escape(s.title, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self.sheets, start=1))  # fmt: skip
        numbers = range(1, n + 1)
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in numbers)  # fmt: skip
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.'
                            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in numbers)  # fmt: skip
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as z:
            z.writestr("[Content_Types].xml", head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                       'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                       'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
                       f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>')  # fmt: skip
            z.writestr("_rels/.rels", head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                       '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
            z.writestr("xl/workbook.xml", head + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                       'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                       f"<sheets>{sheets}</sheets></workbook>")  # fmt: skip
            z.writestr("xl/_rels/workbook.xml.rels", head + '<Relationships xmlns="http://schemas.openxmlformats.org/'
                       f'package/2006/relationships">{rels}<Relationship Id="rId{n + 1}" Type="http://schemas.'
                       'openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                       "</Relationships>")  # fmt: skip
            z.writestr("xl/styles.xml", _STYLES)
            for i, s in enumerate(self.sheets, start=1):
                s.finish()
                z.write(s.path, f"xl/worksheets/sheet{i}.xml")
                os.unlink(s.path)
        return self.path

    def response(self, filename: str) -> StreamingResponse:
        path = self.path or self.save()
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                   "Content-Length": str(os.path.getsize(path)), "Cache-Control": "no-store"}  # fmt: skip
        return StreamingResponse(_chunks(path, self.folder), media_type=XLSX, headers=headers)

    def discard(self) -> None:
        for s in self.sheets:
            s.finish()
        _remove(self.folder)


def _remove(folder: str) -> None:
    for name in os.listdir(folder) if os.path.isdir(folder) else ():
        os.unlink(os.path.join(folder, name))
    if os.path.isdir(folder):
        os.rmdir(folder)


def _chunks(path: str, folder: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        _remove(folder)
