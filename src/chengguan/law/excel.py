"""Excel (xlsx) import of enforcement matters from the workbook ``law.export`` writes: one row per matter, amounts in
yuan, citations one per line (``法规编码 第X条第X款``), penalty kinds and status as their labels or codes. Import is
all-or-nothing: any bad row and nothing is written, every problem is listed."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.errors import DomainError, FieldProblem, Unprocessable
from chengguan.core.principals import StaffPrincipal
from chengguan.law import admin
from chengguan.law.enums import MATTER_STATUS_LABELS, PENALTY_KIND_LABELS
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
# the labels the export writes, read back as codes (a code typed by hand is taken as it is)
KINDS = {label: kind.value for kind, label in PENALTY_KIND_LABELS.items()}
STATUSES = {label: status.value for status, label in MATTER_STATUS_LABELS.items()}
MONEY = {
    "individual_min": "individual_min_fen",
    "individual_max": "individual_max_fen",
    "organization_min": "organization_min_fen",
    "organization_max": "organization_max_fen",
}


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


def _split(kinds: str) -> list[str]:
    return [k.strip() for k in kinds.replace("，", ",").split(",") if k.strip()]


def _row_payload(raw: dict[str, Any]) -> dict[str, Any]:
    text = {k: ("" if v is None else str(v).strip()) for k, v in raw.items()}
    payload: dict[str, Any] = {
        "name": text.get("name"),
        "category_code": text.get("category_code"),
        "region_code": text.get("region_code") or None,
        "violated": [parse_ref(line.strip()) for line in text.get("violated", "").splitlines() if line.strip()],
        "penalty": [parse_ref(line.strip()) for line in text.get("penalty", "").splitlines() if line.strip()],
        "penalty_kinds": [KINDS.get(k, k) for k in _split(text.get("penalty_kinds", ""))],
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
        payload["status"] = STATUSES.get(text["status"], text["status"])
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
