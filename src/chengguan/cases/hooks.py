"""Facts about a case that modules above it know (its documents, its evidence) and its gates read.

Those modules register a source when they are imported; ``cases`` never imports them (they depend on it). The
application imports every module, so every source is registered wherever a case action can be taken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

FactSource = Callable[[Session, Any], dict[str, Any]]
_SOURCES: dict[str, FactSource] = {}


def contributes(name: str) -> Callable[[FactSource], FactSource]:
    """Register ``fn(session, case) -> {CaseFacts field: value}`` under ``name`` (registering again replaces it)."""

    def register(fn: FactSource) -> FactSource:
        _SOURCES[name] = fn
        return fn

    return register


def contributed(session: Session, case: Any) -> dict[str, Any]:
    """Every registered source's facts about ``case``."""
    out: dict[str, Any] = {}
    for source in _SOURCES.values():
        out |= source(session, case)
    return out


def sources() -> frozenset[str]:
    return frozenset(_SOURCES)
