"""Blob stores: content-addressed layout, idempotent and atomic puts, verification, the S3 adapter's contract."""

from __future__ import annotations

import io
import os
import sys

import pytest

from chengguan.evidence.digests import digest_bytes, sha256_hex, sm3_hex
from chengguan.evidence.store import (
    BlobNotFoundError,
    BlobStore,
    EvidenceStoreError,
    LocalBlobStore,
    S3BlobStore,
)

PHOTO = "现场照片".encode() + bytes(range(256)) * 10


@pytest.fixture
def store(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def _stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_put_returns_digests_and_uses_the_digest_layout(store):
    found = store.put(PHOTO)
    sha = sha256_hex(PHOTO)
    assert found == (sha, sm3_hex(PHOTO), len(PHOTO))
    assert store.path_of(sha) == store.root / "sha256" / sha[:2] / sha[2:4] / sha
    assert _stored_files(store.root) == [f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"]
    assert store.get(sha) == PHOTO and store.exists(sha) and store.verify(sha)
    with store.open(sha) as f:
        assert f.read() == PHOTO
    assert not os.access(store.path_of(sha), os.W_OK) or os.geteuid() == 0  # stored read-only


def test_put_is_idempotent_and_streams(store):
    first = store.put(PHOTO)
    again = store.put(io.BytesIO(PHOTO))  # the same content as a stream
    assert first == again
    assert len(_stored_files(store.root)) == 1
    big = os.urandom(3 * 1024 * 1024 + 5)
    assert store.put(io.BytesIO(big)) == digest_bytes(big)
    assert store.get(sha256_hex(big)) == big


def test_failed_put_leaves_nothing_behind(store):
    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def read(self, n: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("camera disconnected")
            return b"x" * 1000

    with pytest.raises(OSError, match="camera"):
        store.put(Broken())  # type: ignore[arg-type]
    assert _stored_files(store.root) == []


def test_verify_notices_altered_and_missing_blobs(store):
    sha = store.put(PHOTO).sha256
    path = store.path_of(sha)
    os.chmod(path, 0o644)
    path.write_bytes(PHOTO[:-1] + b"!")
    assert store.exists(sha) and not store.verify(sha)
    assert store.digests(sha).sha256 != sha
    assert store.delete(sha) is True and store.delete(sha) is False
    assert not store.exists(sha) and not store.verify(sha) and store.digests(sha) is None
    with pytest.raises(BlobNotFoundError, match="证据文件不存在"):
        store.get(sha)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "a" * 63, ""])
def test_addresses_other_than_hex_digests_are_refused(store, bad):
    with pytest.raises(ValueError, match="SHA-256"):
        store.path_of(bad)


class FakeS3Error(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


class FakeS3:
    """The four calls of boto3's S3 client the adapter uses, over a dict."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, dict[str, str]]] = {}
        self.puts = 0

    # boto3's parameter names
    def put_object(self, *, Bucket, Key, Body, ContentLength, Metadata):
        data = Body.read()
        assert len(data) == ContentLength
        self.objects[(Bucket, Key)] = (data, Metadata)
        self.puts += 1

    def get_object(self, *, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise FakeS3Error("NoSuchKey")
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)][0])}

    def head_object(self, *, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise FakeS3Error("404")
        return {}

    def delete_object(self, *, Bucket, Key):
        self.objects.pop((Bucket, Key), None)


def test_s3_store_keys_by_digest_and_keeps_the_interface():
    client = FakeS3()
    s3 = S3BlobStore("evidence", client=client)
    assert isinstance(s3, BlobStore)
    found = s3.put(io.BytesIO(PHOTO))
    sha = found.sha256
    assert s3.key_of(sha) == f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"
    assert client.objects[("evidence", s3.key_of(sha))][1] == {"sm3": found.sm3}
    assert s3.put(PHOTO) == found and client.puts == 1  # idempotent
    assert s3.get(sha) == PHOTO and s3.verify(sha) and s3.digests(sha) == found
    client.objects[("evidence", s3.key_of(sha))] = (b"tampered", {})
    assert s3.exists(sha) and not s3.verify(sha)
    assert s3.delete(sha) and not s3.exists(sha) and s3.digests(sha) is None
    with pytest.raises(BlobNotFoundError):
        s3.get(sha)


def test_s3_store_other_errors_propagate():
    client = FakeS3()
    client.head_object = lambda **_: (_ for _ in ()).throw(FakeS3Error("AccessDenied"))  # type: ignore[method-assign]
    with pytest.raises(FakeS3Error):
        S3BlobStore("evidence", client=client).exists("a" * 64)


def test_s3_store_without_boto3_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # makes ``import boto3`` fail even where it is installed
    with pytest.raises(EvidenceStoreError, match="boto3"):
        S3BlobStore("evidence")


def test_local_store_satisfies_the_protocol(store):
    assert isinstance(store, BlobStore)
