"""API schemas of the legal knowledge base (money in integer fen; dates ISO)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import Field

from chengguan.kit.schemas import Filter, Out, Schema
from chengguan.law.enums import LawLevel, MatterStatus, PartyType, PenaltyKind, SearchKind, Tier

REGION = r"^[0-9]{6}$"
REGION_FILTER = r"^([0-9]{6}|all)$"  # "all": every region (the library); absent: the caller's unit's region
MATTER_CODE = r"^[0-9A-Za-z\-]{3,20}$"
Fen = Field(None, ge=0, le=100_000_000_000)


class LawRead(Out):
    id: uuid.UUID
    code: str
    title: str
    short_title: str
    level: LawLevel
    issuing_body: str
    region_code: str | None
    effective_date: dt.date
    repeal_date: dt.date | None
    version: str
    article_count: int


class ArticleRead(Out):
    id: uuid.UUID
    number: int
    label: str
    chapter: str
    section: str
    text: str


class LawDetail(LawRead):
    history: str
    articles: list[ArticleRead]


class LawFilter(Filter):
    q: str | None = Field(None, max_length=100, description="名称关键词")
    level: LawLevel | None = None
    region: str | None = Field(
        None,
        pattern=REGION_FILTER,
        description="适用地区（含全国性法律法规）；缺省为本人所在单位的地区，all 为不限",
    )


class LawImport(Schema):
    """A statute as Markdown: ``# 标题``, history lines, ``## 章``/``### 节`` headings, ``第X条 …`` articles."""

    code: str = Field(pattern=r"^[a-z0-9\-]{2,50}$")
    short_title: str = Field(min_length=1, max_length=60)
    level: LawLevel
    issuing_body: str = Field(min_length=1, max_length=100)
    region_code: str | None = Field(None, pattern=REGION)
    effective_date: dt.date
    version: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=10, max_length=2_000_000)


class LawUpdate(Schema):
    short_title: str | None = Field(None, min_length=1, max_length=60)
    issuing_body: str | None = Field(None, min_length=1, max_length=100)
    effective_date: dt.date | None = None
    repeal_date: dt.date | None = None
    version: str | None = Field(None, min_length=1, max_length=40)


class ProvisionRef(Schema):
    law: str = Field(min_length=1, max_length=50, description="法律法规编码（如 daqi）")
    article: str = Field(min_length=3, max_length=20, description="条，如 第一百一十八条")
    clause: str | None = Field(None, max_length=30, description="款、项，如 第三款、第一款第（七）项")


class ProvisionOut(Out):
    law: str = Field(description="法律法规全称，如 中华人民共和国大气污染防治法")
    law_code: str
    article: str
    clause: str | None
    text: str | None = None


class FineRange(Out):
    min_fen: int | None
    max_fen: int | None


class MatterRead(Out):
    id: uuid.UUID
    code: str
    name: str
    category_code: str
    category_name: str | None = None
    region_code: str | None
    penalty_kinds: list[PenaltyKind]
    individual_min_fen: int | None
    individual_max_fen: int | None
    organization_min_fen: int | None
    organization_max_fen: int | None
    ratio_min_pct: int | None
    ratio_max_pct: int | None
    ratio_base: str
    simple_procedure_possible: bool
    first_offense_exempt_possible: bool
    status: MatterStatus
    version: int


class TierRead(Out):
    tier: Tier
    tier_label: str
    circumstances: str
    party_type: str | None
    min_fen: int | None = None
    max_fen: int | None = None
    lower_pct: int | None = None
    upper_pct: int | None = None


class ChecklistRead(Out):
    code: str
    name: str
    items: list[dict[str, Any]]


class StandardRef(Out):
    code: str
    name: str
    version: int
    region_code: str | None


class MatterDetail(MatterRead):
    description: str
    fine_note: str
    keywords: list[str]
    violated_articles: list[ProvisionOut]
    penalty_articles: list[ProvisionOut]
    checklist: ChecklistRead | None
    standard: StandardRef | None
    discretion: list[TierRead]


