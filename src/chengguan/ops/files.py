"""File work of backup and restore: walking a tree, copying while hashing (one read per file), digests."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from chengguan.ops.manifest import FileEntry

CHUNK = 1 << 20


def walk(root: Path, skip: Callable[[str], bool] = lambda _: False) -> Iterator[tuple[str, Path]]:
    """Regular files under ``root`` as (POSIX path relative to root, path), sorted; symbolic links are not
    followed (a link out of the data directory is not the platform's to copy)."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        base = Path(folder)
        for name in sorted(names):
            path = base / name
            relative = path.relative_to(root).as_posix()
            if not skip(relative) and path.is_file() and not path.is_symlink():
                yield relative, path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def entry_of(path: Path, name: str) -> FileEntry:
    """The manifest entry of a file already in the backup."""
    return FileEntry(name, path.stat().st_size, sha256_of(path), 0o600)


def copy_hashing(source: Path, target: Path, *, mode: int) -> tuple[int, str]:
    """Copy ``source`` to the new file ``target`` (created with ``mode``); returns (size, SHA-256) of what was
    read. Written under a temporary name and renamed, so an interrupted restore leaves no half file in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    tmp = target.with_name(target.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return size, digest.hexdigest()


def clear(root: Path, keep: Callable[[str], bool]) -> int:
    """Remove every file under ``root`` that ``keep`` does not protect, then the directories left empty; returns how
    many files went."""
    removed = 0
    for relative, path in list(walk(root)):
        if not keep(relative):
            path.unlink()
            removed += 1
    for folder, _dirs, _names in sorted(os.walk(root), key=lambda w: len(w[0]), reverse=True):
        if Path(folder) != root:
            with contextlib.suppress(OSError):
                Path(folder).rmdir()  # only succeeds when empty
    return removed


def write_durably(path: Path, content: str) -> None:
    """Write a small text file and make it (and its directory entry) durable before returning."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
