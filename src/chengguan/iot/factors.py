"""HJ 212 factor codes → metric names, by profile (configuration: ``iot/data/factors.toml``)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from chengguan.iot.hj212 import Frame

DEFAULT_PROFILE = "hj212-2017"
VALUE_ATTRIBUTES = ("Rtd", "Avg", "Max", "Min")  # 实时值 first, then the period values of 2051/2061 frames


@cache
def profiles() -> dict[str, dict[str, str]]:
    """Every profile: factor code → metric."""
    with (Path(__file__).parent / "data" / "factors.toml").open("rb") as f:
        return tomllib.load(f)


def values_of(frame: Frame, profile: str | None) -> dict[str, float]:
    """The frame's values by metric name; factors the profile does not map keep their code (never dropped), and
    values that are not numbers are left out."""
    mapping = profiles().get(profile or DEFAULT_PROFILE) or profiles()[DEFAULT_PROFILE]
    out: dict[str, float] = {}
    for code, attributes in frame.factors.items():
        raw = next((attributes[a] for a in VALUE_ATTRIBUTES if a in attributes), None)
        if raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            continue
        if value == value and abs(value) != float("inf"):
            out[mapping.get(code, code)] = value
    return out
