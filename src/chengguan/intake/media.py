"""Photos attached to reports and outcomes, stored content-addressed under ``CHENGGUAN_DATA_DIR/media``.

The file name is the SHA-256 of the content, so the same photo is stored once and a URL cannot be guessed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from chengguan.core.errors import NotFound, field_error

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png", b"RIFF": "webp", b"GIF8": "gif"}
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


def _kind(content: bytes) -> str | None:
    for magic, ext in SIGNATURES.items():
        if content.startswith(magic) and (ext != "webp" or content[8:12] == b"WEBP"):
            return ext
    return None


def store(data_dir: Path, content: bytes) -> tuple[str, str]:
    """Store an image; returns (file name, sha256). Refuses empty, oversized and non-image files (422)."""
    if not content:
        raise field_error("file", "文件为空", code="media.empty")
    if len(content) > MAX_BYTES:
        raise field_error("file", "图片不能超过 10 MB", code="media.too_large")
    ext = _kind(content)
    if ext is None:
        raise field_error("file", "只支持 JPEG、PNG、WebP、GIF 图片", code="media.type")
    digest = hashlib.sha256(content).hexdigest()
    name = f"{digest}.{ext}"
    path = data_dir / "media" / digest[:2] / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(path)
    return name, digest


def locate(data_dir: Path, name: str) -> tuple[Path, str]:
    """The stored file for ``<sha256>.<ext>`` and its media type; 404 for anything else."""
    stem, _, ext = name.partition(".")
    if len(stem) != 64 or any(c not in "0123456789abcdef" for c in stem) or ext not in TYPES:
        raise NotFound("文件不存在", code="media.not_found")
    path = data_dir / "media" / stem[:2] / name
    if not path.is_file():
        raise NotFound("文件不存在", code="media.not_found")
    return path, TYPES[ext]
