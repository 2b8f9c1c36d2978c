"""Amounts of money as documents print them: capital numerals (大写) from integer fen."""

from __future__ import annotations

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def rmb_in_words(fen: int) -> str:
    """An amount of money in the capital numerals financial documents use: 50000 fen → 伍佰元整."""
    if fen < 0:
        raise ValueError("negative amount")
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    words = _integer_words(yuan) + "元" if yuan else ""
    if not jiao and not cents:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if cents:
        words += _DIGITS[cents] + "分"
    return words


def _integer_words(n: int) -> str:
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if not group:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        zero_pending = False
        digits = f"{group:04d}" if out else str(group)
        part, gap = "", False
        for pos, d in enumerate(digits):
            unit = _UNITS[len(digits) - 1 - pos]
            if d == "0":
                gap = bool(part)
                continue
            part += ("零" if gap else "") + _DIGITS[int(d)] + unit
            gap = False
        out += part + _GROUPS[index]
    return out
