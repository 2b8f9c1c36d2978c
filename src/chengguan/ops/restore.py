"""``chengguan restore DIR``: check a backup against its manifest, put the database and the files back, then prove
the result with the audit-chain and evidence-ledger checks (``verify-audit``, ``verify-evidence``).

Nothing of the deployment is touched before every file of the backup has been read and matched its digest, and
never over existing data without ``force``. Stop the service first: the database is replaced under it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.migrate import script_revisions, upgrade
from chengguan.core.progress import SILENT, Reporter, Stage
from chengguan.ops import files, postgres, sqlite
from chengguan.ops.checks import Check, audit_check, evidence_check
from chengguan.ops.manifest import (
    FILES_DIR,
    MANIFEST,
    BackupError,
    Manifest,
    digest_problem,
    from_json,
    listing_problem,
    revision_problem,
)
from chengguan.ops.target import Target, target_of


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    checks: tuple[Check, ...]
    migrated_from: str | None  # the backup's revision when it was upgraded to this version's schema
    seconds: float


def verify_backup(directory: Path, progress: Reporter = SILENT) -> Manifest:
    """The backup's manifest, once every listed file is present with its size and digest and nothing else is there;
    raises ``BackupError`` naming the first problem."""
    if not directory.is_dir():
        raise BackupError(f"备份目录不存在：{directory}")
    manifest_file = directory / MANIFEST
    if not manifest_file.is_file():
        raise BackupError(f"清单 {MANIFEST} 缺失：{directory} 不是完整的备份")
    try:
        manifest = from_json(manifest_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise BackupError(f"清单 {MANIFEST} 不是有效的 UTF-8 文本（已损坏）") from exc
    found = {relative: path.stat().st_size for relative, path in files.walk(directory) if relative != MANIFEST}
    problem = listing_problem(manifest, found)
    if problem:
        raise BackupError(problem)
    with progress.stage("校验备份") as stage:
        stage.start(len(manifest.files))
        for entry in manifest.files:
            problem = digest_problem(entry, files.sha256_of(directory / entry.path))
            if problem:
                raise BackupError(problem)
            stage.advance()
    return manifest


def restore_backup(
    settings: Settings, directory: Path, *, force: bool = False, progress: Reporter = SILENT
) -> RestoreResult:
    """Restore the backup in ``directory`` into the database and data directory of ``settings``."""
    began = time.perf_counter()
    target = target_of(settings)
    manifest = verify_backup(directory, progress)
    known, head = script_revisions()
    problem = _compatibility_problem(manifest, target, known) or (None if force else _occupied(target, directory))
    if problem:
        raise BackupError(problem)
    archive = directory / manifest.database_file
    with progress.stage("恢复数据库") as stage:
        if target.sqlite_file is not None:
            stage.start(1)
            sqlite.put_in_place(archive, target.sqlite_file)
            stage.advance()
        else:
            postgres.restore(target.url, archive, stage)
    with progress.stage("恢复文件") as stage:
        _restore_files(target, directory, manifest, stage, clear=force)
    migrated_from = None
    if manifest.alembic_revision != head:
        upgrade(target.url)
        migrated_from = manifest.alembic_revision
    db = Database(target.url)
    try:
        with progress.stage("完整性校验") as stage:
            stage.start(2)
            checks = (audit_check(db), evidence_check(db, settings))
            stage.advance(2)
    finally:
        db.dispose()
    failed = next((check for check in checks if not check.ok), None)
    if failed is not None:
        raise BackupError(f"数据已恢复，但校验未通过：{failed.message}")
    return RestoreResult(manifest, checks, migrated_from, time.perf_counter() - began)


def _compatibility_problem(manifest: Manifest, target: Target, known: frozenset[str]) -> str | None:
    if manifest.database_kind != target.kind:
        return f"备份的数据库类型是 {manifest.database_kind}，当前配置的是 {target.kind}：不能直接恢复"
    if target.kind == "postgresql":
        schema = postgres.connection(target.url).schema
        if manifest.database_schema != schema:
            return (f"备份来自 PostgreSQL 模式 {manifest.database_schema or '（整个数据库）'}，当前配置的是 "
                    f"{schema or '（整个数据库）'}：请让 CHENGGUAN_DATABASE_URL 指向同一模式")  # fmt: skip
    return revision_problem(manifest.alembic_revision, known)


def _occupied(target: Target, directory: Path) -> str | None:
    """What already holds data (restoring would overwrite it), if anything."""
    if target.sqlite_file is not None and not sqlite.is_empty(target.sqlite_file):
        return f"数据库 {target.sqlite_file} 中已有数据：恢复会覆盖它，确认后请加 --force"
    if target.kind == "postgresql" and not postgres.is_empty(target.url):
        return "PostgreSQL 数据库中已有数据表：恢复会覆盖它们，确认后请加 --force"
    if next(files.walk(target.data_dir, target.data_skip(directory)), None) is not None:
        return f"数据目录 {target.data_dir} 不为空：恢复会替换其中的文件，确认后请加 --force"
    return None


def _restore_files(target: Target, directory: Path, manifest: Manifest, stage: Stage, *, clear: bool) -> None:
    """The data directory becomes the backup's: with ``clear`` its other files go first (the live database and
    backups kept in it excepted). Each file is hashed again as it is copied."""
    if clear:
        skip = target.data_skip(directory)
        files.clear(target.data_dir, keep=skip)
    entries = [entry for entry in manifest.files if entry.path.startswith(FILES_DIR + "/")]
    stage.start(len(entries))
    for entry in entries:
        relative = entry.path[len(FILES_DIR) + 1 :]
        _size, sha256 = files.copy_hashing(directory / entry.path, target.data_dir / relative, mode=entry.mode)
        problem = digest_problem(entry, sha256)
        if problem:
            raise BackupError(problem)
        stage.advance()
