"""The monthly statistical report (月度统计报表，一键生成): the month's totals with 环比 (the month before) and 同比
(the same month a year earlier), then the tables by district, category, channel, 吻合度, handling times, hotspots and
repeat offenders — as an Excel workbook (one sheet a table) or a PDF (Noto Sans CJK, the documents' font pipeline:
``documents.fonts`` builds a small TrueType font holding just the report's characters)."""

from __future__ import annotations

import calendar
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy.orm import Session

from chengguan.analytics import exports, service
from chengguan.analytics.dims import Dim, Measure, Window
from chengguan.audit import events
from chengguan.core.errors import field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.documents.fonts import glyph_source
from chengguan.kit.xlsx import Column, Fen, StreamedBook

PDF = "application/pdf"


def month_window(month: str) -> Window:
    y, m = int(month[:4]), int(month[5:7])
    if not 2000 <= y <= 2100:
        raise field_error("month", "月份超出范围", code="analytics.month_out_of_range")
    return Window(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))


def _shift(w: Window, months: int) -> Window:
    y, m = divmod(w.start.year * 12 + w.start.month - 1 + months, 12)
    return month_window(f"{y:04d}-{m + 1:02d}")


def gather(session: Session, principal: StaffPrincipal, data_dir: Path, month: str) -> dict[str, Any]:
    """Every figure and table of the month's report, within the caller's scope and permissions."""
    w = month_window(month)
    before, last_year = _shift(w, -1), _shift(w, -12)
    measures = [m for m in Measure if principal.has("source:read" if m is Measure.sources else "case:read")]
    overview, tables = [], []
    for m in measures:
        now, prev, ago = (service.cube(session, principal, data_dir, m, Dim.district, x)
                          for x in (w, before, last_year))  # fmt: skip
        overview.append({"label": now["measure_label"], "unit": now["unit"], "current": now["total"],
                         "previous": prev["total"], "last_year": ago["total"]})  # fmt: skip
        tables.append(("cube", f"{now['measure_label']}（按区）", now))
    if Measure.sources in measures:
        by_category = service.ranking(session, principal, data_dir, Measure.sources, Dim.category, w, 10)
        tables.append(("cube", "案源数（按事项类别，前 10）", by_category))
        tables.append(("cube", "案源数（按来源渠道）", service.cube(session, principal, data_dir, Measure.sources,
                                                                  Dim.channel, w)))  # fmt: skip
        tables.append(("handling_times", "案源办结时长（按区）",
                       service.handling_times(session, principal, data_dir, Measure.sources, Dim.district, w)))
        tables.append(("hotspots", "热点网格（前 10）", service.hotspots(session, principal, data_dir, w, 10)))
    if len(measures) == len(Measure):
        tables.append(("match", "诉求与处罚吻合度（按区）", service.match_rate(session, principal, data_dir, w)))
    if Measure.cases in measures:
        tables.append(("repeat_offenders", "屡查屡犯（前 20）",
                       service.repeat_offenders(session, principal, data_dir, w, 2, 20)))
    title = f"{w.start.year}年{w.start.month}月城市管理综合执法统计月报"
    return {"title": title, "month": month, "window": w, "overview": overview, "tables": tables}


def _pct(now: int, before: int) -> str:
    return f"{(now - before) * 100.0 / before:+.1f}%" if before else "—"


def _amount(value: int, unit: str) -> str:
    return f"{value / 100:,.2f} 元" if unit == "分" else f"{value:,} 件"


def xlsx(report: dict[str, Any]) -> StreamedBook:
    book = StreamedBook()
    sheet = book.sheet("总览", [Column("指标", 20), Column("本月", 18), Column("上月", 18), Column("环比", 10),
                              Column("去年同月", 18), Column("同比", 10)], caption=report["title"])  # fmt: skip
    for o in report["overview"]:
        wrap = Fen if o["unit"] == "分" else int
        sheet.append([o["label"] + ("（元）" if o["unit"] == "分" else "（件）"), wrap(o["current"]),
                      wrap(o["previous"]), _pct(o["current"], o["previous"]), wrap(o["last_year"]),
                      _pct(o["current"], o["last_year"])])  # fmt: skip
    for kind, _title, data in report["tables"]:
        exports.fill(book, kind, data)
    return book


