"""What a deployment's state is made of: its database (kind, and the file for SQLite) and its data directory."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy.engine import make_url

from chengguan.core.config import Settings
from chengguan.ops.manifest import DATABASE_FILES, BackupError, skipped
from chengguan.ops.sqlite import COMPANIONS


@dataclass(frozen=True)
class Target:
    """The configured database and data directory."""

    kind: str  # "sqlite" | "postgresql"
    url: str
    data_dir: Path
    sqlite_file: Path | None
    backup_dir: Path | None

    def data_skip(self, *also: Path) -> Callable[[str], bool]:
        """Which data-directory files are not the data directory's own: temporary files, the live SQLite database
        (it is backed up as the database) and backup directories that sit inside it (``also``: the one in use)."""
        skip_files: set[str] = set()
        if self.sqlite_file is not None and (relative := _inside(self.sqlite_file, self.data_dir)):
            skip_files.update(relative + suffix for suffix in ("", *COMPANIONS, ".restore.tmp"))
        dirs = tuple(r for d in (self.backup_dir, *also) if d is not None and (r := _inside(d, self.data_dir)))
        return partial(skipped, skip_files=frozenset(skip_files), skip_dirs=dirs)


def _inside(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` (POSIX) when it lies inside it."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        relative = path.relative_to(root)
    except ValueError:
        return None
    return relative.as_posix() if relative.parts else None


def target_of(settings: Settings) -> Target:
    """The database and data directory of ``settings``; refuses a database that cannot be backed up."""
    url = make_url(settings.database_url)
    kind = url.get_backend_name()
    if kind not in DATABASE_FILES:
        raise BackupError(f"不支持备份 {kind} 数据库（支持 SQLite 与 PostgreSQL）")
    sqlite_file = None
    if kind == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("内存数据库无法备份：请配置数据库文件（CHENGGUAN_DATABASE_URL）")
        sqlite_file = Path(url.database)
    return Target(kind, settings.database_url, Path(settings.data_dir), sqlite_file, settings.backup_dir)
