"""Legal knowledge base tables: statutes and articles, enforcement matters, discretion standards, checklists.

Matters and standards carry a ``version`` that goes up on every change; each version's full content is kept in
``law_kb_snapshot`` so a case decided under version 3 can always show what version 3 said.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chengguan.core.db import Base, Timestamps, UUIDPrimaryKey
from chengguan.kit.types import str_enum
from chengguan.law.enums import LawLevel, MatterStatus, SearchKind, Tier


class Law(UUIDPrimaryKey, Timestamps, Base):
    """A law, regulation or rule; ``region_code`` None means it applies nationwide."""

    __tablename__ = "law"

    code: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(120), index=True)
    short_title: Mapped[str] = mapped_column(String(60))
    level: Mapped[LawLevel] = mapped_column(str_enum(LawLevel, "level"))
    issuing_body: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    repeal_date: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[str] = mapped_column(String(40))
    history: Mapped[str] = mapped_column(Text, default="")
    article_count: Mapped[int] = mapped_column(default=0)


class LawArticle(UUIDPrimaryKey, Base):
    """One article (条) with its paragraphs joined by newlines; clauses and items are derived from them."""

    __tablename__ = "law_article"
    __table_args__ = (UniqueConstraint("law_id", "number"),)

    law_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("law.id", ondelete="CASCADE"))
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(20))
    chapter: Mapped[str] = mapped_column(String(60), default="")
    section: Mapped[str] = mapped_column(String(60), default="")
    text: Mapped[str] = mapped_column(Text)


class Checklist(UUIDPrimaryKey, Timestamps, Base):
    """检查单: the points an officer checks on site for a kind of matter."""

    __tablename__ = "law_checklist"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class EnforcementMatter(UUIDPrimaryKey, Timestamps, Base):
    """执法事项（案由）: what is violated, what punishes it, and the statutory fine range per party type (fen).

    ``violated`` / ``penalty`` are lists of ``{"law": law code, "article": "第X条", "clause": "第X款…" | None}``.
    A None fine bound means the penalty article states no amount for that party type; ``ratio_*_pct`` is set instead
    when the law sets the fine as a percentage of ``ratio_base`` (e.g. 建设工程造价百分之五以上百分之十以下).
    """

    __tablename__ = "enforcement_matter"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    category_code: Mapped[str] = mapped_column(String(5), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    violated: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    penalty: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    penalty_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    individual_min_fen: Mapped[int | None] = mapped_column(BigInteger)
    individual_max_fen: Mapped[int | None] = mapped_column(BigInteger)
    organization_min_fen: Mapped[int | None] = mapped_column(BigInteger)
    organization_max_fen: Mapped[int | None] = mapped_column(BigInteger)
    ratio_min_pct: Mapped[int | None]
    ratio_max_pct: Mapped[int | None]
    ratio_base: Mapped[str] = mapped_column(String(40), default="")
    fine_note: Mapped[str] = mapped_column(Text, default="")
    simple_procedure_possible: Mapped[bool] = mapped_column(default=False)
    first_offense_exempt_possible: Mapped[bool] = mapped_column(default=True)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    checklist_code: Mapped[str | None] = mapped_column(ForeignKey("law_checklist.code", ondelete="SET NULL"))
    status: Mapped[MatterStatus] = mapped_column(str_enum(MatterStatus, "status"), default=MatterStatus.active)
    version: Mapped[int] = mapped_column(default=1)


class DiscretionStandard(UUIDPrimaryKey, Timestamps, Base):
    """自由裁量基准 of a region (行政处罚法第三十四条: published); None region = the national default."""

    __tablename__ = "discretion_standard"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    issuing_body: Mapped[str] = mapped_column(String(100), default="")
    effective_date: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)


class DiscretionTier(UUIDPrimaryKey, Base):
    """One tier of a standard, for one matter or (``matter_code`` None) for every matter without its own rows.

    The sub-range is either explicit fen bounds or percentages of the statutory range (0–100).
    """

    __tablename__ = "discretion_tier"
    __table_args__ = (UniqueConstraint("standard_id", "matter_code", "party_type", "tier"),)

    standard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("discretion_standard.id", ondelete="CASCADE"))
    matter_code: Mapped[str | None] = mapped_column(String(20), index=True)
    party_type: Mapped[str | None] = mapped_column(String(20))
    tier: Mapped[Tier] = mapped_column(str_enum(Tier, "tier"))
    circumstances: Mapped[str] = mapped_column(Text, default="")
    lower_pct: Mapped[int | None]
    upper_pct: Mapped[int | None]
    min_fen: Mapped[int | None] = mapped_column(BigInteger)
    max_fen: Mapped[int | None] = mapped_column(BigInteger)


class HearingThreshold(UUIDPrimaryKey, Timestamps, Base):
    """较大数额 for the hearing right (行政处罚法第六十三条): set by each province; ``region_code`` None = default."""

    __tablename__ = "hearing_threshold"

    region_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    individual_fen: Mapped[int] = mapped_column(BigInteger)
    organization_fen: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(Text, default="")


class KnowledgeSnapshot(UUIDPrimaryKey, Base):
    """The full content of one version of a matter or a discretion standard, kept forever."""

    __tablename__ = "law_kb_snapshot"
    __table_args__ = (UniqueConstraint("kind", "code", "version"),)

    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column()


class SearchDocument(UUIDPrimaryKey, Base):
    """One searchable text (a law's title, an article, a matter) with its jieba tokens, space-separated.

    SQLite searches ``law_search_fts`` (FTS5, kept in step by the service); PostgreSQL a GIN index on
    a stored ``tsv = to_tsvector('simple', tokens)`` column. Both are made by the migration, outside the ORM metadata.
    """

    __tablename__ = "law_search_doc"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    kind: Mapped[SearchKind] = mapped_column(str_enum(SearchKind, "kind"))
    ref_id: Mapped[uuid.UUID]
    law_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(30))
    region_code: Mapped[str | None] = mapped_column(String(6))
    category_code: Mapped[str | None] = mapped_column(String(5))
