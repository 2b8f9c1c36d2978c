"""Streamed Excel workbooks (导出) with openpyxl's write-only mode: each row goes to the sheet's temporary file as it
comes, so an export of a million rows holds one row in memory, not the sheet; the finished workbook is then streamed
to the client in chunks and removed.

Cells are typed for Excel: dates and times as real dates (``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm``, local time), money
as numbers in yuan with two decimals (``#,##0.00``) from integer fen, so a sum in Excel is right to the fen. Styles
are named once per workbook (a style looked up per cell is what makes write-only mode slow), and text that starts
with ``=`` stays text: an export never carries a formula a party typed into a field.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.errors import field_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_000_000  # a sheet holds 1,048,576 rows; past this an export asks for narrower filters
CHUNK = 64 * 1024
# the OpenAPI ``responses`` of an export route
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}, "description": "Excel 工作簿"}
}
HEAD, CAPTION, DATE, TIME, MONEY = "cg_head", "cg_caption", "cg_date", "cg_time", "cg_money"


def _styles() -> list[NamedStyle]:
    return [
        NamedStyle(
            HEAD,
            font=Font(name="等线", bold=True, color="FFFFFFFF"),
            alignment=Alignment(horizontal="center"),
            fill=PatternFill("solid", fgColor="FF1F4E79"),
        ),
        NamedStyle(CAPTION, font=Font(name="等线", bold=True, size=12)),
        NamedStyle(DATE, number_format="yyyy-mm-dd"),
        NamedStyle(TIME, number_format="yyyy-mm-dd hh:mm"),
        NamedStyle(MONEY, number_format="#,##0.00"),
    ]


@dataclass(frozen=True)
class Column:
    """One exported column: its Chinese header, width, and kind (text, int, date, time, money — fen in, yuan out)."""

    header: str
    width: float = 14
    kind: str = "text"


class Fen(int):
    """An amount in fen, written as yuan with two decimals."""


def _styled(sheet: WriteOnlyWorksheet, value: Any, style: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.style = style
    return cell


def _text(sheet: WriteOnlyWorksheet, value: str) -> Any:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text as typed, never a formula
    return cell


def _cell(sheet: WriteOnlyWorksheet, kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == "money" or isinstance(value, Fen):
        return _styled(sheet, int(value) / 100, MONEY)
    if isinstance(value, datetime):
        local = clock.as_utc(value).astimezone(clock.SHANGHAI).replace(tzinfo=None)  # Excel has no zones
        return _styled(sheet, local, TIME)
    if isinstance(value, date):
        return _styled(sheet, value, DATE)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    return _text(sheet, str(value))


class SheetWriter:
    """One sheet: the header row (an optional caption above), then ``append`` of plain values in column order."""

    def __init__(self, sheet: WriteOnlyWorksheet, columns: Sequence[Column], caption: str | None) -> None:
        self.sheet, self.title, self.columns = sheet, sheet.title, list(columns)
        self.rows = 0
        for n, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = column.width
        top = 2 if caption else 1
        sheet.freeze_panes = f"A{top + 1}"
        if caption:
            sheet.append([_styled(sheet, caption, CAPTION)])
        sheet.append([_styled(sheet, c.header, HEAD) for c in self.columns])
        self._kinds = [c.kind for c in self.columns]

    def append(self, values: Sequence[Any]) -> None:
        self.sheet.append([_cell(self.sheet, kind, value) for kind, value in zip(self._kinds, values, strict=False)])
        self.rows += 1


class StreamedBook:
    """A workbook of streamed sheets saved to a temporary file; ``response`` streams it and removes the files."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="chengguan-export-")
        self.book = Workbook(write_only=True)
        for style in _styles():
            self.book.add_named_style(style)
        self.sheets: list[SheetWriter] = []
        self.path: str | None = None

    def sheet(self, title: str, columns: Sequence[Column], *, caption: str | None = None) -> SheetWriter:
        title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or f"Sheet{len(self.sheets) + 1}"
        writer = SheetWriter(self.book.create_sheet(title), columns, caption)
        self.sheets.append(writer)
        return writer

    def save(self) -> str:
        self.path = os.path.join(self.folder, "book.xlsx")
        self.book.save(self.path)
        return self.path

    def response(self, filename: str) -> StreamingResponse:
        path = self.path or self.save()
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                   "Content-Length": str(os.path.getsize(path)), "Cache-Control": "no-store"}  # fmt: skip
        return StreamingResponse(_chunks(path, self.folder), media_type=XLSX, headers=headers)

    def discard(self) -> None:
        if self.path is None:
            self.book.close()
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


def export_query(
    session: Session,
    statement: Select[Any],
    *,
    title: str,
    columns: Sequence[Column],
    noun: str,
    rows: Callable[[list[Any]], Iterable[Sequence[Any]]],
    audited: Callable[[int], None],
    batch: int = 1000,
) -> StreamedBook:
    """A list's own filtered, scoped and ordered ``statement`` as one saved sheet: refused past ``MAX_ROWS`` (the
    ``filters`` field, ``export.too_many_rows``), read ``batch`` rows at a time and turned into cells by ``rows`` —
    which should go through the list's own read model, so an export never shows what the list masks — then
    ``audited(rows written)`` once the file is complete (the caller's download entry)."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    if total > MAX_ROWS:
        raise field_error("filters", f"符合条件的{noun}有 {total} 条，超过单次导出上限 {MAX_ROWS} 条，请缩小筛选范围",
                          code="export.too_many_rows")  # fmt: skip
    book = StreamedBook()
    try:
        sheet = book.sheet(title, columns)
        result: Any = session.execute(statement.execution_options(yield_per=batch))
        if len(statement.column_descriptions) == 1:
            result = result.scalars()  # one entity a row: the objects themselves, as a list query gives them
        for part in result.partitions():
            for values in rows(list(part)):
                sheet.append(values)
        book.save()
        audited(sheet.rows)
    except BaseException:
        book.discard()
        raise
    return book
