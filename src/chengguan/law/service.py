"""Read-side use cases of the knowledge base: laws, matters with their articles and discretion, search,
recommendation and the penalty calculator (which applies the region's discretion standard and hearing threshold)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from chengguan.core.errors import NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.law import recommend as rec
from chengguan.law import search as fulltext
from chengguan.law.applicability import refusal, unit_region
from chengguan.law.assess import (
    DEFAULT_BANDS,
    AssessError,
    Circumstances,
    HearingRule,
    MatterFacts,
    TierBand,
    assess,
)
from chengguan.law.enums import TIER_LABELS, PartyType, SearchKind, Tier
from chengguan.law.jurisdiction import region_applies
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
    AssessRequest,
    AssessResult,
    ChecklistRead,
    LawDetail,
    LawFilter,
    LawRead,
    MatterDetail,
    MatterFilter,
    MatterRead,
    ProvisionOut,
    RecommendItem,
    RecommendRequest,
    RecommendResult,
    SearchFilter,
    SearchHit,
    SearchResult,
    StandardRef,
    TierRead,
)
from chengguan.law.seed import categories
from chengguan.law.statutes import Citation, provision_text
from chengguan.law.text import query_tokens


# ------------------------------------------------------------------------------------------------ provisions --
class Provisions:
    """Resolves ``{"law", "article", "clause"}`` references to full titles and texts (cached per request)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._laws: dict[str, Law] | None = None
        self._articles: dict[tuple[uuid.UUID, int], LawArticle | None] = {}

    def law(self, code: str) -> Law | None:
        if self._laws is None:
            self._laws = {law.code: law for law in self.session.scalars(select(Law))}
        return self._laws.get(code)

    def article(self, law: Law, number: int) -> LawArticle | None:
        key = (law.id, number)
        if key not in self._articles:
            self._articles[key] = self.session.scalar(
                select(LawArticle).where(LawArticle.law_id == law.id, LawArticle.number == number)
            )
        return self._articles[key]

    def resolve(self, ref: dict[str, Any], *, with_text: bool = True) -> ProvisionOut:
        law = self.law(ref["law"])
        text = None
        if law is not None and with_text:
            try:
                citation = Citation.parse(ref["article"] + (ref.get("clause") or ""))
                article = self.article(law, citation.article)
                text = provision_text(article.text, citation) if article else None
            except (ValueError, LookupError):
                text = None
        return ProvisionOut(
            law=law.title if law else ref["law"],
            law_code=ref["law"],
            article=ref["article"],
            clause=ref.get("clause"),
            text=text,
        )

    def resolve_all(self, refs: list[dict[str, Any]], *, with_text: bool = True) -> list[ProvisionOut]:
        return [self.resolve(r, with_text=with_text) for r in refs]


def caller_region(session: Session, principal: StaffPrincipal, given: str | None) -> str | None:
    """The region a request means: the one given, every region for ``all``, else the caller's unit's region (a matter
    applies only where its law is in force: a Qingdao officer is offered national, Shandong and Qingdao matters)."""
    if given == "all":
        return None
    return given or unit_region(session, principal.unit_id)


# ------------------------------------------------------------------------------------------------------ laws --
def law_rows(session: Session, filters: LawFilter) -> list[Law]:
    """Every law matching ``filters``, in the catalogue's order (the list pages them, the export takes them all)."""
    statement = select(Law)
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        statement = statement.where(or_(Law.title.ilike(pattern), Law.short_title.ilike(pattern)))
    if filters.level:
        statement = statement.where(Law.level == filters.level)
    rows = list(session.scalars(statement.order_by(Law.level, Law.effective_date.desc())))
    if filters.region:
        rows = [r for r in rows if region_applies(r.region_code, filters.region)]
    return rows


def list_laws(session: Session, filters: LawFilter, page: PageParams) -> Paginated[LawRead]:
    rows = law_rows(session, filters)
    items = [LawRead.model_validate(r) for r in rows[page.offset : page.offset + page.page_size]]
    return Paginated[LawRead](items=items, total=len(rows))


def get_law(session: Session, law_id: uuid.UUID) -> LawDetail:
    law = session.get(Law, law_id)
    if law is None:
        raise NotFound("法律法规不存在", code="law.not_found")
    articles = session.scalars(select(LawArticle).where(LawArticle.law_id == law.id).order_by(LawArticle.number)).all()
    return LawDetail.model_validate(
        {**LawRead.model_validate(law).model_dump(), "history": law.history, "articles": articles}
    )


# --------------------------------------------------------------------------------------------------- matters --
def matter_read(matter: EnforcementMatter, names: dict[str, str] | None = None) -> MatterRead:
    data = MatterRead.model_validate(matter)
    data.category_name = (names or categories()).get(matter.category_code)
    return data


