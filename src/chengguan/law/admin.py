"""Write-side use cases of the knowledge base (permission ``law:write``): matters, discretion tiers, hearing
thresholds and statutes. Every write is audited; a matter or standard that changes gets a new version kept whole."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.core.errors import Conflict, FieldProblem, NotFound, Unprocessable, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.snapshot import changes
from chengguan.law import search
from chengguan.law.enums import PenaltyKind
from chengguan.law.models import (
    Checklist,
    DiscretionStandard,
    DiscretionTier,
    EnforcementMatter,
    HearingThreshold,
    Law,
    LawArticle,
)
from chengguan.law.schemas import (
    HearingThresholdWrite,
    LawImport,
    LawUpdate,
    MatterCreate,
    MatterUpdate,
    StandardTiersUpdate,
)
from chengguan.law.seed import categories, simple_procedure_possible, store_statute
from chengguan.law.service import get_matter
from chengguan.law.statutes import Citation, StatuteFormatError, parse_statute, provision_text
from chengguan.law.versions import keep_version, matter_content, standard_content

FINE_PAIRS = (("individual_min_fen", "individual_max_fen"), ("organization_min_fen", "organization_max_fen"))


def _problems(errors: list[FieldProblem]) -> None:
    if errors:
        raise Unprocessable(errors[0].message, code="law.invalid_matter", errors=errors)


def validate_matter(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Check citations against the imported texts, ranges, category and checklist; derive the simple-procedure flag."""
    errors: list[FieldProblem] = []
    laws = {law.code: law for law in session.scalars(select(Law))}
    for field in ("violated", "penalty"):
        for index, ref in enumerate(values.get(field) or []):
            law = laws.get(ref["law"])
            where = f"{field}[{index}]"
            if law is None:
                errors.append(FieldProblem(field=f"{where}.law", message=f"法律法规 {ref['law']} 不在知识库中"))
                continue
            try:
                citation = Citation.parse(ref["article"] + (ref.get("clause") or ""))
            except ValueError as error:
                errors.append(FieldProblem(field=f"{where}.article", message=str(error)))
                continue
            article = session.scalar(
                select(LawArticle).where(LawArticle.law_id == law.id, LawArticle.number == citation.article)
            )
            if article is None:
                errors.append(
                    FieldProblem(field=f"{where}.article", message=f"《{law.title}》没有{citation.article_label}")
                )
                continue
            try:
                provision_text(article.text, citation)
            except LookupError as error:
                errors.append(FieldProblem(field=f"{where}.clause", message=str(error)))
            ref["article"], ref["clause"] = citation.article_label, citation.clause_label
    for low_key, high_key in FINE_PAIRS:
        low, high = values.get(low_key), values.get(high_key)
        if (low is None) != (high is None):
            errors.append(FieldProblem(field=high_key, message="罚款下限和上限须同时填写或同时留空"))
        elif low is not None and high is not None and low > high:
            errors.append(FieldProblem(field=high_key, message="罚款上限不能低于下限"))
    ratio_low, ratio_high = values.get("ratio_min_pct"), values.get("ratio_max_pct")
    if (ratio_low is None) != (ratio_high is None) or (ratio_low is not None and ratio_low > ratio_high):
        errors.append(FieldProblem(field="ratio_max_pct", message="按比例罚款的上下限须同时填写，且上限不低于下限"))
    if "category_code" in values and values["category_code"] not in categories():
        errors.append(FieldProblem(field="category_code", message="不是平台已知的 GB/T 47678.5 事项类别"))
    checklist = values.get("checklist_code")
    if checklist and session.scalar(select(Checklist.id).where(Checklist.code == checklist)) is None:
        errors.append(FieldProblem(field="checklist_code", message="检查单不存在"))
    _problems(errors)
    if "penalty_kinds" in values:
        values["penalty_kinds"] = [PenaltyKind(k).value for k in values["penalty_kinds"]]
    return values


def _after_matter_write(session: Session, matter: EnforcementMatter) -> None:
    matter.simple_procedure_possible = simple_procedure_possible(
        list(matter.penalty_kinds), matter.individual_min_fen, matter.organization_min_fen
    )
    session.flush()
    keep_version(session, matter)
    search.index_matter(session, matter)


def create_matter(session: Session, principal: StaffPrincipal, data: MatterCreate) -> EnforcementMatter:
    if session.scalar(select(EnforcementMatter.id).where(EnforcementMatter.code == data.code)) is not None:
        raise Conflict(
            f"事项编码 {data.code} 已存在",
            code="conflict.duplicate",
            errors=[FieldProblem(field="code", message="编码已存在")],
        )
    values = validate_matter(session, data.model_dump())
    matter = EnforcementMatter(**values, version=1)
    session.add(matter)
    session.flush()
    _after_matter_write(session, matter)
    audit.record(
        session,
        principal.actor,
        "law_matter.create",
        target_type="law_matter",
        target_id=matter.id,
        target_label=f"{matter.code} {matter.name}",
        summary={"after": matter_content(matter)},
    )
    return matter


def update_matter(session: Session, principal: StaffPrincipal, code: str, data: MatterUpdate) -> EnforcementMatter:
    matter = get_matter(session, code)
    values = data.model_dump(exclude_unset=True)
    for required in ("name", "category_code", "violated", "penalty", "penalty_kinds", "status"):
        if required in values and values[required] is None:
            raise field_error(required, "该字段不能为空")
    before = matter_content(matter)
    merged = {**{k: before[k] for k in before if k in MatterUpdate.model_fields}, **values}
    merged = validate_matter(session, merged)
    for key in values:
        setattr(matter, key, merged[key])
    diff = changes(before, matter_content(matter))
    if not diff["after"]:
        return matter
    matter.version += 1
    _after_matter_write(session, matter)
    audit.record(
        session,
        principal.actor,
        "law_matter.update",
        target_type="law_matter",
        target_id=matter.id,
        target_label=f"{matter.code} {matter.name}",
        summary={**diff, "version": matter.version},
    )
    return matter