class MatterFilter(Filter):
    q: str | None = Field(None, max_length=100, description="关键词（名称、描述、关键词，全文检索）")
    category: str | None = Field(None, pattern=r"^[0-9]{2,5}$", description="GB/T 47678.5 类别（大类 2 位或小类 5 位）")
    region: str | None = Field(
        None,
        pattern=REGION_FILTER,
        description="适用地区：全国性事项和该地区事项；缺省为本人单位的地区，all 为不限",
    )
    status: MatterStatus | None = None


class MatterWrite(Schema):
    name: str = Field(min_length=2, max_length=100)
    category_code: str = Field(pattern=r"^[0-9]{5}$")
    region_code: str | None = Field(None, pattern=REGION)
    description: str = Field("", max_length=4000)
    violated: list[ProvisionRef] = Field(min_length=1, max_length=10)
    penalty: list[ProvisionRef] = Field(min_length=1, max_length=10)
    penalty_kinds: list[PenaltyKind] = Field(min_length=1)
    individual_min_fen: int | None = Fen
    individual_max_fen: int | None = Fen
    organization_min_fen: int | None = Fen
    organization_max_fen: int | None = Fen
    ratio_min_pct: int | None = Field(None, ge=0, le=1000)
    ratio_max_pct: int | None = Field(None, ge=0, le=1000)
    ratio_base: str = Field("", max_length=40)
    fine_note: str = Field("", max_length=2000)
    first_offense_exempt_possible: bool = True
    keywords: list[str] = Field(default_factory=list, max_length=60)
    checklist_code: str | None = Field(None, max_length=40)


class MatterCreate(MatterWrite):
    code: str = Field(pattern=MATTER_CODE)


class MatterUpdate(Schema):
    name: str | None = Field(None, min_length=2, max_length=100)
    category_code: str | None = Field(None, pattern=r"^[0-9]{5}$")
    region_code: str | None = Field(None, pattern=REGION)
    description: str | None = Field(None, max_length=4000)
    violated: list[ProvisionRef] | None = Field(None, min_length=1, max_length=10)
    penalty: list[ProvisionRef] | None = Field(None, min_length=1, max_length=10)
    penalty_kinds: list[PenaltyKind] | None = Field(None, min_length=1)
    individual_min_fen: int | None = Fen
    individual_max_fen: int | None = Fen
    organization_min_fen: int | None = Fen
    organization_max_fen: int | None = Fen
    ratio_min_pct: int | None = Field(None, ge=0, le=1000)
    ratio_max_pct: int | None = Field(None, ge=0, le=1000)
    ratio_base: str | None = Field(None, max_length=40)
    fine_note: str | None = Field(None, max_length=2000)
    first_offense_exempt_possible: bool | None = None
    keywords: list[str] | None = Field(None, max_length=60)
    checklist_code: str | None = Field(None, max_length=40)
    status: MatterStatus | None = None


class VersionRead(Out):
    version: int
    created_at: dt.datetime
    content: dict[str, Any]


class SearchHit(Out):
    kind: SearchKind
    id: uuid.UUID
    law_id: uuid.UUID | None
    title: str
    snippet: str = Field(description="片段，命中词以 <mark> 标出（已做 HTML 转义）")
    score: float
    level: str | None
    region_code: str | None
    category_code: str | None


class SearchResult(Out):
    total: int
    terms: list[str]
    items: list[SearchHit]


class SearchFilter(Filter):
    q: str = Field(min_length=1, max_length=200, description="检索词")
    kind: SearchKind | None = None
    level: LawLevel | None = None
    region: str | None = Field(
        None, pattern=REGION_FILTER, description="适用地区；缺省为本人所在单位的地区，all 为不限"
    )
    category: str | None = Field(None, pattern=r"^[0-9]{2,5}$")
    law_id: uuid.UUID | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class RecommendRequest(Schema):
    text: str = Field(min_length=1, max_length=500, description="现场情况描述")
    region: str | None = Field(
        None, pattern=REGION, description="行政区划代码，决定适用的地方性法规（缺省为本人所在单位的地区）"
    )
    limit: int = Field(5, ge=1, le=20)


