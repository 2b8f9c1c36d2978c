"""Scheduled backups (pure rules): when one is due, what it is called, which old ones retention removes.

Backups are directories ``chengguan-YYYYMMDD-HHMMSS`` (local time, Asia/Shanghai) under ``CHENGGUAN_BACKUP_DIR``;
one being written is ``.partial-<name>`` until its manifest is on disk, so a listing never counts a half backup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time

PREFIX = "chengguan-"
PARTIAL = ".partial-"
_NAME = re.compile(r"^chengguan-(\d{8})-(\d{6})$")


def backup_name(local: datetime) -> str:
    return f"{PREFIX}{local:%Y%m%d-%H%M%S}"


def backup_day(name: str) -> date | None:
    """The local day a backup was taken, from its name; ``None`` for anything that is not a complete backup."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def completed(names: Iterable[str]) -> list[str]:
    """The complete backups among directory names, newest first."""
    return sorted((n for n in names if backup_day(n) is not None), reverse=True)


def is_due(now_local: datetime, at: time, names: Iterable[str]) -> bool:
    """One backup a day, from ``at`` on: a server started after that time catches up at once."""
    if now_local.time().replace(tzinfo=None) < at:
        return False
    return all(backup_day(n) != now_local.date() for n in names)


def to_prune(names: Iterable[str], keep: int) -> list[str]:
    """The complete backups beyond the newest ``keep`` (at least one is always kept)."""
    return completed(names)[max(1, keep) :]