def get_standard(session: Session, code: str) -> DiscretionStandard:
    standard = session.scalar(select(DiscretionStandard).where(DiscretionStandard.code == code))
    if standard is None:
        raise NotFound("裁量基准不存在", code="law.standard_not_found")
    return standard


def replace_tiers(
    session: Session, principal: StaffPrincipal, code: str, data: StandardTiersUpdate
) -> DiscretionStandard:
    """Replace every tier of a standard at once (a new version); each row needs pct or fen bounds, low ≤ high."""
    standard = get_standard(session, code)
    errors: list[FieldProblem] = []
    seen: set[tuple[Any, ...]] = set()
    known = set(session.scalars(select(EnforcementMatter.code)))
    for index, tier in enumerate(data.tiers):
        key = (tier.matter_code, tier.party_type, tier.tier)
        has_pct = tier.lower_pct is not None and tier.upper_pct is not None
        has_fen = tier.min_fen is not None and tier.max_fen is not None
        if key in seen:
            errors.append(FieldProblem(field=f"tiers[{index}]", message="同一事项、当事人类型的阶次重复"))
        seen.add(key)
        if tier.matter_code and tier.matter_code not in known:
            errors.append(FieldProblem(field=f"tiers[{index}].matter_code", message="执法事项不存在"))
        if not (has_pct or has_fen):
            errors.append(FieldProblem(field=f"tiers[{index}]", message="须填写百分比区间或罚款金额区间"))
        elif (has_pct and tier.lower_pct > tier.upper_pct) or (has_fen and tier.min_fen > tier.max_fen):
            errors.append(FieldProblem(field=f"tiers[{index}]", message="区间下限不能高于上限"))
    _problems(errors)
    before = standard_content(session, standard)
    session.execute(delete(DiscretionTier).where(DiscretionTier.standard_id == standard.id))
    for tier in data.tiers:
        session.add(DiscretionTier(standard_id=standard.id, **tier.model_dump()))
    standard.version += 1
    session.flush()
    keep_version(session, standard)
    audit.record(
        session,
        principal.actor,
        "law_standard.update",
        target_type="law_standard",
        target_id=standard.id,
        target_label=standard.name,
        summary={"before_version": before["version"], "version": standard.version, "tiers": len(data.tiers)},
    )
    return standard


def put_hearing_threshold(
    session: Session, principal: StaffPrincipal, region: str | None, data: HearingThresholdWrite
) -> HearingThreshold:
    row = session.scalar(
        select(HearingThreshold).where(
            HearingThreshold.region_code.is_(None) if region is None else HearingThreshold.region_code == region
        )
    )
    before = None if row is None else {"individual_fen": row.individual_fen, "organization_fen": row.organization_fen}
    if row is None:
        row = HearingThreshold(region_code=region, **data.model_dump())
        session.add(row)
    else:
        for key, value in data.model_dump().items():
            setattr(row, key, value)
    session.flush()
    audit.record(
        session,
        principal.actor,
        "law_hearing_threshold.put",
        target_type="law_hearing_threshold",
        target_id=row.id,
        target_label=region or "默认",
        summary={"before": before, "after": data.model_dump()},
    )
    return row


def import_law(session: Session, principal: StaffPrincipal, data: LawImport) -> Law:
    """Parse a statute's text article by article and index it; the numbering must run without gaps."""
    if session.scalar(select(Law.id).where(Law.code == data.code)) is not None:
        raise Conflict(
            f"编码 {data.code} 已存在",
            code="conflict.duplicate",
            errors=[FieldProblem(field="code", message="编码已存在")],
        )
    try:
        parsed = parse_statute(data.text)
    except StatuteFormatError as error:
        raise field_error("text", str(error), code="law.statute_format") from error
    if not parsed.articles:
        raise field_error("text", "没有识别到任何条文（每条应以“第X条”开头）", code="law.statute_format")
    law, articles = store_statute(session, parsed, **data.model_dump(exclude={"text"}))
    audit.record(
        session,
        principal.actor,
        "law.import",
        target_type="law",
        target_id=law.id,
        target_label=law.title,
        summary={"articles": len(articles), "version": law.version},
    )
    return law


def update_law(session: Session, principal: StaffPrincipal, law_id: uuid.UUID, data: LawUpdate) -> Law:
    law = session.get(Law, law_id)
    if law is None:
        raise NotFound("法律法规不存在", code="law.not_found")
    values = data.model_dump(exclude_unset=True)
    for required in ("short_title", "issuing_body", "effective_date", "version"):
        if required in values and values[required] is None:
            raise field_error(required, "该字段不能为空")
    before = {k: str(getattr(law, k)) for k in values}
    for key, value in values.items():
        setattr(law, key, value)
    if law.repeal_date and law.repeal_date < law.effective_date:
        raise field_error("repeal_date", "废止日期不能早于施行日期")
    session.flush()
    audit.record(
        session,
        principal.actor,
        "law.update",
        target_type="law",
        target_id=law.id,
        target_label=law.title,
        summary={"before": before, "after": {k: str(v) for k, v in values.items()}},
    )
    return law
