"""A list's export as one audited workbook: the list's own statement streamed through its read model and a row
function, and a ``<target>.download`` audit entry with the count and the filters once the file is complete. The lists
of the domain packages (video, IoT, notices, supervisions …) export through it; the CRUD registers through
``kit.crud.CrudService.export``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook, export_query


def audited_export(
    session: Session,
    principal: StaffPrincipal,
    statement: Select[Any],
    *,
    target: str,
    title: str,
    columns: Sequence[Column],
    reads: Callable[[Session, list[Any]], Iterable[Any]],
    row: Callable[[Any], Sequence[Any]],
    filters: BaseModel | dict[str, Any] | None = None,
    unit: str = "条",
    noun: str | None = None,
) -> StreamedBook:
    """``statement`` (filtered, scoped and ordered as the list is) as the workbook ``title``: each batch of rows read
    by ``reads`` (the list's read model: what it masks stays masked) and turned into cells by ``row``; audited as
    ``<target>.download`` ("<title>导出（n <unit>）")."""
    asked = filters.model_dump(mode="json", exclude_defaults=True) if isinstance(filters, BaseModel) else filters or {}

    def rows(batch: list[Any]) -> Iterable[Sequence[Any]]:
        return [row(r) for r in reads(session, batch)]

    def audited(count: int) -> None:
        events.download(session, principal, target, None, f"{title}导出（{count} {unit}）", rows=count, filters=asked)

    return export_query(session, statement, title=title, columns=columns, noun=noun or title, rows=rows,
                        audited=audited)  # fmt: skip


def audited_items(
    session: Session,
    principal: StaffPrincipal,
    items: Iterable[Any],
    *,
    target: str,
    title: str,
    columns: Sequence[Column],
    row: Callable[[Any], Sequence[Any]],
    filters: BaseModel | dict[str, Any] | None = None,
    unit: str = "条",
) -> StreamedBook:
    """A list the service already builds as read models (the on-duty officers from the live feed, the rule tables
    with their built-in defaults — bounded lists, not a table's statement) as the workbook ``title``, written row by
    row to the sheet's file and audited as ``audited_export`` is."""
    asked = filters.model_dump(mode="json", exclude_defaults=True) if isinstance(filters, BaseModel) else filters or {}
    book = StreamedBook()
    try:
        sheet = book.sheet(title, columns)
        for item in items:
            sheet.append(row(item))
        book.save()
        events.download(session, principal, target, None, f"{title}导出（{sheet.rows} {unit}）", rows=sheet.rows,
                        filters=asked)  # fmt: skip
    except BaseException:
        book.discard()
        raise
    return book
