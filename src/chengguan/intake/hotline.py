"""12345 hotline work orders imported from the hotline platform's Excel or CSV export, one signal per row.

Columns (header row, any order): 工单号, 事项类别码, 经度, 纬度, 坐标系 (wgs84/gcj02/bd09, default gcj02 — the
hotline platforms geocode with commercial maps), 发生时间, 地址, 诉求内容, 来电人, 联系电话. The work-order number is
the idempotency key, so importing the same export twice adds nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

from chengguan.core.clock import SHANGHAI
from chengguan.core.errors import field_error

HEADERS = {
    "工单号": "external_ref",
    "事项类别码": "category_code",
    "经度": "lng",
    "纬度": "lat",
    "坐标系": "crs",
    "发生时间": "occurred_at",
    "地址": "address",
    "诉求内容": "description",
    "来电人": "name",
    "联系电话": "phone",
}
REQUIRED = ("工单号", "事项类别码", "经度", "纬度", "发生时间")
MAX_ROWS = 10_000


def _rows(filename: str, content: bytes) -> list[list[Any]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise field_error("file", "无法读取 Excel 文件", code="hotline.unreadable") from exc
        return [list(r) for r in sheet.iter_rows(values_only=True)] if sheet is not None else []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise field_error("file", "CSV 文件编码须为 UTF-8 或 GB18030", code="hotline.encoding") from exc
    if "\x00" in text:
        raise field_error("file", "文件中含有空字符", code="hotline.unreadable")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _time(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=SHANGHAI)).isoformat()
    text = str(value or "").strip()
    if text and "T" not in text and "+" not in text:
        # Hotline exports give local wall time without a zone ("2026-11-20 09:30:00").
        try:
            return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).isoformat()
        except ValueError:
            return text
    return text


def parse(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Signal dicts (channel hotline) from the file; structural problems raise 422, row problems surface later."""
    rows = [r for r in _rows(filename, content) if any(c not in (None, "") for c in r)]
    if not rows:
        raise field_error("file", "文件为空", code="hotline.empty")
    header = [str(c or "").strip() for c in rows[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise field_error("file", "缺少列：" + "、".join(missing), code="hotline.columns")
    if len(rows) - 1 > MAX_ROWS:
        raise field_error("file", f"一次最多导入 {MAX_ROWS} 行", code="hotline.too_many_rows")
    out = []
    for row in rows[1:]:
        values = {HEADERS[h]: row[i] for i, h in enumerate(header) if h in HEADERS and i < len(row)}
        ref = str(values.get("external_ref") or "").strip()
        item: dict[str, Any] = {
            "idempotency_key": f"hotline:{ref}" if ref else "",
            "channel": "hotline",
            "external_ref": ref or None,
            "category_code": str(values.get("category_code") or "").strip(),
            "lng": values.get("lng"),
            "lat": values.get("lat"),
            "crs": str(values.get("crs") or "gcj02").strip().lower(),
            "occurred_at": _time(values.get("occurred_at")),
            "address": str(values["address"]).strip() or None if values.get("address") else None,
            "description": str(values["description"]).strip() or None if values.get("description") else None,
        }
        reporter = {k: str(values[k]).strip() for k in ("name", "phone") if values.get(k)}
        if reporter:
            item["reporter"] = reporter
        out.append(item)
    return out
