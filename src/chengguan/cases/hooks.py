"""What modules above cases add to it: facts about a case its gates read (its documents, its evidence), the shop
register a case's party may be in (merchants), and what follows when an action moves a case on (documents files a
closed case).

Those modules register here when they are imported; ``cases`` never imports them (they depend on it). The
application imports every module, so every hook is in place wherever a case action can be taken."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from chengguan.cases.schemas import MerchantRef, PartyIn
from chengguan.core.config import Settings
from chengguan.core.principals import StaffPrincipal

# -- facts ---------------------------------------------------------------------------------------------------------

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


# -- the shop register ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shops:
    """The shop register (商户档案) as a case reaches it."""

    # (session, principal, party, named shop id) → the shop the party is: the one named (readable, its licence
    # naming the party), else the one registered under the party's identity number if exactly one; a named shop
    # that is not is 422
    link: Callable[[Session, StaffPrincipal, PartyIn, uuid.UUID | None], uuid.UUID | None]
    # (session, shop id) → the shop as the case's detail shows it
    ref: Callable[[Session, uuid.UUID], MerchantRef | None]


_shops: Shops | None = None


def registers_shops(shops: Shops) -> None:
    """The shop register's way in (registering again replaces it)."""
    global _shops
    _shops = shops


def shops() -> Shops:
    if _shops is None:
        raise LookupError("no shop register: import chengguan.merchants.service")
    return _shops


# -- moves -------------------------------------------------------------------------------------------------------

MoveListener = Callable[[Session, StaffPrincipal, Settings, Any], None]
_MOVES: dict[str, MoveListener] = {}


def when_moved(name: str) -> Callable[[MoveListener], MoveListener]:
    """Register ``fn(session, principal, settings, case)``, called after a request's action moved a case to another
    status (registering again under ``name`` replaces it)."""

    def register(fn: MoveListener) -> MoveListener:
        _MOVES[name] = fn
        return fn

    return register


def moved(session: Session, principal: StaffPrincipal, settings: Settings, case: Any) -> None:
    for listener in _MOVES.values():
        listener(session, principal, settings, case)


# -- opened --------------------------------------------------------------------------------------------------------

OpenListener = Callable[[Session, Any], None]
_OPENED: dict[str, OpenListener] = {}


def when_opened(name: str) -> Callable[[OpenListener], OpenListener]:
    """Register ``fn(session, case)``, called when a case is opened (registering again under ``name`` replaces it):
    evidence fixed on its case source before it existed joins it."""

    def register(fn: OpenListener) -> OpenListener:
        _OPENED[name] = fn
        return fn

    return register


def opened(session: Session, case: Any) -> None:
    for listener in _OPENED.values():
        listener(session, case)