def matter_rows(session: Session, filters: MatterFilter) -> list[EnforcementMatter]:
    """Every matter matching ``filters``, in the list's order (by code, or by relevance for a keyword)."""
    statement = select(EnforcementMatter)
    if filters.status:
        statement = statement.where(EnforcementMatter.status == filters.status)
    if filters.category:
        statement = statement.where(EnforcementMatter.category_code.startswith(filters.category))
    rows = list(session.scalars(statement.order_by(EnforcementMatter.code)))
    if filters.region:
        rows = [r for r in rows if region_applies(r.region_code, filters.region)]
    if filters.q:
        rows = _rank_by_text(session, rows, filters.q)
    return rows


def list_matters(session: Session, filters: MatterFilter, page: PageParams) -> Paginated[MatterRead]:
    rows = matter_rows(session, filters)
    names = categories()
    items = [matter_read(r, names) for r in rows[page.offset : page.offset + page.page_size]]
    return Paginated[MatterRead](items=items, total=len(rows))


def _rank_by_text(session: Session, rows: list[EnforcementMatter], q: str) -> list[EnforcementMatter]:
    """Full-text order for ``q``; a plain substring of the code or name also counts (e.g. "09006")."""
    _, hits = fulltext.search(session, q, fulltext.SearchFilters(kind=SearchKind.matter), limit=500)
    order = {h.ref_id: i for i, h in enumerate(hits)}
    needle = q.strip().lower()
    picked = [r for r in rows if r.id in order or needle in r.code.lower() or needle in r.name.lower()]
    return sorted(picked, key=lambda r: order.get(r.id, len(order)))


def get_matter(session: Session, code: str) -> EnforcementMatter:
    matter = session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == code))
    if matter is None:
        raise NotFound(f"执法事项 {code} 不存在", code="law.matter_not_found")
    return matter


def applicable_standard(session: Session, region: str | None) -> DiscretionStandard | None:
    """The most specific standard for ``region``: the district's, else the province's, else the national default."""
    standards = session.scalars(select(DiscretionStandard)).all()
    if region:
        for candidate in (region, region[:4] + "00", region[:2] + "0000"):
            for s in standards:
                if s.region_code == candidate:
                    return s
    return next((s for s in standards if s.region_code is None), None)


def tier_rows(session: Session, standard: DiscretionStandard, matter_code: str) -> list[DiscretionTier]:
    rows = session.scalars(select(DiscretionTier).where(DiscretionTier.standard_id == standard.id)).all()
    own = [r for r in rows if r.matter_code == matter_code]
    generic = {r.tier: r for r in rows if r.matter_code is None}
    merged = {r.tier: r for r in own} | {t: r for t, r in generic.items() if t not in {o.tier for o in own}}
    order = list(Tier)
    return sorted(merged.values(), key=lambda r: order.index(r.tier))


def _tier_read(row: DiscretionTier) -> TierRead:
    return TierRead(
        tier=row.tier,
        tier_label=TIER_LABELS[row.tier],
        circumstances=row.circumstances,
        party_type=row.party_type,
        min_fen=row.min_fen,
        max_fen=row.max_fen,
        lower_pct=row.lower_pct,
        upper_pct=row.upper_pct,
    )


def matter_detail(session: Session, code: str, region: str | None) -> MatterDetail:
    matter = get_matter(session, code)
    provisions = Provisions(session)
    checklist = (
        session.scalar(select(Checklist).where(Checklist.code == matter.checklist_code))
        if matter.checklist_code
        else None
    )
    if matter.region_code and region and not region_applies(matter.region_code, region):
        region = matter.region_code  # a local matter is discretioned by its own region's standard, as assess requires
    standard = applicable_standard(session, region or matter.region_code)
    tiers = [_tier_read(r) for r in tier_rows(session, standard, code)] if standard else []
    base = matter_read(matter).model_dump()
    return MatterDetail(
        **base,
        description=matter.description,
        fine_note=matter.fine_note,
        keywords=matter.keywords,
        violated_articles=provisions.resolve_all(matter.violated),
        penalty_articles=provisions.resolve_all(matter.penalty),
        checklist=ChecklistRead.model_validate(checklist) if checklist else None,
        standard=StandardRef.model_validate(standard) if standard else None,
        discretion=tiers,
    )


# ---------------------------------------------------------------------------------------------------- search --
def search(session: Session, query: SearchFilter) -> SearchResult:
    filters = fulltext.SearchFilters(
        kind=query.kind,
        level=query.level.value if query.level else None,
        region=query.region,
        category=query.category,
        law_id=query.law_id,
    )
    total, hits = fulltext.search(session, query.q, filters, limit=query.limit, offset=query.offset)
    items = [SearchHit(id=h.ref_id, **{k: v for k, v in h.__dict__.items() if k != "ref_id"}) for h in hits]
    return SearchResult(total=total, terms=query_tokens(query.q), items=items)


# ------------------------------------------------------------------------------------------- recommendation --
def kb_stamp(session: Session) -> str:
    count, latest, versions = session.execute(
        select(func.count(), func.max(EnforcementMatter.updated_at), func.sum(EnforcementMatter.version))
    ).one()
    return f"{count}:{latest}:{versions}"


