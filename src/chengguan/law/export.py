"""The knowledge base's lists as Excel workbooks: the law catalogue (法律法规目录), the enforcement matters (执法事项),
the hearing thresholds (听证较大数额) and one discretion standard's tiers (裁量阶次) — each the list's own rows under
the list's filters (the region defaults to the caller's unit's, as the list does), amounts as yuan, dates as dates,
audited as ``<target>.download``.

The matters workbook is also the import template (``excel.import_matters`` reads it back by header): its columns
are the template's, so a filtered export can be edited and imported again; the old unfiltered ``/law/matters.xlsx``
writes the same sheet with every matter. The catalogues are bounded (hundreds of rows, filtered by region in Python
as the lists are), so they go through ``audited_items``, each row written to the sheet's file as it comes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.audit.list_export import audited_items
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, Fen, StreamedBook
from chengguan.law import service
from chengguan.law.enums import LAW_LEVEL_LABELS, MATTER_STATUS_LABELS, PENALTY_KIND_LABELS, TIER_LABELS
from chengguan.law.excel import COLUMNS as TEMPLATE
from chengguan.law.models import DiscretionStandard, DiscretionTier, EnforcementMatter, HearingThreshold, Law
from chengguan.law.schemas import LawFilter, MatterFilter
from chengguan.law.seed import categories

NATIONWIDE = "全国"
LAW_COLUMNS = (
    Column("名称", 40), Column("简称", 20), Column("编码", 14), Column("效力级别", 12), Column("制定机关", 28),
    Column("适用地区（区划代码）", 14), Column("版本", 16), Column("施行日期", 12, "date"),
    Column("废止日期", 12, "date"), Column("状态", 10), Column("条数", 8, "int"),
)  # fmt: skip


def export_laws(session: Session, principal: StaffPrincipal, filters: LawFilter) -> StreamedBook:
    """The catalogue's laws under its filters, in its order, audited as ``law_export.download``."""
    return audited_items(session, principal, service.law_rows(session, filters), target="law_export",
                         title="法律法规目录", columns=LAW_COLUMNS, row=_law_row, filters=_asked(filters),
                         unit="部")  # fmt: skip


def _law_row(law: Law) -> list[Any]:
    return [
        law.title, law.short_title, law.code, LAW_LEVEL_LABELS[law.level], law.issuing_body,
        law.region_code or NATIONWIDE, law.version, law.effective_date, law.repeal_date,
        "已废止" if law.repeal_date else "现行有效", law.article_count,
    ]  # fmt: skip


_WIDTHS = {"name": 48, "violated": 30, "penalty": 30, "fine_note": 40, "description": 60, "keywords": 40}
_MONEY = {"individual_min", "individual_max", "organization_min", "organization_max"}
MATTER_COLUMNS = (
    *(Column(label, _WIDTHS.get(key, 14), "money" if key in _MONEY else "text") for key, label in TEMPLATE),
    Column("类别名称", 20),
)


def export_matters(session: Session, principal: StaffPrincipal, filters: MatterFilter) -> StreamedBook:
    """The matter list's rows under its filters, in its order, as the import template; ``law_matter_export``."""
    names = categories()
    return audited_items(session, principal, service.matter_rows(session, filters), target="law_matter_export",
                         title="执法事项", columns=MATTER_COLUMNS, row=lambda m: _matter_row(m, names),
                         filters=_asked(filters), unit="项")  # fmt: skip


def export_every_matter(session: Session, principal: StaffPrincipal) -> StreamedBook:
    """Every matter, by code: the template of ``/law/matters.xlsx``, audited as that URL always was."""
    book, names = StreamedBook(), categories()
    try:
        sheet = book.sheet("执法事项", MATTER_COLUMNS)
        for matter in session.scalars(select(EnforcementMatter).order_by(EnforcementMatter.code)):
            sheet.append(_matter_row(matter, names))
        size = os.path.getsize(book.save())
        events.download(session, principal, "export", "law_matters", "执法事项（Excel）", action="export.download",
                        format="xlsx", size=size, rows=sheet.rows)  # fmt: skip
    except BaseException:
        book.discard()
        raise
    return book


