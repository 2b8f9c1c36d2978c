"""Streamed Excel workbooks (导出): openpyxl's write-only mode writes each row to a temporary file as it comes, so an
export of a million rows holds one row in memory, not the sheet; the finished file is then streamed to the client
in chunks and removed.

Cells are typed for Excel: dates and times as real dates (shown ``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm``, local time),
money as numbers in yuan with two decimals (``#,##0.00``) from integer fen, so a sum in Excel is right to the fen.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from chengguan.core import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_000_000  # a sheet holds 1,048,576 rows; past this an export asks for narrower filters
CHUNK = 64 * 1024
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")


@dataclass(frozen=True)
class Column:
    """One exported column: its Chinese header, width, and kind (text, int, date, time, money — fen in, yuan out)."""

    header: str
    width: float = 14
    kind: str = "text"


class Fen(int):
    """An amount in fen, written as yuan with two decimals."""


class SheetWriter:
    """One write-only sheet with a styled header row; ``append`` takes plain Python values in column order."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column], *, caption: str | None = None) -> None:
        self.sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
        self.columns = list(columns)
        self.rows = 0
        for n, c in enumerate(self.columns):
            letter = _letter(n)
            self.sheet.column_dimensions[letter].width = c.width
        self.sheet.freeze_panes = "A3" if caption else "A2"
        if caption:
            cell = WriteOnlyCell(self.sheet, caption)
            cell.font = Font(bold=True, size=12)
            self.sheet.append([cell])
        head = []
        for c in self.columns:
            cell = WriteOnlyCell(self.sheet, c.header)
            cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
            cell.alignment = Alignment(horizontal="center")
            head.append(cell)
        self.sheet.append(head)

    def append(self, values: Sequence[Any]) -> None:
        self.sheet.append([self._cell(c, v) for c, v in zip(self.columns, values, strict=True)])
        self.rows += 1

    def _cell(self, column: Column, value: Any) -> Any:
        if value is None:
            return None
        if column.kind == "money" or isinstance(value, Fen):
            cell = WriteOnlyCell(self.sheet, Decimal(int(value)) / 100)
            cell.number_format = MONEY_FORMAT
            return cell
        if isinstance(value, datetime):
            # Excel has no zones: the bureau reads its own local time.
            cell = WriteOnlyCell(self.sheet, clock.as_utc(value).astimezone(clock.SHANGHAI).replace(tzinfo=None))
            cell.number_format = TIME_FORMAT
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(self.sheet, value)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, str) and value[:1] in "=+-@":
            return "'" + value if value[:1] == "=" else value  # never a formula from user data
        return value


def _letter(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


class StreamedBook:
    """A write-only workbook saved to a temporary file; ``response`` streams it and removes the file afterwards."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self.path: str | None = None

    def sheet(self, title: str, columns: Sequence[Column], *, caption: str | None = None) -> SheetWriter:
        return SheetWriter(self.book, title, columns, caption=caption)

    def save(self) -> str:
        handle, self.path = tempfile.mkstemp(prefix="chengguan-export-", suffix=".xlsx")
        os.close(handle)
        self.book.save(self.path)
        return self.path

    def response(self, filename: str) -> StreamingResponse:
        path = self.path or self.save()
        size = os.path.getsize(path)
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                   "Content-Length": str(size), "Cache-Control": "no-store"}  # fmt: skip
        return StreamingResponse(_chunks(path), media_type=XLSX, headers=headers)

    def discard(self) -> None:
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)


def _chunks(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def write_rows(sheet: SheetWriter, rows: Iterable[Sequence[Any]]) -> int:
    for row in rows:
        sheet.append(row)
    return sheet.rows
