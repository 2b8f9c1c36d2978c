"""Analytics tables as Excel (统计表导出): the same rows the page shows, Chinese headers, money in yuan; each download
recorded in the audit log (``analytics_export.download``) before the file leaves."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import StreamingResponse

from chengguan.analytics.dims import DIM_LABELS, Dim
from chengguan.audit import events
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import XLSX, Column, Fen, StreamedBook

__all__ = ["XLSX", "table_response"]
TITLES = {"cube": "多维统计", "trend": "趋势与同比环比", "hotspots": "热点网格", "repeat_offenders": "屡查屡犯",
          "match": "诉求与处罚吻合度", "handling_times": "办结时长"}  # fmt: skip


def _value_column(data: dict[str, Any], header: str = "数值") -> Column:
    if data.get("unit") == "分":
        return Column(f"{data.get('measure_label', header)}（元）", 16, "money")
    return Column(f"{data.get('measure_label', header)}（{data.get('unit', '件')}）", 14, "int")


def _dim(data: dict[str, Any]) -> str:
    try:
        return DIM_LABELS[Dim(data["by"])]
    except (KeyError, ValueError):
        return "分组"


def fill(book: StreamedBook, kind: str, data: dict[str, Any]) -> int:
    """Write one analytics table as a sheet; returns its row count."""
    caption = f"{TITLES[kind]}　统计时段：{data.get('from', '')} 至 {data.get('to', '')}"
    money = data.get("unit") == "分"
    if kind == "cube":
        sheet = book.sheet(TITLES[kind], [Column("编码", 40), Column(_dim(data), 28), _value_column(data)],
                           caption=caption)  # fmt: skip
        for r in data["rows"]:
            sheet.append([r["key"], r["label"], Fen(r["value"]) if money else r["value"]])
        sheet.append(["", "合计", Fen(data["total"]) if money else data["total"]])
    elif kind == "trend":
        v = _value_column(data)
        sheet = book.sheet(TITLES[kind], [Column(_dim(data), 18), Column(f"本期 {v.header}", 20, v.kind),
                                          Column("上期（环比）", 16, v.kind), Column("去年同期（同比）", 18, v.kind)],
                           caption=caption)  # fmt: skip
        for label, a, b, c in zip(data["labels"], data["current"], data["previous"], data["last_year"], strict=True):
            sheet.append([label, a, b, c])
        t = data["totals"]
        sheet.append(["合计", t["current"], t["previous"], t["last_year"]])
    elif kind == "hotspots":
        sheet = book.sheet(TITLES[kind], [Column("网格编码", 20), Column("网格名称", 30),
                                          Column("案源数（件）", 14, "int"), Column("中心经度", 14),
                                          Column("中心纬度", 14)], caption=caption)  # fmt: skip
        for r in data["rows"]:
            sheet.append([r["key"], r["label"], r["value"], r["lng"], r["lat"]])
    elif kind == "repeat_offenders":
        sheet = book.sheet(TITLES[kind], [Column("当事人/商户", 36), Column("案件数（件）", 14, "int"),
                                          Column("罚款合计（元）", 16, "money"), Column("最近登记", 18)],
                           caption=caption)  # fmt: skip
        for r in data["rows"]:
            sheet.append([r["label"], r["value"], r["fine_fen"], (r["last_at"] or "")[:16].replace("T", " ")])
    elif kind == "match":
        sheet = book.sheet(TITLES[kind], [Column(_dim(data), 28), Column("群众诉求（件）", 14, "int"),
                                          Column("案件（件）", 12, "int"), Column("诉求占比（%）", 14),
                                          Column("案件占比（%）", 14), Column("差值（百分点）", 14)],
                           caption=f"{caption}　吻合度：{data.get('match_pct')}%")  # fmt: skip
        for r in data["rows"]:
            sheet.append([r["label"], r["complaints"], r["cases"], r["complaint_share"], r["case_share"], r["gap"]])
    else:
        sheet = book.sheet(TITLES[kind], [Column(_dim(data), 28), Column("办结数（件）", 14, "int"),
                                          Column("平均天数", 12), Column("中位天数", 12)], caption=caption)  # fmt: skip
        for r in data["rows"]:
            sheet.append([r["label"], r["closed"], r["average_days"], r["median_days"]])
    return sheet.rows


def table_response(session: Session, principal: StaffPrincipal, kind: str, data: dict[str, Any]) -> StreamingResponse:
    """The table as a streamed .xlsx download, audited first."""
    book = StreamedBook()
    try:
        rows = fill(book, kind, data)
        book.save()
        events.download(session, principal, "analytics_export", None, TITLES[kind], kind=kind,
                        by=data.get("by"), measure=data.get("measure"), window=[data.get("from"), data.get("to")],
                        rows=rows)  # fmt: skip
    except BaseException:
        book.discard()
        raise
    return book.response(f"{TITLES[kind]}_{data.get('from', '')}_{data.get('to', '')}.xlsx")