def _refs(refs: list[dict[str, Any]]) -> str:
    return "\n".join(f"{r['law']} {r['article']}{r.get('clause') or ''}" for r in refs)


def _fen(value: int | None) -> Fen | None:
    return None if value is None else Fen(value)


def _matter_row(m: EnforcementMatter, names: dict[str, str]) -> list[Any]:
    # kinds and status as their labels: the import reads a label or a code back
    return [
        m.code, m.name, m.category_code, m.region_code, _refs(m.violated), _refs(m.penalty),
        "，".join(PENALTY_KIND_LABELS.get(k, k) for k in m.penalty_kinds), _fen(m.individual_min_fen),
        _fen(m.individual_max_fen), _fen(m.organization_min_fen), _fen(m.organization_max_fen), m.ratio_min_pct,
        m.ratio_max_pct, m.ratio_base, m.fine_note, m.description, "、".join(m.keywords), m.checklist_code,
        MATTER_STATUS_LABELS.get(m.status, m.status), m.version, names.get(m.category_code),
    ]  # fmt: skip


HEARING_COLUMNS = (
    Column("适用范围", 16), Column("省级区划代码", 14), Column("公民（元）", 14, "money"),
    Column("法人或其他组织（元）", 18, "money"), Column("依据", 60),
)  # fmt: skip


def hearing_rows(session: Session) -> list[HearingThreshold]:
    """The default first, then the provinces by code (the order the maintenance tab shows)."""
    rows = list(session.scalars(select(HearingThreshold)))
    return sorted(rows, key=lambda r: (r.region_code is not None, r.region_code or ""))


def export_hearing(session: Session, principal: StaffPrincipal) -> StreamedBook:
    return audited_items(session, principal, hearing_rows(session), target="hearing_threshold_export",
                         title="听证较大数额", columns=HEARING_COLUMNS, row=_hearing_row)  # fmt: skip


def _hearing_row(r: HearingThreshold) -> list[Any]:
    scope = "默认（未单独设置的省）" if r.region_code is None else "本省"
    return [scope, r.region_code, Fen(r.individual_fen), Fen(r.organization_fen), r.basis]


TIER_COLUMNS = (
    Column("适用事项", 16), Column("当事人", 16), Column("阶次", 8), Column("适用情形", 50),
    Column("幅度下限（%）", 12, "int"), Column("幅度上限（%）", 12, "int"), Column("金额下限（元）", 14, "money"),
    Column("金额上限（元）", 14, "money"),
)  # fmt: skip
PARTY = {None: "不区分", "individual": "公民", "organization": "法人或者其他组织"}


def tier_rows(session: Session, standard: DiscretionStandard) -> Iterable[DiscretionTier]:
    """The standard's tiers in the detail's order (by matter, then tier)."""
    return session.scalars(select(DiscretionTier).where(DiscretionTier.standard_id == standard.id)
                           .order_by(DiscretionTier.matter_code, DiscretionTier.tier))  # fmt: skip


def export_tiers(session: Session, principal: StaffPrincipal, standard: DiscretionStandard) -> StreamedBook:
    return audited_items(session, principal, tier_rows(session, standard), target="discretion_tier_export",
                         title=f"裁量阶次-{standard.name}", columns=TIER_COLUMNS, row=_tier_row,
                         filters={"standard": standard.code})  # fmt: skip


def _tier_row(t: DiscretionTier) -> list[Any]:
    return [
        t.matter_code or "全部事项", PARTY.get(t.party_type, t.party_type), TIER_LABELS[t.tier], t.circumstances,
        t.lower_pct, t.upper_pct, _fen(t.min_fen), _fen(t.max_fen),
    ]  # fmt: skip


def _asked(filters: LawFilter | MatterFilter) -> dict[str, Any]:
    # the region the list applied (the caller's unit's when none was asked), "all" for every region
    return filters.model_dump(mode="json", exclude_none=True) | {"region": filters.region or "all"}
