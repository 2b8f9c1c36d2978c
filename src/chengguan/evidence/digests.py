"""Content digests of evidence: SHA-256 (the storage address) and SM3 (GB/T 32905, for domestic notaries)."""

from __future__ import annotations

import hashlib
import os
import re
from typing import BinaryIO, NamedTuple

from cryptography.hazmat.primitives import hashes

CHUNK = 1024 * 1024
# Files below this size are read with one call: per-chunk overhead dominates small photos and audio clips.
_SMALL_FILE = 4 * CHUNK
_HEX64 = re.compile(r"[0-9a-f]{64}")
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows only


class Digests(NamedTuple):
    """SHA-256 and SM3 of one content, lower-case hex, and its size in bytes (unpacks as a plain tuple)."""

    sha256: str
    sm3: str
    size: int


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def sm3_hex(data: bytes) -> str:
    """SM3 (GB/T 32905-2016) of ``data`` as lower-case hex."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def is_hex_digest(value: object) -> bool:
    """Whether ``value`` is a 256-bit digest in the canonical form: 64 lower-case hex characters."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def digest_bytes(data: bytes) -> Digests:
    """Both digests and the size of an in-memory content."""
    return Digests(sha256_hex(data), sm3_hex(data), len(data))


class DigestWriter:
    """Feeds chunks to SHA-256 and SM3 at once, so a stream is digested while it is being copied (one pass)."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._sm3 = hashes.Hash(hashes.SM3())
        self._size = 0

    def update(self, chunk: bytes) -> None:
        """Add the next chunk of the content."""
        self._sha.update(chunk)
        self._sm3.update(chunk)
        self._size += len(chunk)

    def result(self) -> Digests:
        """The digests of everything fed so far (call once)."""
        return Digests(self._sha.hexdigest(), self._sm3.finalize().hex(), self._size)


def digest_stream(stream: BinaryIO, chunk_size: int = CHUNK) -> Digests:
    """Both digests and the size of what remains in a binary stream, read once in chunks."""
    writer = DigestWriter()
    while chunk := stream.read(chunk_size):
        writer.update(chunk)
    return writer.result()


def digest_file(path: str | os.PathLike[str]) -> Digests:
    """Both digests and the size of a file, read once (small files in one read, others in 1 MiB chunks)."""
    # os-level calls: for the many small files of a full verification, io objects cost more than the hashing.
    fd = os.open(path, _READ_FLAGS)
    try:
        size = os.fstat(fd).st_size
        step = size + 1 if size < _SMALL_FILE else CHUNK
        writer = DigestWriter()
        while chunk := os.read(fd, step):
            writer.update(chunk)
        return writer.result()
    finally:
        os.close(fd)
