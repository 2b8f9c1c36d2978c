"""Chinese line breaking (GB/T 15834 punctuation rules, the 禁则 every official document follows).

Pure functions over a string and per-character widths: no font or PDF library here, so the rules are testable.
CJK text may break between any two characters except that closing punctuation never starts a line and opening
punctuation never ends one; runs of Latin letters and digits ("2026", "500.00", "GB/T") stay whole; a dash or
ellipsis pair (——, ……) is never split. A closing mark that would start a line pulls the previous character down
with it (推出), and the shortened line is then justified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Marks that may not begin a line (行首禁则).
NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—～·,.;:?!)]}%°℃")
# Marks that may not end a line (行尾禁则).
NO_END = frozenset("（《「『【〔〈“‘([{¥$")
_PAIRED = frozenset("—…")  # written as doubled marks that must stay together
_WORD_JOINERS = frozenset(".,:/-_@%#&+=~'")


@dataclass(frozen=True)
class Line:
    """One output line: the slice [start, end) of the text, and whether it ends its paragraph (not justified)."""

    start: int
    end: int
    last: bool


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in _WORD_JOINERS)


def tokens(text: str) -> list[tuple[int, int]]:
    """Unbreakable pieces of the text as (start, end) slices: a CJK character, a Latin word, a space, a doubled mark."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        j = i + 1
        if _is_word_char(ch) and ch not in ",.:;":
            while j < n and _is_word_char(text[j]) and not (text[j] in ",." and (j + 1 == n or text[j + 1] == " ")):
                j += 1
        elif ch in _PAIRED:
            while j < n and text[j] == ch:
                j += 1
        out.append((i, j))
        i = j
    return out


def break_lines(text: str, widths: Sequence[float], width: float, first_width: float | None = None) -> list[Line]:
    """Break one paragraph (no newlines) into lines no wider than ``width`` (the first line ``first_width``)."""
    if not text:
        return [Line(0, 0, True)]
    pieces = tokens(text)
    sizes = [sum(widths[a:b]) for a, b in pieces]
    lines: list[Line] = []
    k = 0
    while k < len(pieces):
        limit = first_width if (first_width is not None and not lines) else width
        while k < len(pieces) and text[pieces[k][0]] == " " and lines:
            k += 1  # a space at a line start is dropped
        if k == len(pieces):
            break
        start_k, used = k, 0.0
        while k < len(pieces) and used + sizes[k] <= limit + 1e-6:
            used += sizes[k]
            k += 1
        if k == start_k:  # a single piece wider than the line (a long URL): break it by characters
            a, b = pieces[k]
            cut, used = a, 0.0
            while cut < b and (cut == a or used + widths[cut] <= limit + 1e-6):
                used += widths[cut]
                cut += 1
            pieces[k] = (cut, b)
            sizes[k] = sum(widths[cut:b])
            lines.append(Line(a, cut, False))
            continue
        if k < len(pieces):
            k = _respect_rules(text, pieces, start_k, k)
        end = pieces[k - 1][1]
        while end > pieces[start_k][0] and text[end - 1] == " ":
            end -= 1
        lines.append(Line(pieces[start_k][0], end, k == len(pieces)))
    if lines:
        lines[-1] = Line(lines[-1].start, lines[-1].end, True)
    return lines


def _respect_rules(text: str, pieces: list[tuple[int, int]], start_k: int, k: int) -> int:
    """Move the break point back so no line starts with a closing mark or ends with an opening one."""
    original = k
    while k - start_k > 1 and text[pieces[k][0]] in NO_START:
        k -= 1  # the closing mark takes the previous piece down with it
    while k - start_k > 1 and text[pieces[k - 1][1] - 1] in NO_END:
        k -= 1
    return k if k > start_k else original


def justify_spacing(natural: float, target: float, glyphs: int, em: float) -> float:
    """Extra space between glyphs that makes a line ``target`` wide, at most 0.09 em per gap.

    Past 0.1 em text extractors (pdfminer's word margin) read the gaps as spaces — "立 即 停 止" — and the line
    looks letter-spaced anyway; a line shortened that much (a long number moved down) stays a little short.
    """
    if glyphs < 2 or natural >= target:
        return 0.0
    return min((target - natural) / (glyphs - 1), em * 0.09)
