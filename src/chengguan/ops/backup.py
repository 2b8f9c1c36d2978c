"""``chengguan backup DIR``: a consistent snapshot of the database and of the data directory, with a manifest.

The database is taken first, the files after. The platform writes a file before the row that names it commits
(evidence and document blobs are content-addressed and stored before their ledger entry, seal keys before their
credential row), so every file the database snapshot names is already on disk when the files are copied; a file
added in between is merely extra. The manifest is written last: a directory without one is not a backup.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from chengguan import __version__
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.progress import SILENT, Reporter, Stage
from chengguan.ops import files, postgres, sqlite
from chengguan.ops.manifest import DATABASE_FILES, FILES_DIR, MANIFEST, BackupError, FileEntry, Manifest, to_json
from chengguan.ops.target import Target, target_of


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    seconds: float


def create_backup(
    settings: Settings, directory: Path, progress: Reporter = SILENT, *, sqlite_pages: int = sqlite.PAGES_PER_STEP
) -> BackupResult:
    """Write a backup of the deployment of ``settings`` into ``directory`` (new, or an empty directory)."""
    began = time.perf_counter()
    target = target_of(settings)
    _prepare(directory)
    started = clock.now()
    name = DATABASE_FILES[target.kind]
    out = directory / name
    out.parent.mkdir(mode=0o700)
    schema = None
    with progress.stage("数据库") as stage:
        if target.sqlite_file is not None:
            revision = sqlite.snapshot(target.sqlite_file, out, stage, pages=sqlite_pages)
        else:
            revision = postgres.revision(target.url)
            postgres.dump(target.url, out, stage)
            schema = postgres.connection(target.url).schema
    entries = [files.entry_of(out, name)]
    with progress.stage("文件") as stage:
        entries += _copy_data_dir(target, directory, stage)
    os.sync()  # every copy on disk before the manifest says the backup is complete
    manifest = Manifest(__version__, revision, target.kind, started, clock.now(), tuple(entries), schema)
    files.write_durably(directory / MANIFEST, to_json(manifest))
    return BackupResult(directory, manifest, time.perf_counter() - began)


def _prepare(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"备份目录 {directory} 已存在且不是空目录：请指定一个新目录")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)  # the backup holds the seal keys


def _copy_data_dir(target: Target, directory: Path, stage: Stage) -> list[FileEntry]:
    found = list(files.walk(target.data_dir, target.data_skip(directory)))
    stage.start(len(found))
    entries = []
    for relative, path in found:
        name = f"{FILES_DIR}/{relative}"
        mode = path.stat().st_mode & 0o777
        try:
            size, sha256 = files.copy_hashing(path, directory / name, mode=0o600)
        except FileNotFoundError:
            continue  # removed since the walk (a retention purge); if the snapshot names it, the ledger check says so
        finally:
            stage.advance()
        entries.append(FileEntry(name, size, sha256, mode))
    return entries
