"""Chinese numerals as statutes write them: article numbers (第一百一十八条) and amounts (五千元以上五万元以下)."""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMBER = "[零〇一二两三四五六七八九十百千万]+"


def cn_to_int(text: str) -> int:
    """``"一百一十八"`` → 118, ``"十五"`` → 15, ``"二万"`` → 20000; Arabic digits pass through."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in DIGITS and ch not in UNITS and ch != "万" for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total = 0
    if "万" in text:
        high, _, text = text.partition("万")
        total = cn_to_int(high or "一") * 10000
        if not text:
            return total
    section, digit = 0, None
    for ch in text:
        if ch in ("零", "〇"):
            digit = None  # a placeholder between units, never a multiplier
        elif ch in DIGITS:
            digit = DIGITS[ch]
        else:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
    return total + section + (digit or 0)


def int_to_cn(number: int) -> str:
    """118 → ``"一百一十八"``, 10 → ``"十"``, 20000 → ``"二万"`` (the way statutes number articles and amounts)."""
    if number < 0:
        raise ValueError("negative")
    if number == 0:
        return "零"
    if number >= 10000:
        high, low = divmod(number, 10000)
        rest = _below_10000(low) if low else ""
        if low and low < 1000:
            rest = "零" + rest
        return int_to_cn(high) + "万" + rest
    text = _below_10000(number)
    return text[1:] if text.startswith("一十") else text


def _below_10000(number: int) -> str:
    names = "零一二三四五六七八九"
    out: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, number = divmod(number, value)
        if digit:
            if zero:
                out.append("零")
                zero = False
            out.append(names[digit] + unit)
        elif out:
            zero = True
    return "".join(out)


def article_label(number: int) -> str:
    """118 → ``"第一百一十八条"``."""
    return f"第{int_to_cn(number)}条"


_AMOUNT = rf"({CN_NUMBER}|\d+(?:\.\d+)?)(万)?元"
_RANGE = re.compile(rf"{_AMOUNT}以上{_AMOUNT}以下")
_UPPER = re.compile(rf"(?<!以上)(?:处|并处|可处|可以处|处以)?{_AMOUNT}以下")
_FIXED = re.compile(rf"处{_AMOUNT}(?:的)?罚款")


def _yuan(number: str, wan: str | None) -> int:
    value = float(number) if number[0].isdigit() else cn_to_int(number)
    return round(value * (10000 if wan else 1))


def fine_ranges(text: str) -> list[tuple[int, int]]:
    """Every fine range a provision states, in yuan: ``(low, high)``; ``X元以下`` alone gives ``(0, X)``,
    a fixed ``处X元罚款`` gives ``(X, X)``.

    >>> fine_ranges("处五千元以上五万元以下的罚款；拒不改正的……处二万元以下罚款")
    [(5000, 50000), (0, 20000)]
    """
    found: list[tuple[int, tuple[int, int]]] = []
    covered: list[tuple[int, int]] = []
    for match in _RANGE.finditer(text):
        low = _yuan(match.group(1), match.group(2))
        high = _yuan(match.group(3), match.group(4))
        found.append((match.start(), (low, high)))
        covered.append(match.span())
    for match in _UPPER.finditer(text):
        if any(start <= match.start() < end for start, end in covered):
            continue
        found.append((match.start(), (0, _yuan(match.group(1), match.group(2)))))
    for match in _FIXED.finditer(text):
        amount = _yuan(match.group(1), match.group(2))
        found.append((match.start(), (amount, amount)))
    return [pair for _, pair in sorted(found)]
