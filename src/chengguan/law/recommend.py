"""Case-cause recommendation: a colloquial description → ranked enforcement matters, offline.

Each matter is a bag of weighted terms — its everyday keywords weigh most, then its name, its description, and the
words of its articles least. A query scores BM25-style over the words it shares with a matter (jieba tokens), plus
character bigrams so that words jieba splits differently ("掉泥"/"一路掉") still meet. The index lives in memory,
rebuilt when the knowledge base changes.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from chengguan.law.jurisdiction import region_applies
from chengguan.law.text import tokens

FIELD_WEIGHTS = {"keywords": 3.0, "name": 2.0, "description": 1.0, "articles": 0.4}
BIGRAM_WEIGHT = 0.35
K1 = 1.2
# Where something happens says little about what happened: these words count a quarter.
PLACE_WORDS = frozenset(
    [
        "人行道",
        "便道",
        "马路",
        "路边",
        "路口",
        "道路",
        "街道",
        "门口",
        "门前",
        "楼下",
        "小区",
        "绿地",
        "广场",
        "公园",
        "路上",
        "路面",
        "天桥",
        "学校",
        "医院",
        "居民区",
    ]
)
PLACE_FACTOR = 0.25


@dataclass(frozen=True)
class MatterDoc:
    code: str
    name: str
    region_code: str | None
    keywords: tuple[str, ...]
    description: str
    article_text: str


@dataclass
class Recommendation:
    code: str
    score: float
    matched_terms: list[str]


def _bigrams(text: str) -> list[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return ["".join(chars[i : i + 2]) for i in range(len(chars) - 1)]


@dataclass
class RecommendIndex:
    docs: list[MatterDoc]
    weights: list[dict[str, float]] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    bigram_weights: list[dict[str, float]] = field(default_factory=list)
    bigram_idf: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: list[MatterDoc]) -> RecommendIndex:
        index = cls(docs=docs)
        df: Counter[str] = Counter()
        bdf: Counter[str] = Counter()
        for doc in docs:
            bag: dict[str, float] = defaultdict(float)
            for field_name, text in (
                ("keywords", " ".join(doc.keywords)),
                ("name", doc.name),
                ("description", doc.description),
                ("articles", doc.article_text),
            ):
                for token in set(tokens(text)):
                    bag[token] += FIELD_WEIGHTS[field_name]
            for keyword in doc.keywords:  # a keyword is also a term of its own, whatever jieba makes of it
                bag[keyword.lower()] += FIELD_WEIGHTS["keywords"]
            for place in PLACE_WORDS & bag.keys():
                bag[place] *= PLACE_FACTOR
            bigrams: dict[str, float] = defaultdict(float)
            for text, weight in ((" ".join(doc.keywords), 1.0), (doc.name, 0.6)):
                for gram in set(_bigrams(text)):
                    bigrams[gram] += weight
            index.weights.append(dict(bag))
            index.bigram_weights.append(dict(bigrams))
            df.update(bag.keys())
            bdf.update(bigrams.keys())
        n = max(1, len(docs))
        index.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        index.bigram_idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in bdf.items()}
        return index

    def query(self, text: str, region: str | None = None, limit: int = 5) -> list[Recommendation]:
        text = text.strip()[:500]
        terms = list(dict.fromkeys(tokens(text)))
        # whole keywords contained in the text count even when jieba cut them apart
        lowered = text.lower()
        grams = set(_bigrams(text))
        results: list[Recommendation] = []
        for doc, bag, bigram_bag in zip(self.docs, self.weights, self.bigram_weights, strict=True):
            if region and not region_applies(doc.region_code, region):
                continue
            score = 0.0
            matched: list[str] = []
            seen_terms = set(terms) | {k.lower() for k in doc.keywords if k.lower() in lowered}
            for term in seen_terms:
                weight = bag.get(term)
                if weight:
                    score += self.idf[term] * weight * (K1 + 1) / (weight + K1)
                    matched.append(term)
            for gram in grams:
                weight = bigram_bag.get(gram)
                if weight:
                    score += BIGRAM_WEIGHT * self.bigram_idf[gram] * weight
            if score > 0 and all(_is_place(term) for term in matched):
                score *= PLACE_FACTOR  # only where it happened matched, nothing of what happened
            if score > 0:
                matched = _drop_contained(matched)
                results.append(Recommendation(doc.code, round(score, 3), matched))
        results.sort(key=lambda r: (-r.score, r.code))
        return results[:limit]


def _is_place(term: str) -> bool:
    """A word that only says where: a piece of a place word (人行), or a place word and one character (挡门口)."""
    return any(term in place or (place in term and len(term) - len(place) <= 1) for place in PLACE_WORDS)


def _drop_contained(terms: list[str]) -> list[str]:
    """Keep the longest matched words: "露天烧烤" makes "烧烤" and "露天" redundant in the explanation."""
    ordered = sorted(set(terms), key=len, reverse=True)
    kept: list[str] = []
    for term in ordered:
        if not any(term in longer for longer in kept):
            kept.append(term)
    return kept


_CACHE: dict[str, RecommendIndex] = {}
_LOCK = threading.Lock()


def cached_index(stamp: str, load: callable) -> RecommendIndex:  # type: ignore[valid-type]
    """The index for knowledge-base state ``stamp``; ``load()`` supplies the docs when it must be rebuilt."""
    with _LOCK:
        index = _CACHE.get(stamp)
        if index is None:
            _CACHE.clear()
            index = _CACHE[stamp] = RecommendIndex.build(load())
        return index