def _table_rows(kind: str, data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    money = data.get("unit") == "分"
    if kind == "cube":
        head = ["名称", "数值"]
        body = [[r["label"], _amount(r["value"], "分" if money else "件")] for r in data["rows"]]
        body.append(["合计", _amount(data["total"], "分" if money else "件")])
    elif kind == "handling_times":
        head = ["分组", "办结数", "平均天数", "中位天数"]
        body = [[r["label"], str(r["closed"]), f"{r['average_days']:.2f}", f"{r['median_days']:.2f}"]
                for r in data["rows"]]  # fmt: skip
    elif kind == "hotspots":
        head = ["网格编码", "网格名称", "案源数"]
        body = [[r["key"], r["label"], str(r["value"])] for r in data["rows"]]
    elif kind == "match":
        head = ["区域", "诉求数", "案件数", "诉求占比%", "案件占比%", "差值"]
        body = [[r["label"], str(r["complaints"]), str(r["cases"]), str(r["complaint_share"]), str(r["case_share"]),
                 str(r["gap"])] for r in data["rows"]]  # fmt: skip
        body.append(["吻合度", "", "", "", "", f"{data['match_pct']}%" if data["match_pct"] is not None else "—"])
    else:
        head = ["当事人/商户", "案件数", "罚款合计"]
        body = [[r["label"], str(r["value"]), _amount(r["fine_fen"], "分")] for r in data["rows"]]
    return head, body or [["（无数据）"] + [""] * (len(head) - 1)]


def pdf(report: dict[str, Any]) -> bytes:
    """The report as an A4 PDF with the CJK sans font embedded (subset to the report's characters)."""
    w: Window = report["window"]
    lines = [f"统计时段：{w.start.isoformat()} 至 {w.end.isoformat()}（北京时间）"]
    overview = [["指标", "本月", "上月", "环比", "去年同月", "同比"]] + [
        [o["label"], _amount(o["current"], o["unit"]), _amount(o["previous"], o["unit"]),
         _pct(o["current"], o["previous"]), _amount(o["last_year"], o["unit"]), _pct(o["current"], o["last_year"])]
        for o in report["overview"]]  # fmt: skip
    numbers = "二三四五六七八九十"
    tables = [(f"{numbers[n] if n < len(numbers) else n + 2}、{title}", *_table_rows(kind, data))
              for n, (kind, title, data) in enumerate(report["tables"])]  # fmt: skip
    text = "一、总体情况" + report["title"] + "".join(lines) + "".join("".join(r) for r in overview)
    text += "".join(t + "".join(h) + "".join("".join(r) for r in b) for t, h, b in tables) + "第页共 0123456789/"
    regular, bold = glyph_source("sans", False), glyph_source("sans", True)
    with tempfile.TemporaryDirectory(prefix="chengguan-report-") as folder:
        paths = [Path(folder) / "r.ttf", Path(folder) / "b.ttf"]
        paths[0].write_bytes(regular.build(text, "ChengguanSansSC"))
        paths[1].write_bytes(bold.build(text, "ChengguanSansSCBold"))
        doc = FPDF(unit="mm", format="A4")
        doc.add_font("sans", "", str(paths[0]))
        doc.add_font("sans", "B", str(paths[1]))
        doc.set_title(report["title"])
        doc.set_creator("Chengguan 城管执法平台")
        doc.set_lang("zh-CN")
        doc.set_auto_page_break(True, 15)
        doc.add_page()
        doc.set_font("sans", "B", 16)
        doc.cell(0, 10, report["title"], align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("sans", "", 10)
        for line in lines:
            doc.cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
        _table(doc, "一、总体情况", overview[0], overview[1:])
        for title, head, body in tables:
            _table(doc, title, head, body)
        return bytes(doc.output())


def _table(doc: FPDF, title: str, head: list[str], body: list[list[str]]) -> None:
    doc.ln(3)
    doc.set_font("sans", "B", 12)
    doc.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("sans", "", 9)
    with doc.table(headings_style=FontFace(emphasis="BOLD", fill_color=(220, 230, 241)), line_height=6,
                   text_align="CENTER") as table:  # fmt: skip
        for row in [head, *body]:
            cells = table.row()
            for value in row:
                cells.cell(value)


def response(session: Session, principal: StaffPrincipal, data_dir: Path, month: str, fmt: str) -> Response:
    """The report as a download (Excel streamed from a file, PDF in memory: a few pages), audited first."""
    report = gather(session, principal, data_dir, month)
    name = f"{report['title']}.{fmt}"
    if fmt == "pdf":
        body = pdf(report)
        events.download(session, principal, "analytics_report", None, report["title"], format="pdf", month=month)
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"}
        return Response(body, media_type=PDF, headers=headers)
    book = xlsx(report)
    try:
        book.save()
        events.download(session, principal, "analytics_report", None, report["title"], format="xlsx", month=month)
    except BaseException:
        book.discard()
        raise
    return book.response(name)