def _matter_docs(session: Session) -> list[rec.MatterDoc]:
    provisions = Provisions(session)
    docs = []
    for m in session.scalars(
        select(EnforcementMatter).where(EnforcementMatter.status == "active").order_by(EnforcementMatter.code)
    ):
        texts = [p.text or "" for p in provisions.resolve_all(m.violated + m.penalty)]
        docs.append(rec.MatterDoc(m.code, m.name, m.region_code, tuple(m.keywords), m.description, " ".join(texts)))
    return docs


def recommend_index(session: Session) -> rec.RecommendIndex:
    return rec.cached_index(kb_stamp(session), lambda: _matter_docs(session))


def recommend(session: Session, request: RecommendRequest) -> RecommendResult:
    ranked = recommend_index(session).query(request.text, request.region, request.limit)
    if not ranked:
        return RecommendResult(items=[])
    matters = {
        m.code: m
        for m in session.scalars(select(EnforcementMatter).where(EnforcementMatter.code.in_([r.code for r in ranked])))
    }
    provisions = Provisions(session)
    items = []
    for r in ranked:
        m = matters[r.code]
        items.append(
            RecommendItem(
                matter_code=m.code,
                name=m.name,
                score=r.score,
                matched_terms=r.matched_terms,
                violated_articles=provisions.resolve_all(m.violated, with_text=False),
                penalty_articles=provisions.resolve_all(m.penalty, with_text=False),
                region_code=m.region_code,
                category_code=m.category_code,
            )
        )
    return RecommendResult(items=items)


# ------------------------------------------------------------------------------------------------ calculator --
def matter_facts(matter: EnforcementMatter, provisions: Provisions) -> MatterFacts:
    def pair(low: int | None, high: int | None) -> tuple[int, int] | None:
        return (low, high) if low is not None and high is not None else None

    ratio = pair(matter.ratio_min_pct, matter.ratio_max_pct)
    citations = tuple(
        f"《{p.law}》{p.article}{p.clause or ''}" for p in provisions.resolve_all(matter.penalty, with_text=False)
    )
    return MatterFacts(
        code=matter.code,
        name=matter.name,
        penalty_kinds=tuple(str(k) for k in matter.penalty_kinds),
        penalty_citations=citations,
        fine_fen={
            PartyType.individual: pair(matter.individual_min_fen, matter.individual_max_fen),
            PartyType.organization: pair(matter.organization_min_fen, matter.organization_max_fen),
        },
        ratio_pct=ratio,
        ratio_base=matter.ratio_base,
        first_offense_exempt_possible=matter.first_offense_exempt_possible,
        fine_note=matter.fine_note,
    )


def hearing_rule(session: Session, region: str | None) -> HearingRule | None:
    rows = {r.region_code: r for r in session.scalars(select(HearingThreshold))}
    candidates = [region[:2] + "0000", region] if region else []
    for code in [*candidates, None]:
        row = rows.get(code)
        if row is not None:
            return HearingRule(row.individual_fen, row.organization_fen, row.basis)
    return None


def run_assessment(session: Session, request: AssessRequest) -> AssessResult:
    matter = get_matter(session, request.matter_code)
    region = request.region or matter.region_code
    if region and (out := refusal(session, matter, region, None)) is not None:
        raise field_error("region", out.message, code="law.matter_out_of_region")
    provisions = Provisions(session)
    standard = applicable_standard(session, region)
    bands = tuple(
        TierBand(r.tier, r.circumstances, r.lower_pct, r.upper_pct, r.min_fen, r.max_fen)
        for r in (tier_rows(session, standard, matter.code) if standard else [])
        if r.party_type in (None, request.party_type.value)
    )
    c = request.circumstances
    circumstances = Circumstances(
        **c.model_dump(exclude={"repeat_window_months", "mitigating", "aggravating"}),
        mitigating=tuple(c.mitigating),
        aggravating=tuple(c.aggravating),
    )
    try:
        result = assess(
            matter_facts(matter, provisions),
            request.party_type,
            circumstances,
            bands=bands or DEFAULT_BANDS,
            hearing=hearing_rule(session, region),
            standard_name=standard.name if standard else "",
        )
    except AssessError as error:
        raise field_error(error.field, str(error), code="law.assess_invalid") from error
    return AssessResult(
        tier=result.tier,
        tier_label=TIER_LABELS[result.tier],
        fine_min_fen=result.fine_min_fen,
        fine_max_fen=result.fine_max_fen,
        suggested_fen=result.suggested_fen,
        statutory_min_fen=result.statutory_min_fen,
        statutory_max_fen=result.statutory_max_fen,
        exempt=result.exempt,
        exemption_basis=result.exemption_basis,
        education_required=result.education_required,
        simple_procedure_allowed=result.simple_procedure_allowed,
        hearing_right=result.hearing_right,
        legal_review_required=result.legal_review_required,
        reasoning=result.reasoning,
        matter_code=matter.code,
        matter_version=matter.version,
        standard=StandardRef.model_validate(standard) if standard else None,
        penalty_articles=provisions.resolve_all(matter.penalty, with_text=False),
    )
