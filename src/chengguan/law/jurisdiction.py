"""Where and when a law applies — pure rules, no I/O.

A law or administrative regulation of the State applies nationwide. A local regulation applies only inside the
administrative region of the people's congress that made it (立法法 第八十条、第八十一条: 省、自治区、直辖市和设区的市
的人民代表大会及其常务委员会制定地方性法规, each for its own region), so a Beijing regulation never governs an act in
Qingdao. Regions are GB/T 2260 codes: ``xx0000`` a province, ``xxxx00`` a city, anything else a district; an org
unit's longer division code (a street squad's nine digits) lies inside the district of its first six digits.

In time, 行政处罚法 第三十七条: 实施行政处罚，适用违法行为发生时的法律、法规、规章的规定 — a matter is in force for an
act when every law its penalty provisions cite had taken effect on the day of the act and was not yet repealed.
"""

from __future__ import annotations

from datetime import date

REGION_LENGTH = 6


def region_of(division_code: str | None) -> str | None:
    """The GB/T 2260 region (six digits) of a division code: a street squad's ``370202003`` lies in ``370202``."""
    if not division_code:
        return None
    return division_code[:REGION_LENGTH]


def region_applies(law_region: str | None, region: str) -> bool:
    """Whether a text made for ``law_region`` (None: nationwide) governs acts in ``region``.

    A province's text covers every city and district of the province, a city's every district of the city, a
    district's only itself."""
    if law_region is None:
        return True
    place = region[:REGION_LENGTH]
    if law_region.endswith("0000"):
        return place.startswith(law_region[:2])
    if law_region.endswith("00"):
        return place.startswith(law_region[:4])
    return place == law_region


def in_force(effective: date | None, repealed: date | None, on: date) -> bool:
    """Whether a law was in force on ``on``: taken effect, not yet repealed (第三十七条: the day of the act)."""
    return (effective is None or effective <= on) and (repealed is None or on < repealed)


def region_label(law_region: str | None) -> str:
    """How a message names where a text applies."""
    if law_region is None:
        return "全国"
    if law_region.endswith("0000"):
        return f"省级行政区 {law_region}"
    if law_region.endswith("00"):
        return f"设区的市 {law_region}"
    return f"行政区 {law_region}"
