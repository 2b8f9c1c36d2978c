"""The backup manifest and the rules that judge a backup against it (pure: no I/O).

A backup directory holds ``manifest.json`` and the files it lists: ``database/…`` (the SQLite snapshot or the
PostgreSQL custom-format dump) and ``files/…`` (the data directory: evidence and document blobs, photos, keys).
The manifest names every file with its size and SHA-256 and carries a digest of itself, so a changed byte, a missing
or an extra file and an edited manifest are all found before anything is restored. (The self-digest catches edits
and damage, not a forger who recomputes it: keep off-site copies where nobody who runs the server can write.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

FORMAT = "chengguan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
FILES_DIR = "files"
DATABASE_FILES = {"sqlite": f"{DATABASE_DIR}/chengguan.sqlite3", "postgresql": f"{DATABASE_DIR}/chengguan.pgdump"}
# Files of the data directory that are never part of a backup: writes in flight (the evidence store writes into
# blobs/tmp and renames; keys and photos go through *.tmp / *.part) would be half files.
TEMPORARY_DIRS = ("blobs/tmp",)
TEMPORARY_SUFFIXES = (".tmp", ".part")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (zh-CN) names the first problem."""


@dataclass(frozen=True)
class FileEntry:
    """One file of the backup: path relative to the backup directory (POSIX), size, SHA-256, permission bits."""

    path: str
    size: int
    sha256: str
    mode: int = 0o600


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and where it came from."""

    app_version: str
    alembic_revision: str | None
    database_kind: str  # "sqlite" | "postgresql"
    started_at: datetime
    finished_at: datetime
    files: tuple[FileEntry, ...]
    database_schema: str | None = None  # PostgreSQL: the schema dumped (search_path of the URL), None = database

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.database_kind]

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.files)


def _digest(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_json(manifest: Manifest) -> str:
    """The manifest as written to ``manifest.json``, its own digest included."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": manifest.app_version,
        "alembic_revision": manifest.alembic_revision,
        "database": {"kind": manifest.database_kind, "file": manifest.database_file,
                     "schema": manifest.database_schema},
        "started_at": manifest.started_at.isoformat(),
        "finished_at": manifest.finished_at.isoformat(),
        "total_bytes": manifest.total_bytes,
        "files": [asdict(entry) for entry in manifest.files],
    }  # fmt: skip
    body["manifest_sha256"] = _digest(body)
    # One line per file: a manifest of 100,000 files stays readable and diffable.
    listed = ",\n".join("  " + json.dumps(entry, ensure_ascii=False) for entry in body.pop("files"))
    head = json.dumps(body, ensure_ascii=False, indent=1)
    return f'{head[:-2]},\n "files": [\n{listed}\n ]\n}}\n'



def from_json(text: str) -> Manifest:
    """Parse and check ``manifest.json``; raises ``BackupError`` naming what is wrong with it."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise BackupError(f"清单 {MANIFEST} 不是有效的 JSON（已损坏或被截断）") from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise BackupError(f"清单 {MANIFEST} 不是 chengguan 备份清单")
    if body.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"清单格式版本 {body.get('format_version')} 不受支持（本程序读取版本 {FORMAT_VERSION}）")
    claimed = body.pop("manifest_sha256", None)
    if claimed != _digest(body):
        raise BackupError(f"清单 {MANIFEST} 已被改动（与其自身摘要不符）")
    try:
        database = body["database"]
        files = tuple(
            FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"]), int(f["mode"])) for f in body["files"]
        )
        manifest = Manifest(
            app_version=str(body["app_version"]),
            alembic_revision=body["alembic_revision"],
            database_kind=str(database["kind"]),
            database_schema=database.get("schema"),
            started_at=datetime.fromisoformat(body["started_at"]),
            finished_at=datetime.fromisoformat(body["finished_at"]),
            files=files,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"清单 {MANIFEST} 缺少字段或字段无效：{exc}") from exc
    problem = shape_problem(manifest)
    if problem:
        raise BackupError(problem)
    return manifest


def unsafe_path(path: str) -> bool:
    """A listed path that is not in the canonical form backups write (``files/a/b``), which could land outside the
    restore target: absolute, with ``..``, ``.`` or empty parts, backslashes, or not under database/ or files/."""
    parts = path.split("/")
    return (
        len(parts) < 2
        or "\\" in path
        or any(part in ("..", ".", "") for part in parts)
        or parts[0] not in (DATABASE_DIR, FILES_DIR)
    )


def shape_problem(manifest: Manifest) -> str | None:
    """What makes a manifest unusable whatever the files: unknown database kind, unsafe or repeated paths, no
    database file."""
    if manifest.database_kind not in DATABASE_FILES:
        return f"清单中的数据库类型 {manifest.database_kind!r} 不受支持"
    seen: set[str] = set()
    for entry in manifest.files:
        if unsafe_path(entry.path):
            return f"清单中的路径 {entry.path!r} 不安全（须在 database/ 或 files/ 之下）"
        if entry.path in seen:
            return f"清单中的文件 {entry.path} 重复"
        if entry.size < 0 or len(entry.sha256) != 64:
            return f"清单中文件 {entry.path} 的大小或摘要无效"
        seen.add(entry.path)
    if manifest.database_file not in seen:
        return f"清单未列出数据库文件 {manifest.database_file}：备份不完整"
    return None


def listing_problem(manifest: Manifest, found: Mapping[str, int]) -> str | None:
    """The first difference between the manifest and the files present (path → size), in manifest order: a missing
    file, a size that differs, then a file the manifest does not list."""
    for entry in manifest.files:
        size = found.get(entry.path)
        if size is None:
            return f"文件 {entry.path} 缺失：备份不完整"
        if size != entry.size:
            return f"文件 {entry.path} 的大小与清单不符（清单 {entry.size} 字节，实际 {size} 字节）"
    listed = {entry.path for entry in manifest.files}
    extra = sorted(set(found) - listed)
    if extra:
        return f"文件 {extra[0]} 不在清单中：备份被改动过"
    return None


def digest_problem(entry: FileEntry, sha256: str) -> str | None:
    if sha256 != entry.sha256:
        return f"文件 {entry.path} 的摘要与清单不符（已损坏或被篡改）"
    return None


def skipped(relative: str, *, skip_files: frozenset[str] = frozenset(), skip_dirs: tuple[str, ...] = ()) -> bool:
    """Whether a data-directory file (POSIX path relative to it) stays out of the backup: temporary files, the live
    database files (backed up through the database itself) and backup directories inside the data directory."""
    if relative in skip_files or relative.endswith(TEMPORARY_SUFFIXES):
        return True
    return any(relative == d or relative.startswith(d + "/") for d in (*TEMPORARY_DIRS, *skip_dirs))


def revision_problem(revision: str | None, known: frozenset[str]) -> str | None:
    """A backup whose schema revision this program does not know comes from a newer version (or is not ours)."""
    if revision is None:
        return "备份中的数据库没有迁移版本（alembic_version）：不是 chengguan 数据库"
    if revision not in known:
        return f"备份的数据库版本 {revision} 不为本程序所知：请用生成该备份的版本（或更新版本）恢复"
    return None
