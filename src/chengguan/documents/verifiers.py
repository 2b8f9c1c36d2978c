"""Other sealed papers the public verification page answers for, besides the case documents (the electronic
payment receipts of ``payments`` register here): one QR route, ``/verify/{token}``, for everything the platform
seals. documents never imports those packages — they depend on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.documents.schemas import FileCheck, PublicDocument


@dataclass(frozen=True)
class Verifier:
    """How a kind of paper is found by its token, shown (``show``) and compared with an uploaded file (``check``);
    each answers None for a token that is not one of its papers."""

    show: Callable[[Session, Settings, str], PublicDocument | None]
    check: Callable[[Session, Settings, str, bytes], FileCheck | None]


_VERIFIERS: dict[str, Verifier] = {}


def register(name: str, verifier: Verifier) -> None:
    """Answer for the papers of ``name`` too (registering again replaces it)."""
    _VERIFIERS[name] = verifier


def show(session: Session, settings: Settings, token: str) -> PublicDocument | None:
    for verifier in _VERIFIERS.values():
        if (found := verifier.show(session, settings, token)) is not None:
            return found
    return None


def check(session: Session, settings: Settings, token: str, data: bytes) -> FileCheck | None:
    for verifier in _VERIFIERS.values():
        if (found := verifier.check(session, settings, token, data)) is not None:
            return found
    return None
