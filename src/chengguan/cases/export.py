"""The case list as an Excel workbook (案件台账导出): the list's filters, newest first, personal data masked unless
the exporter holds personal_data:view and asks for it in full (then the export is one audited read of every row's
personal data, ``personal_data.read`` naming how many cases and which fields)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy.orm import Session

from chengguan.cases import personal
from chengguan.cases.enums import STATUS_LABELS, Procedure
from chengguan.cases.facts import today
from chengguan.cases.models import Case
from chengguan.cases.repository import CaseRepository
from chengguan.cases.schemas import CaseExportIn, CaseFilter
from chengguan.core.principals import StaffPrincipal
from chengguan.law.enums import PartyType
from chengguan.org.repository import unit_names

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 5000
HEADERS = ("案号", "程序", "状态", "案由", "当事人", "当事人类型", "证件号码", "联系电话", "当事人地址",
           "违法地点", "违法日期", "立案日期", "承办单位", "罚款（元）")  # fmt: skip
PROCEDURES = {Procedure.simple: "简易程序", Procedure.ordinary: "普通程序"}


def export_cases(session: Session, principal: StaffPrincipal, data: CaseExportIn) -> bytes:
    """The matching readable cases (at most ``EXPORT_LIMIT``, newest first) as an xlsx workbook."""
    if data.reveal:
        personal.refuse_unless_permitted(principal)
    filters = CaseFilter.model_validate(data.model_dump(exclude={"reveal"}))
    statement = CaseRepository(session).filtered(principal, filters, today())
    cases = list(session.scalars(statement.order_by(Case.created_at.desc(), Case.id).limit(EXPORT_LIMIT)))
    names = unit_names(session, {c.unit_id for c in cases})
    book = Workbook()
    sheet = book.active
    sheet.title = "案件台账"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for c in cases:
        party = personal.masked(c)
        id_no, phone, address = (c.party_id_no, c.party_phone, c.party_address) if data.reveal else (
            party.id_no, party.phone, party.address)  # fmt: skip
        sheet.append([
            c.code, PROCEDURES[c.procedure], STATUS_LABELS[c.status], c.matter_name, c.party_name,
            "个人" if c.party_type is PartyType.individual else "单位", id_no or "", phone or "", address or "",
            c.address or "", c.act_on.isoformat(), c.filed_on.isoformat() if c.filed_on else "",
            names.get(c.unit_id, ""), c.fine_fen / 100 if c.fine_fen is not None else "",
        ])  # fmt: skip
    for column, width in {"A": 18, "D": 40, "E": 24, "G": 22, "H": 16, "I": 36, "J": 36, "M": 28}.items():
        sheet.column_dimensions[column].width = width
    if data.reveal and cases:
        personal.record_read(session, principal, "case_export", None, f"案件台账导出（{len(cases)} 件）",
                             list(personal.FIELDS), "case.export")  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
