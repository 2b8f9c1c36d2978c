"""Excel (xlsx) export and import of enforcement matters: one row per matter, amounts in yuan, citations one per line
(``法规编码 第X条第X款``). Import is all-or-nothing: any bad row and nothing is written, every problem is listed."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core.errors import DomainError, FieldProblem, Unprocessable
from chengguan.core.principals import StaffPrincipal
from chengguan.law import admin
from chengguan.law.models import EnforcementMatter
from chengguan.law.schemas import ImportReport, MatterCreate, MatterUpdate
from chengguan.law.seed import parse_ref

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "事项编码"),
    ("name", "事项名称"),
    ("category_code", "事项类别"),
    ("region_code", "适用地区"),
    ("violated", "违则"),
    ("penalty", "罚则"),
    ("penalty_kinds", "处罚种类"),
    ("individual_min", "公民罚款下限（元）"),
    ("individual_max", "公民罚款上限（元）"),
    ("organization_min", "单位罚款下限（元）"),
    ("organization_max", "单位罚款上限（元）"),
    ("ratio_min_pct", "比例下限（%）"),
    ("ratio_max_pct", "比例上限（%）"),
    ("ratio_base", "比例基数"),
    ("fine_note", "罚款说明"),
    ("description", "事项描述"),
    ("keywords", "常用说法（顿号分隔）"),
    ("checklist_code", "检查单"),
    ("status", "状态"),
    ("version", "版本（只读）"),
)
MONEY = {
    "individual_min": "individual_min_fen",
    "individual_max": "individual_max_fen",
    "organization_min": "organization_min_fen",
    "organization_max": "organization_max_fen",
}


def _refs_text(refs: list[dict[str, Any]]) -> str:
    return "\n".join(f"{r['law']} {r['article']}{r.get('clause') or ''}" for r in refs)


def _yuan(fen: int | None) -> float | int | None:
    if fen is None:
        return None
    return fen // 100 if fen % 100 == 0 else fen / 100


def export_audited(session: Session, principal: StaffPrincipal) -> bytes:
    """The export as a download recorded in the audit log (导出 is a download like any other)."""
    data = export_matters(session)
    events.download(session, principal, "export", "law_matters", "执法事项（Excel）", action="export.download",
                    format="xlsx", size=len(data))  # fmt: skip
    return data


def export_matters(session: Session) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "执法事项"
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for m in session.scalars(select(EnforcementMatter).order_by(EnforcementMatter.code)):
        sheet.append(
            [
                m.code,
                m.name,
                m.category_code,
                m.region_code or "",
                _refs_text(m.violated),
                _refs_text(m.penalty),
                ",".join(str(k) for k in m.penalty_kinds),
                _yuan(m.individual_min_fen),
                _yuan(m.individual_max_fen),
                _yuan(m.organization_min_fen),
                _yuan(m.organization_max_fen),
                m.ratio_min_pct,
                m.ratio_max_pct,
                m.ratio_base,
                m.fine_note,
                m.description,
                "、".join(m.keywords),
                m.checklist_code or "",
                str(m.status),
                m.version,
            ]
        )
    widths = {"B": 48, "E": 30, "F": 30, "O": 40, "P": 60, "Q": 40}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_values(row: tuple[Any, ...], header: list[str]) -> dict[str, Any]:
    labels = {label: key for key, label in COLUMNS}
    return {labels[h]: v for h, v in zip(header, row, strict=False) if h in labels}


def _to_fen(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as error:
        raise ValueError("金额须为数字（元）") from error
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("金额须为非负数，最多两位小数")
    return int(amount * 100)


def _row_payload(raw: dict[str, Any]) -> dict[str, Any]:
    text = {k: ("" if v is None else str(v).strip()) for k, v in raw.items()}
    payload: dict[str, Any] = {
        "name": text.get("name"),
        "category_code": text.get("category_code"),
        "region_code": text.get("region_code") or None,
        "violated": [parse_ref(line.strip()) for line in text.get("violated", "").splitlines() if line.strip()],
        "penalty": [parse_ref(line.strip()) for line in text.get("penalty", "").splitlines() if line.strip()],
        "penalty_kinds": [k.strip() for k in text.get("penalty_kinds", "").replace("，", ",").split(",") if k.strip()],
        "ratio_base": text.get("ratio_base", ""),
        "fine_note": text.get("fine_note", ""),
        "description": text.get("description", ""),
        "keywords": [k.strip() for k in text.get("keywords", "").replace(",", "、").split("、") if k.strip()],
        "checklist_code": text.get("checklist_code") or None,
    }
    for column, field in MONEY.items():
        payload[field] = _to_fen(raw.get(column))
    for field in ("ratio_min_pct", "ratio_max_pct"):
        payload[field] = int(raw[field]) if raw.get(field) not in (None, "") else None
    if text.get("status"):
        payload["status"] = text["status"]
    return payload


def import_matters(session: Session, principal: StaffPrincipal, content: bytes) -> ImportReport:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise Unprocessable(
            "不是有效的 Excel（xlsx）文件",
            code="law.import_invalid_file",
            errors=[FieldProblem(field="file", message="请上传从本系统导出的 xlsx 模板")],
        ) from error
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or "事项编码" not in [str(h or "").strip() for h in rows[0]]:
        raise Unprocessable(
            "第一行须为表头（事项编码、事项名称……）",
            code="law.import_invalid_file",
            errors=[FieldProblem(field="file", message="缺少表头“事项编码”")],
        )
    header = [str(h or "").strip() for h in rows[0]]
    report = ImportReport(created=0, updated=0, unchanged=0, errors=[])
    existing = {m.code: m.version for m in session.scalars(select(EnforcementMatter))}
    for number, row in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue
        raw = _cell_values(row, header)
        code = str(raw.get("code") or "").strip()
        try:
            payload = _row_payload(raw)
            with session.begin_nested():
                if code in existing:
                    update = MatterUpdate.model_validate(payload)
                    matter = admin.update_matter(session, principal, code, update)
                    if matter.version == existing[code]:
                        report.unchanged += 1
                    else:
                        report.updated += 1
                else:
                    admin.create_matter(session, principal, MatterCreate.model_validate({**payload, "code": code}))
                    report.created += 1
        except ValidationError as error:
            for problem in error.errors():
                field = ".".join(str(p) for p in problem["loc"])
                report.errors.append({"row": number, "field": field, "message": _zh(problem)})
        except DomainError as error:
            problems = error.errors or [FieldProblem(field="", message=error.detail)]
            for problem in problems:
                report.errors.append({"row": number, "field": problem.field, "message": problem.message})
        except ValueError as error:
            report.errors.append({"row": number, "field": "", "message": str(error)})
    if report.errors:
        first = report.errors[0]
        raise Unprocessable(
            f"第{first['row']}行：{first['message']}（共{len(report.errors)}处错误，未导入任何数据）",
            code="law.import_rejected",
            errors=[
                FieldProblem(field=f"row{e['row']}.{e['field']}".rstrip("."), message=e["message"])
                for e in report.errors
            ],
        )
    return report


def _zh(problem: dict[str, Any]) -> str:
    kind = problem.get("type", "")
    if kind == "missing":
        return "必填"
    if kind.startswith("string_pattern"):
        return "格式不正确"
    if kind == "enum":
        return "取值不在允许范围内"
    return "取值无效"
