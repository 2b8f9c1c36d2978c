"""Check digits of Chinese identity numbers (legal-facts §6): 居民身份证号码 (GB 11643-1999, ISO 7064 MOD 11-2) and
统一社会信用代码 (GB 32100-2015, MOD 31). Pure functions; callers decide what a failure means."""

from __future__ import annotations

import re
from datetime import date

_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"
_RIC = re.compile(r"^[0-9]{17}[0-9X]$")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC = re.compile(f"^[{_USCC_CHARS}]{{18}}$")


def ric_check_digit(first17: str) -> str:
    """GB 11643-1999: S = Σ digit × weight mod 11 → '1','0','X','9',…,'2'."""
    return _RIC_CHECK[sum(int(c) * w for c, w in zip(first17, _RIC_WEIGHTS, strict=True)) % 11]


def valid_ric(number: str) -> bool:
    """An 18-character resident ID number with a real birth date and the right check character."""
    number = number.upper()
    if not _RIC.match(number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return ric_check_digit(number[:17]) == number[17]


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015: (31 − Σ value × weight mod 31) mod 31, mapped back to the character set."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def valid_uscc(code: str) -> bool:
    """An 18-character unified social credit code over the GB 32100 character set with the right check character."""
    code = code.upper()
    return bool(_USCC.match(code)) and uscc_check_char(code[:17]) == code[17]
