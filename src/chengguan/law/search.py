"""Full-text search over laws, articles and matters: jieba tokens in ``law_search_doc``, matched by SQLite FTS5
(``law_search_fts``) or PostgreSQL's stored ``tsv = to_tsvector('simple', tokens)`` (GIN), both made by the migration.

All query terms must match (AND); when nothing does, any term may (OR) so a long colloquial query still finds
something. Snippets are cut around the first match with the matched words wrapped in ``<mark>``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chengguan.law.enums import SearchKind
from chengguan.law.jurisdiction import region_applies
from chengguan.law.models import EnforcementMatter, Law, LawArticle, SearchDocument
from chengguan.law.text import highlight, query_tokens, tokens

FTS_TABLE = "law_search_fts"


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _put(session: Session, doc: SearchDocument) -> None:
    old = session.scalar(
        select(SearchDocument).where(SearchDocument.kind == doc.kind, SearchDocument.ref_id == doc.ref_id)
    )
    if old is not None:
        _remove(session, old)
    session.add(doc)
    session.flush()
    if _is_sqlite(session):
        session.execute(
            text(f"INSERT INTO {FTS_TABLE}(doc_id, tokens) VALUES (:id, :tokens)"),
            {"id": doc.id.hex, "tokens": doc.tokens},
        )


def _remove(session: Session, doc: SearchDocument) -> None:
    if _is_sqlite(session):
        session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE doc_id = :id"), {"id": doc.id.hex})
    session.delete(doc)
    session.flush()


def remove_ref(session: Session, kind: SearchKind, ref_id: uuid.UUID) -> None:
    doc = session.scalar(select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id == ref_id))
    if doc is not None:
        _remove(session, doc)


def index_law(session: Session, law: Law, articles: list[LawArticle]) -> None:
    """(Re)index a law's title and every article."""
    for article in articles:
        title = f"《{law.title}》{article.label}"
        _put(
            session,
            SearchDocument(
                kind=SearchKind.article,
                ref_id=article.id,
                law_id=law.id,
                title=title,
                body=article.text,
                tokens=" ".join(tokens(law.short_title + " " + article.text)),
                level=str(law.level),
                region_code=law.region_code,
            ),
        )
    _put(
        session,
        SearchDocument(
            kind=SearchKind.law,
            ref_id=law.id,
            law_id=law.id,
            title=law.title,
            body=f"{law.issuing_body} {law.version} {law.history}".strip(),
            tokens=" ".join(tokens(law.title + " " + law.short_title)),
            level=str(law.level),
            region_code=law.region_code,
        ),
    )


def index_matter(session: Session, matter: EnforcementMatter) -> None:
    body = matter.description or matter.name
    words = tokens(" ".join([matter.name, matter.description, *matter.keywords]))
    _put(
        session,
        SearchDocument(
            kind=SearchKind.matter,
            ref_id=matter.id,
            title=f"{matter.name}（{matter.code}）",
            body=body,
            tokens=" ".join(words),
            region_code=matter.region_code,
            category_code=matter.category_code,
        ),
    )


@dataclass
class Hit:
    kind: SearchKind
    ref_id: uuid.UUID
    law_id: uuid.UUID | None
    title: str
    snippet: str
    score: float
    level: str | None
    region_code: str | None
    category_code: str | None


@dataclass
class SearchFilters:
    kind: SearchKind | None = None
    level: str | None = None
    region: str | None = None
    category: str | None = None
    law_id: uuid.UUID | None = None


def search(
    session: Session, query: str, filters: SearchFilters, limit: int = 20, offset: int = 0
) -> tuple[int, list[Hit]]:
    terms = query_tokens(query)
    if not terms:
        return 0, []
    ranked = _match(session, terms, any_term=False) or _match(session, terms, any_term=True)
    if not ranked:
        return 0, []
    docs = {
        d.id: d for d in session.scalars(select(SearchDocument).where(SearchDocument.id.in_([i for i, _ in ranked])))
    }
    kept = [(docs[doc_id], score) for doc_id, score in ranked if doc_id in docs and _passes(docs[doc_id], filters)]
    hits = [
        Hit(
            kind=doc.kind,
            ref_id=doc.ref_id,
            law_id=doc.law_id,
            title=doc.title,
            snippet=highlight(doc.body, terms, width=90),
            score=round(score, 4),
            level=doc.level,
            region_code=doc.region_code,
            category_code=doc.category_code,
        )
        for doc, score in kept[offset : offset + limit]  # snippets only for the page shown
    ]
    return len(kept), hits


def _passes(doc: SearchDocument, f: SearchFilters) -> bool:
    if f.kind and doc.kind != f.kind:
        return False
    if f.level and doc.level != f.level:
        return False
    if f.region and not region_applies(doc.region_code, f.region):
        return False
    if f.category and not (doc.category_code or "").startswith(f.category):
        return False
    return not (f.law_id and doc.law_id != f.law_id)


def _match(session: Session, terms: list[str], *, any_term: bool) -> list[tuple[uuid.UUID, float]]:
    """Matching document ids, best first, with a score where higher is better (capped at 500 candidates)."""
    if _is_sqlite(session):
        quoted = [f'"{t.replace(chr(34), "")}"' for t in terms]
        expression = " OR ".join(quoted) if any_term else " ".join(quoted)
        rows = session.execute(
            text(
                f"SELECT doc_id, bm25({FTS_TABLE}) AS rank FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH :q ORDER BY rank LIMIT 500"
            ),
            {"q": f"tokens : ({expression})"},
        ).all()
        return [(uuid.UUID(hex=row[0]), -float(row[1])) for row in rows]
    joiner = " | " if any_term else " & "
    expression = joiner.join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
    rows = session.execute(
        text(
            "SELECT id, ts_rank(tsv, query) AS rank FROM law_search_doc, to_tsquery('simple', :q) AS query "
            "WHERE tsv @@ query ORDER BY rank DESC LIMIT 500"
        ),
        {"q": expression},
    ).all()
    return [(row[0], float(row[1])) for row in rows]