class RecommendItem(Out):
    matter_code: str
    name: str
    score: float
    matched_terms: list[str]
    violated_articles: list[ProvisionOut]
    penalty_articles: list[ProvisionOut]
    region_code: str | None
    category_code: str


class RecommendResult(Out):
    items: list[RecommendItem]


Harm = Literal["none", "minor", "general", "serious"]


class CircumstancesIn(Schema):
    first_offense: bool = Field(True, description="初次违法")
    corrected_in_time: bool = Field(False, description="及时改正")
    harm: Harm = Field("none", description="危害后果：none 无 / minor 轻微 / general 一般 / serious 严重")
    no_fault_proven: bool = Field(False, description="有证据足以证明没有主观过错（第三十三条第二款）")
    under_14: bool = Field(False, description="不满十四周岁（第三十条）")
    unable_to_recognise: bool = Field(False, description="不能辨认或者控制自己行为（第三十一条）")
    repeat_count: int = Field(0, ge=0, le=100, description="裁量基准期间内同一事项已被处罚次数")
    repeat_window_months: int = Field(12, ge=1, le=120, description="计算再次违法的期间（月）")
    mitigating: list[str] = Field(
        default_factory=list, max_length=10, description="从轻、减轻情节（第三十条至第三十二条）"
    )
    aggravating: list[str] = Field(default_factory=list, max_length=10, description="从重情节")
    base_amount_fen: int | None = Field(
        None, ge=1, le=100_000_000_000_00, description="按比例处罚的基数，如建设工程造价（分）"
    )
    major_public_interest: bool = Field(False, description="涉及重大公共利益（第五十八条）")
    complex_case: bool = Field(False, description="案情疑难复杂、涉及多个法律关系（第五十八条）")


class AssessRequest(Schema):
    matter_code: str = Field(pattern=MATTER_CODE)
    party_type: PartyType
    circumstances: CircumstancesIn = Field(default_factory=CircumstancesIn)
    region: str | None = Field(None, pattern=REGION, description="适用地区（缺省为本人所在单位的地区）")


class AssessResult(Out):
    tier: Tier
    tier_label: str
    fine_min_fen: int | None
    fine_max_fen: int | None
    suggested_fen: int | None
    statutory_min_fen: int | None
    statutory_max_fen: int | None
    exempt: bool
    exemption_basis: str | None
    education_required: bool
    simple_procedure_allowed: bool
    hearing_right: bool
    legal_review_required: bool
    reasoning: str
    matter_code: str
    matter_version: int
    standard: StandardRef | None
    penalty_articles: list[ProvisionOut]


class CategoryRead(Out):
    code: str
    name: str


class StandardRead(Out):
    code: str
    name: str
    region_code: str | None
    issuing_body: str
    effective_date: dt.date
    description: str
    version: int


class StandardTierIn(Schema):
    matter_code: str | None = Field(None, pattern=MATTER_CODE)
    party_type: PartyType | None = None
    tier: Tier
    circumstances: str = Field("", max_length=500)
    lower_pct: int | None = Field(None, ge=0, le=100)
    upper_pct: int | None = Field(None, ge=0, le=100)
    min_fen: int | None = Fen
    max_fen: int | None = Fen


class StandardTierOut(StandardTierIn):
    tier_label: str


class StandardDetail(StandardRead):
    tiers: list[StandardTierOut]


class StandardTiersUpdate(Schema):
    tiers: list[StandardTierIn] = Field(min_length=1, max_length=2000)


class HearingThresholdRead(Out):
    region_code: str | None
    individual_fen: int
    organization_fen: int
    basis: str


class HearingThresholdWrite(Schema):
    individual_fen: int = Field(ge=1, le=100_000_000_000)
    organization_fen: int = Field(ge=1, le=100_000_000_000)
    basis: str = Field("", max_length=500)


class ImportReport(Out):
    created: int
    updated: int
    unchanged: int
    errors: list[dict[str, Any]]
