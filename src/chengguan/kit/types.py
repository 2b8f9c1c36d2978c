"""Column helpers shared by every domain."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def str_enum(enum: type[StrEnum], name: str, length: int = 32) -> Enum:
    """A StrEnum stored as its value in a VARCHAR with a named CHECK constraint (same on SQLite and PostgreSQL)."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
