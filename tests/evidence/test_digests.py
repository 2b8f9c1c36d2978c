"""Digests: SHA-256 and SM3 against published vectors; the one-pass file and stream digests agree with them."""

from __future__ import annotations

import io

import pytest

from chengguan.evidence import digests
from chengguan.evidence.digests import Digests, digest_bytes, digest_file, digest_stream, sha256_hex, sm3_hex

# GB/T 32905-2016 appendix A, examples 1 and 2.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm3_standard_vectors():
    assert sm3_hex(b"abc") == SM3_ABC
    assert sm3_hex(b"abcd" * 16) == SM3_ABCD16


def test_sha256_vector():
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("size", [0, 1, 1000, digests.CHUNK + 7, 5 * digests.CHUNK + 3])
def test_file_and_stream_digests_match_the_in_memory_ones(tmp_path, size):
    data = bytes(i * 31 % 251 for i in range(size))
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    expected = Digests(sha256_hex(data), sm3_hex(data), size)
    assert digest_bytes(data) == expected
    assert digest_file(path) == expected
    assert digest_stream(io.BytesIO(data), chunk_size=4096) == expected
    sha, sm3, n = digest_file(path)  # unpacks like the (sha256, sm3, size) tuple it is
    assert (sha, sm3, n) == tuple(expected)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("a" * 64, True), ("A" * 64, False), ("a" * 63, False), ("g" * 64, False), ("../" + "a" * 61, False), (1, False)],
)
def test_is_hex_digest(value, ok):
    assert digests.is_hex_digest(value) is ok
