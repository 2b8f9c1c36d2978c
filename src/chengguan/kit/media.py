"""Content types from the content: a stored upload is what its bytes are, never what the client called it.

The type is detected from the leading bytes with ``filetype`` (magic numbers), images are then opened with Pillow
(a JPEG signature followed by anything else is not a photo), and text is text only when it decodes as UTF-8 without
control characters. The client's claim — the part's Content-Type, or its file name's extension when the type is
generic — must agree with what was found (415 ``media.type_mismatch``), and what was found must be a type the
route accepts (415 ``media.unsupported_type``). Routes then serve the detected type with ``nosniff``, and anything
but an image as an attachment, so a stored file never runs as a page.
"""

from __future__ import annotations

import codecs
import io
import mimetypes
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import filetype
from PIL import Image

from chengguan.core.errors import DomainError, Problem

HEAD_BYTES = 1 << 20  # enough for an image's header after a large EXIF block; filetype itself reads 8 KiB
GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/heif": "image/heic",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "audio/x-flac": "audio/flac",
    "audio/x-aac": "audio/aac",
    "video/x-m4v": "video/mp4",
    "application/x-pdf": "application/pdf",
}
# Containers whose signature cannot tell sound from picture (a voice memo in WebM or MP4): the claimed kind stands.
SAME_CONTAINER = (
    frozenset({"video/webm", "audio/webm"}),
    frozenset({"video/mp4", "audio/mp4"}),
    frozenset({"audio/ogg", "video/ogg", "application/ogg"}),
    frozenset({"video/3gpp", "audio/3gpp"}),
)
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
}
PHOTOS = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
"""What a browser shows as a photo: 现场照片 of reports and outcomes, handwritten signatures (PNG)."""
LABELS = {
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "image/gif": "GIF 图片",
    "image/webp": "WebP 图片",
    "application/pdf": "PDF 文件",
    "text/plain": "纯文本",
}


class UnsupportedMediaType(DomainError):
    """415: the content is a type the route does not take, or is not what the client said it is."""

    status_code = 415
    code = "media.unsupported_type"
    title = "Unsupported Media Type"


MEDIA_RESPONSES: dict[int | str, dict[str, Any]] = {
    415: {
        "model": Problem,
        "content": {"application/problem+json": {}},
        "description": "文件内容与声明的类型不符（media.type_mismatch），或不支持该类型（media.unsupported_type）",
    }
}


def canonical(mime: str | None) -> str:
    """``image/JPG; charset=x`` → ``image/jpeg``: lower case, no parameters, common aliases folded."""
    bare = (mime or "").split(";", 1)[0].strip().lower()
    return ALIASES.get(bare, bare)


def label(mime: str) -> str:
    return LABELS.get(mime, mime or "未知类型")


def detect(head: bytes) -> str | None:
    """The type the leading bytes show, or None when they show nothing this module knows."""
    kind = filetype.guess_mime(head[:8192])
    if kind is not None:
        found = canonical(kind)
        return found if _opens_as(found, head) else None
    return "text/plain" if _is_text(head) else None


def _opens_as(mime: str, head: bytes) -> bool:
    wanted = PILLOW_FORMATS.get(mime)
    if wanted is None:
        return True
    try:
        with Image.open(io.BytesIO(head)) as image:
            return image.format == wanted
    except Exception:  # Pillow refuses a broken header with several exception types; all mean "not this image"
        return False


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # text may hold tabs, line breaks and form feeds only


def _is_text(head: bytes) -> bool:
    if not head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head[:65536], final=len(head) <= 65536)
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text) is None


_SYNTAX = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")


def claimed(declared: str | None, filename: str | None) -> str | None:
    """What the client says the file is: its Content-Type, else (generic, absent or not a media type at all) its
    file name's extension's type."""
    mime = canonical(declared)
    if mime in GENERIC or not _SYNTAX.fullmatch(mime):
        guessed = mimetypes.guess_type(filename or "")[0]
        mime = canonical(guessed) if guessed else ""
    return mime or None


def check(head: bytes, *, declared: str | None, filename: str | None, accepted: Iterable[str]) -> str:
    """The type to store for a file starting with ``head``: detected from the bytes, agreeing with the client's
    claim, and one of ``accepted``; else 415 — ``media.type_mismatch`` when the bytes are not what the client said,
    ``media.unsupported_type`` when they are (or nothing was said) but the route does not take that type."""
    accepted = frozenset(accepted)
    found = detect(head)
    claim = claimed(declared, filename)
    if claim is not None and claim in accepted and (found is None or not _agree(claim, found)):
        what = f"文件内容是{label(found)}" if found else "无法识别文件内容"
        raise UnsupportedMediaType(f"{what}，与声明的类型 {claim} 不符", code="media.type_mismatch", detected=found)
    if claim is not None and found is not None and found in accepted and not _agree(claim, found):
        raise UnsupportedMediaType(
            f"文件内容是{label(found)}，与声明的类型 {claim} 不符", code="media.type_mismatch", detected=found
        )
    if found is None or found not in accepted:
        raise UnsupportedMediaType(f"不支持的文件类型：{label(found or claim or '')}", detected=found)
    # Same container, claimed kind: an audio/webm voice memo stays audio although WebM's signature says video.
    return claim if claim is not None and claim in accepted else found


def _agree(claim: str, found: str) -> bool:
    if claim == found:
        return True
    if found == "text/plain" and claim in TEXT_TYPES:
        return True
    return any(claim in group and found in group for group in SAME_CONTAINER)


def served_inline(mime: str) -> bool:
    """Only images are shown in place; every other stored file downloads (``Content-Disposition: attachment``)."""
    return mime in PHOTOS


NOSNIFF = {"X-Content-Type-Options": "nosniff"}
"""On every stored file, also the ones the platform made itself (PDF, DOCX, archives): the declared type only."""


def file_headers(mime: str, filename: str) -> dict[str, str]:
    """The headers every stored file is served with: the detected type is the only type (``nosniff``), nothing
    stored runs as a page (``sandbox``), and only images are inline."""
    disposition = "inline" if served_inline(mime) else "attachment"
    return {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
        **NOSNIFF,
        "Content-Security-Policy": "sandbox",
    }
