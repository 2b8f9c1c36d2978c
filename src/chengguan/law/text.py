"""Chinese tokenisation for search and recommendation (jieba, loaded once, taught the knowledge base's own terms)."""

from __future__ import annotations

import logging
import re
import threading
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources

import jieba

_LOCK = threading.Lock()
_READY = False
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "在",
        "是",
        "和",
        "与",
        "或",
        "或者",
        "及",
        "以及",
        "对",
        "把",
        "被",
        "有",
        "还",
        "就",
        "都",
        "也",
        "又",
        "很",
        "太",
        "这",
        "那",
        "这个",
        "那个",
        "一个",
        "一些",
        "我",
        "我们",
        "你",
        "他",
        "她",
        "它",
        "他们",
        "啊",
        "吧",
        "呢",
        "吗",
        "呀",
        "哦",
        "嗯",
        "着",
        "过",
        "给",
        "让",
        "从",
        "到",
        "上",
        "下",
        "里",
        "中",
        "等",
        "其",
        "之",
        "为",
        "将",
        "并",
        "但",
        "而",
        "所",
        "于",
        "向",
        "由",
        "个",
        "些",
        "什么",
        "怎么",
        "一直",
        "还是",
        "已经",
        "好像",
        "应当",
        "可以",
        "不得",
        "规定",
        "本法",
        "本条例",
        "违反",
        "有关",
        "依照",
        "按照",
        "之一",
        "的",
        "行为",
    ]
)


def _extra_words() -> Iterable[str]:
    raw = resources.files("chengguan.law").joinpath("data", "matters.toml").read_text(encoding="utf-8")
    for matter in tomllib.loads(raw)["matter"]:
        yield from matter.get("keywords", [])


def ensure_ready(extra: Iterable[str] = ()) -> None:
    """Load jieba's dictionary once per process and add the domain words (matter keywords)."""
    global _READY
    with _LOCK:
        if _READY:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        for word in [*_extra_words(), *extra]:
            if len(word) >= 2:
                jieba.add_word(word, freq=20000)
        _READY = True


def tokens(text: str) -> list[str]:
    """Search-mode tokens of ``text`` without punctuation and stopwords (repeats kept, order kept)."""
    ensure_ready()
    out: list[str] = []
    for token in jieba.cut_for_search(text.lower()):
        token = token.strip()
        if token and _WORD.search(token) and token not in STOPWORDS:
            out.append(token)
    return out


@cache
def _cached(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


def query_tokens(text: str) -> list[str]:
    """Distinct tokens of a user query, longest first (the order highlighting wants)."""
    seen: dict[str, None] = {}
    for token in _cached(text.strip()[:500]):
        seen.setdefault(token, None)
    return sorted(seen, key=len, reverse=True)


def highlight(
    text: str, terms: Iterable[str], *, width: int = 80, mark: tuple[str, str] = ("<mark>", "</mark>")
) -> str:
    """A window of ``text`` around the first matched term, matched terms wrapped in ``<mark>`` (text is escaped)."""
    from html import escape

    terms = [t for t in terms if t]
    positions = [text.find(t) for t in terms if t in text]
    start = max(0, min(positions) - width // 4) if positions else 0
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    if not terms:
        return escape(prefix + window + suffix)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)))
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(window):
        parts.append(escape(window[last : match.start()]))
        parts.append(mark[0] + escape(match.group(0)) + mark[1])
        last = match.end()
    parts.append(escape(window[last:]))
    return escape(prefix) + "".join(parts) + escape(suffix)
