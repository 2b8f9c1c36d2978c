"""The officer register as an Excel workbook (执法人员导出): the list's own scope, filters and order through the
register's ``CrudService.export``, each officer as the list shows them — except the phone, masked: a file travels
further than a screen, and whoever must call an officer finds the number on the page. Audited as
``officer_export.download``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chengguan.core.masking import mask_phone
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.org.enums import ACTIVE_STATUS_LABELS, GENDER_LABELS, OFFICER_KIND_LABELS
from chengguan.org.schemas import OfficerFilter, OfficerRead
from chengguan.org.services import officer_service

COLUMNS = (
    Column("姓名", 12), Column("性别", 6), Column("执法证号", 18), Column("职级", 14), Column("人员类别", 10),
    Column("所属单位", 24), Column("联系电话", 16), Column("状态", 8), Column("已开通账号", 10),
)  # fmt: skip


def export_officers(session: Session, principal: StaffPrincipal, filters: OfficerFilter) -> StreamedBook:
    """The matching readable officers, in the list's order, as a saved and audited workbook."""
    return officer_service.export(session, principal, filters, title="执法人员", columns=COLUMNS, row=_row, unit="人")


def _row(o: OfficerRead) -> list[Any]:
    return [
        o.name, GENDER_LABELS[o.gender], o.certificate_no, o.rank, OFFICER_KIND_LABELS[o.kind], o.unit_name,
        mask_phone(o.phone), ACTIVE_STATUS_LABELS[o.status], o.user_id is not None,
    ]  # fmt: skip
