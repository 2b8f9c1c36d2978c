"""Statute texts → articles, clauses (款) and items (项), and citations such as ``第三十五条第五款``.

The shipped texts are Markdown: ``# title``, history lines, optional ``<!-- INFO END -->``, ``## 第X章`` and
``### 第X节`` headings, then one paragraph per line; an article starts a line with ``第X条`` and a space.
A paragraph that opens with ``（一）`` is an item of the clause before it.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from chengguan.law.numerals import CN_NUMBER, article_label, cn_to_int

_ARTICLE = re.compile(rf"^第({CN_NUMBER})条(?:[ \u3000]+|$)(.*)$")
_ITEM = re.compile(rf"^[（(]({CN_NUMBER})[）)]")
_HISTORY_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_CITATION = re.compile(rf"^第({CN_NUMBER})条(?:第({CN_NUMBER})款)?(?:第[（(]({CN_NUMBER})[）)]项)?$")


class StatuteFormatError(ValueError):
    """The text does not number its articles 1, 2, 3 … or the count differs from the pinned one."""


@dataclass
class ParsedArticle:
    number: int
    chapter: str
    section: str
    paragraphs: list[str]

    @property
    def label(self) -> str:
        return article_label(self.number)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def clauses(self) -> list[list[str]]:
        """Paragraphs grouped by clause (款): each clause is its opening paragraph followed by its items."""
        groups: list[list[str]] = []
        for paragraph in self.paragraphs:
            if _ITEM.match(paragraph) and groups:
                groups[-1].append(paragraph)
            else:
                groups.append([paragraph])
        return groups


@dataclass
class ParsedStatute:
    title: str
    history: list[str]
    articles: list[ParsedArticle] = field(default_factory=list)

    @property
    def version_date(self) -> dt.date | None:
        """Date of the latest adoption or amendment named in the history lines."""
        dates = [dt.date(int(y), int(m), int(d)) for line in self.history for y, m, d in _HISTORY_DATE.findall(line)]
        return max(dates) if dates else None


def parse_statute(text: str) -> ParsedStatute:
    """Split a statute into articles; the numbering must run 1, 2, 3 … without gaps."""
    lines = [line.strip().strip("\u3000") for line in text.splitlines()]
    title = ""
    history: list[str] = []
    chapter = section = ""
    statute: ParsedStatute | None = None
    current: ParsedArticle | None = None
    for line in lines:
        if not line:
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            statute = ParsedStatute(title=title, history=history)
            continue
        if line.startswith("<!--"):
            continue
        if line.startswith("## "):
            chapter, section, current = _heading(line), "", None
            continue
        if line.startswith("### "):
            section, current = _heading(line), None
            continue
        match = _ARTICLE.match(line)
        if match and statute is not None:
            current = ParsedArticle(cn_to_int(match.group(1)), chapter, section, [])
            if match.group(2).strip():
                current.paragraphs.append(match.group(2).strip())
            statute.articles.append(current)
        elif current is not None:
            current.paragraphs.append(line)
        elif statute is not None and not statute.articles:
            history.append(line)
    if statute is None:
        raise StatuteFormatError("缺少标题行（# 法规名称）")
    for expected, article in enumerate(statute.articles, start=1):
        if article.number != expected:
            raise StatuteFormatError(f"《{title}》条文编号不连续：应为{article_label(expected)}，实为{article.label}")
    return statute


def _heading(line: str) -> str:
    return re.sub(r"[ \u3000]+", " ", line.lstrip("#").strip())


@dataclass(frozen=True)
class Citation:
    """A provision: article, optionally clause (款) and item (项); numbers are 1-based."""

    article: int
    clause: int | None = None
    item: int | None = None

    @classmethod
    def parse(cls, text: str) -> Citation:
        """``"第三十五条第五款"`` / ``"第三十六条第（二）项"`` / ``"第一百一十一条第一款第（七）项"``."""
        match = _CITATION.match(re.sub(r"\s+", "", text))
        if not match:
            raise ValueError(f"无法识别的条款：{text}")
        article, clause, item = match.groups()
        return cls(cn_to_int(article), cn_to_int(clause) if clause else None, cn_to_int(item) if item else None)

    @property
    def article_label(self) -> str:
        return article_label(self.article)

    @property
    def clause_label(self) -> str | None:
        from chengguan.law.numerals import int_to_cn

        parts = []
        if self.clause:
            parts.append(f"第{int_to_cn(self.clause)}款")
        if self.item:
            parts.append(f"第（{int_to_cn(self.item)}）项")
        return "".join(parts) or None

    def __str__(self) -> str:
        return self.article_label + (self.clause_label or "")


def provision_text(article: ParsedArticle | str, citation: Citation) -> str:
    """The words of the cited clause/item (the whole article when only the article is cited)."""
    paragraphs = article.paragraphs if isinstance(article, ParsedArticle) else article.split("\n")
    parsed = ParsedArticle(citation.article, "", "", paragraphs)
    if citation.clause is None and citation.item is None:
        return parsed.text
    clauses = parsed.clauses()
    clause_index = (citation.clause or 1) - 1
    if clause_index >= len(clauses):
        raise LookupError(f"{citation} 不存在：该条只有{len(clauses)}款")
    clause = clauses[clause_index]
    if citation.item is None:
        return "\n".join(clause)
    items = [p for p in clause[1:] if _ITEM.match(p)]
    if citation.item > len(items):
        raise LookupError(f"{citation} 不存在：该款只有{len(items)}项")
    return clause[0] + "\n" + items[citation.item - 1]


@dataclass(frozen=True)
class StatuteSource:
    """One shipped statute: manifest entry plus its parsed text."""

    code: str
    file: str
    short_title: str
    level: str
    issuing_body: str
    region: str
    effective_date: dt.date
    version: str
    article_count: int

    def read(self) -> str:
        return resources.files("chengguan.law").joinpath("data", "laws", self.file).read_text(encoding="utf-8")

    def parse(self) -> ParsedStatute:
        statute = parse_statute(self.read())
        if len(statute.articles) != self.article_count:
            raise StatuteFormatError(
                f"《{statute.title}》应有{self.article_count}条，解析得到{len(statute.articles)}条"
            )
        return statute


def shipped_statutes() -> list[StatuteSource]:
    """The manifest ``data/laws.toml``, in its order."""
    raw = resources.files("chengguan.law").joinpath("data", "laws.toml").read_text(encoding="utf-8")
    return [StatuteSource(**entry) for entry in tomllib.loads(raw)["law"]]
