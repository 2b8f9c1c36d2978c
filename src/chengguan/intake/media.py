"""Photos attached to reports and outcomes, stored content-addressed under ``CHENGGUAN_DATA_DIR/media``.

The file name is the SHA-256 of the content, so the same photo is stored once and a URL cannot be guessed; its
extension is the type detected from the bytes (``kit.media``), which is the type the file is served with."""

from __future__ import annotations

import hashlib
from pathlib import Path

from chengguan.core.errors import NotFound, field_error
from chengguan.kit import media

MAX_BYTES = 10 * 1024 * 1024
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
EXTENSIONS = {mime: ext for ext, mime in TYPES.items()}


def store(
    data_dir: Path, content: bytes, *, declared: str | None = None, filename: str | None = None
) -> tuple[str, str]:
    """Store a photo; returns (file name, sha256). Refuses empty and oversized files (422) and anything whose bytes
    are not a JPEG, PNG, WebP or GIF image, or not the image the client declared (415)."""
    if not content:
        raise field_error("file", "文件为空", code="media.empty")
    if len(content) > MAX_BYTES:
        raise field_error("file", "图片不能超过 10 MB", code="media.too_large")
    ext = EXTENSIONS[media.check(content, declared=declared, filename=filename, accepted=TYPES.values())]
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
