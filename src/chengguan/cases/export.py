"""The case list as an Excel workbook (案件台账导出): the list's own filters (``CaseRepository.filtered``, 审批待办
through the list's approver check), newest first, streamed row by row into a write-only workbook on disk (memory
stays bounded however many cases match). Personal data is masked unless the exporter holds personal_data:view and
asks for it in full — then the export is one audited read of every row's personal data (``personal_data.read``
naming how many cases and which fields). Every export is a ``case_export.download`` entry in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session, load_only

from chengguan.audit import events
from chengguan.cases import personal
from chengguan.cases.enums import DECISION_KIND_LABELS, STATUS_LABELS, Procedure, Role
from chengguan.cases.facts import roles_of, today
from chengguan.cases.models import Case
from chengguan.cases.repository import CaseRepository
from chengguan.cases.schemas import CaseFilter
from chengguan.core.errors import field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import MAX_ROWS, XLSX, Column, Fen, StreamedBook
from chengguan.law.enums import PartyType
from chengguan.org.repository import unit_names

__all__ = ["XLSX", "export_cases"]
COLUMNS = (
    Column("案号", 20), Column("程序", 10), Column("状态", 12), Column("案由", 40), Column("当事人", 24),
    Column("当事人类型", 10), Column("证件号码", 22), Column("联系电话", 16), Column("当事人地址", 36),
    Column("违法地点", 36), Column("违法日期", 12, "date"), Column("登记时间", 17, "time"),
    Column("立案日期", 12, "date"), Column("承办单位", 28), Column("决定类型", 12), Column("决定日期", 12, "date"),
    Column("罚款（元）", 14, "money"), Column("已缴（元）", 14, "money"), Column("结案时间", 17, "time"),
)  # fmt: skip
PROCEDURES = {Procedure.simple: "简易程序", Procedure.ordinary: "普通程序"}
BATCH = 1000
_LOAD = load_only(
    Case.code, Case.procedure, Case.status, Case.matter_name, Case.party_name, Case.party_type, Case.party_id_no,
    Case.party_phone, Case.party_address, Case.address, Case.act_on, Case.created_at, Case.filed_on, Case.unit_id,
    Case.decision_kind, Case.decided_on, Case.fine_fen, Case.paid_fen, Case.closed_at, Case.approval_chain,
    Case.approval_step, Case.approval_steps,
)  # fmt: skip


def _rows(session: Session, principal: StaffPrincipal, filters: CaseFilter) -> tuple[int, Iterator[Case]]:
    """How many cases match, and the cases, newest first (审批待办: those this principal may sign now)."""
    cases = CaseRepository(session)
    statement = cases.filtered(principal, filters, today())
    if filters.awaiting_me:
        mine = [c for c in cases.in_approval(statement) if Role.approver in roles_of(session, principal, c)]
        mine.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return len(mine), iter(mine)
    total = cases.count(statement)
    ordered = statement.options(_LOAD).order_by(Case.created_at.desc(), Case.id)
    return total, iter(session.scalars(ordered.execution_options(yield_per=BATCH)))


def export_cases(session: Session, principal: StaffPrincipal, filters: CaseFilter, reveal: bool) -> StreamedBook:
    """The matching readable cases as a saved, audited workbook (``.response(name)`` streams it)."""
    if reveal:
        personal.refuse_unless_permitted(principal)
    total, found = _rows(session, principal, filters)
    if total > MAX_ROWS:
        raise field_error("filters", f"符合条件的案件有 {total} 件，超过单次导出上限 {MAX_ROWS} 件，请缩小筛选范围",
                          code="export.too_many_rows")  # fmt: skip
    names = unit_names(session, set())  # filled per batch below
    book = StreamedBook()
    try:
        sheet = book.sheet("案件台账", COLUMNS)
        for c in found:
            if c.unit_id not in names:
                names |= unit_names(session, {c.unit_id})
            sheet.append(_row(c, names, reveal))
        book.save()
        events.download(session, principal, "case_export", None, f"案件台账导出（{sheet.rows} 件）",
                        rows=sheet.rows, reveal=reveal, filters=filters.model_dump(mode="json", exclude_defaults=True))
        if reveal and sheet.rows:
            personal.record_read(session, principal, "case_export", None, f"案件台账导出（{sheet.rows} 件）",
                                 list(personal.FIELDS), "case.export")  # fmt: skip
    except BaseException:
        book.discard()
        raise
    return book


def _row(c: Case, names: dict[Any, str], reveal: bool) -> list[Any]:
    party = personal.masked(c)
    id_no, phone, address = (c.party_id_no, c.party_phone, c.party_address) if reveal else (
        party.id_no, party.phone, party.address)  # fmt: skip
    return [
        c.code, PROCEDURES[c.procedure], STATUS_LABELS[c.status], c.matter_name, c.party_name,
        "个人" if c.party_type is PartyType.individual else "单位", id_no, phone, address, c.address, c.act_on,
        c.created_at, c.filed_on, names.get(c.unit_id, ""),
        DECISION_KIND_LABELS.get(c.decision_kind, "") if c.decision_kind else "", c.decided_on,
        Fen(c.fine_fen) if c.fine_fen is not None else None, Fen(c.paid_fen) if c.paid_fen else None, c.closed_at,
    ]  # fmt: skip
