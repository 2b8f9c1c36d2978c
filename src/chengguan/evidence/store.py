"""Content-addressed blob storage of evidence files: a blob's name is the SHA-256 of its bytes.

Because the address is the digest, a stored blob cannot be swapped without the swap showing (its bytes no
longer hash to its name), the same photo uploaded twice is stored once, and a put can be retried safely.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, runtime_checkable

from chengguan.evidence.digests import CHUNK, Digests, DigestWriter, digest_file, digest_stream, is_hex_digest

if TYPE_CHECKING:
    from chengguan.core.config import Settings


class EvidenceStoreError(RuntimeError):
    """A storage back end could not be used (misconfigured, library missing)."""


class BlobNotFoundError(LookupError):
    """No blob is stored under the digest asked for."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"证据文件不存在：{sha256}")
        self.sha256 = sha256


def _check_address(sha256: str) -> str:
    # Addresses become file names and object keys: only the canonical hex form may reach the file system.
    if not is_hex_digest(sha256):
        raise ValueError(f"证据文件地址须为 64 位小写十六进制的 SHA-256 值：{sha256!r}")
    return sha256


def _chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    while chunk := data.read(CHUNK):
        yield chunk


@runtime_checkable
class BlobStore(Protocol):
    """Where evidence bytes live, addressed by their SHA-256."""

    def put(self, data: bytes | BinaryIO) -> Digests:
        """Store the content (idempotent) and return its digests; the SHA-256 is its address."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """A binary stream of the blob; raises ``BlobNotFoundError``. Nothing is verified on the way."""
        ...

    def get(self, sha256: str) -> bytes:
        """The blob's bytes; raises ``BlobNotFoundError``. Nothing is verified on the way."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether a blob is stored under the address."""
        ...

    def digests(self, sha256: str) -> Digests | None:
        """The digests recomputed from the stored bytes, or ``None`` if the blob is gone."""
        ...

    def verify(self, sha256: str) -> bool:
        """Whether the blob exists and its bytes still hash to its address."""
        ...

    def delete(self, sha256: str) -> bool:
        """Remove the blob (retention purges and tests); whether it existed. The ledger will then say so."""
        ...


class LocalBlobStore:
    """Blobs as files under ``root/sha256/ab/cd/<hex>``; writes are atomic (temp file in ``root/tmp``, then rename)."""

    def __init__(self, root: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.root = Path(root)
        # durable: fsync the file before the rename and the directory after, so a blob the ledger names
        # survives a power cut; bulk loads that can be redone may turn it off.
        self.durable = durable
        self._tmp = self.root / "tmp"
        self._base = str(self.root / "sha256") + os.sep
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        """Where the blob with this address lives (whether or not it exists)."""
        return Path(self._file(sha256))

    def _file(self, sha256: str) -> str:
        # Plain string joins: a full verification computes 100,000 paths and pathlib would be a third of its time.
        _check_address(sha256)
        return f"{self._base}{sha256[:2]}{os.sep}{sha256[2:4]}{os.sep}{sha256}"

    def put(self, data: bytes | BinaryIO) -> Digests:
        """Store the content (idempotent) and return its digests, hashing while writing (one pass)."""
        writer = DigestWriter()
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(data):
                    writer.update(chunk)
                    out.write(chunk)
                if self.durable:
                    out.flush()
                    os.fsync(out.fileno())
            found = writer.result()
            target = self.path_of(found.sha256)
            if target.exists():
                # Same address, same bytes (SHA-256): keep the stored file. A tampered one is the verifier's
                # business, not silently repaired here.
                os.unlink(tmp_name)
                return found
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o444)  # read-only: evidence is never edited in place
            os.replace(tmp_name, target)
            if self.durable:
                _fsync_dir(target.parent)
            return found
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise

    def open(self, sha256: str) -> BinaryIO:
        """A binary stream of the blob; raises ``BlobNotFoundError``."""
        try:
            return open(self.path_of(sha256), "rb")  # the caller closes it
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None

    def get(self, sha256: str) -> bytes:
        """The blob's bytes; raises ``BlobNotFoundError``."""
        with self.open(sha256) as f:
            return f.read()

    def exists(self, sha256: str) -> bool:
        """Whether a blob is stored under the address."""
        return self.path_of(sha256).is_file()

    def digests(self, sha256: str) -> Digests | None:
        """The digests recomputed from the file (one read), or ``None`` if it is gone."""
        try:
            return digest_file(self._file(sha256))
        except FileNotFoundError:
            return None

    def verify(self, sha256: str) -> bool:
        """Whether the file exists and still hashes to its address."""
        found = self.digests(sha256)
        return found is not None and found.sha256 == sha256

    def delete(self, sha256: str) -> bool:
        """Remove the file; whether it existed."""
        try:
            os.unlink(self.path_of(sha256))
        except FileNotFoundError:
            return False
        return True


def blob_store(settings: Settings, *, durable: bool = True) -> LocalBlobStore:
    """The platform's store: evidence and document files, content-addressed under ``CHENGGUAN_DATA_DIR/blobs``."""
    return LocalBlobStore(Path(settings.data_dir) / "blobs", durable=durable)


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory, which is then left to the OS.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_S3_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3BlobStore:
    """Blobs as objects of an S3-compatible bucket under ``<prefix>ab/cd/<hex>`` (MinIO, OSS, COS, OBS…).

    ``client`` is a boto3 S3 client (or anything with its ``put_object/get_object/head_object/delete_object``);
    without one, boto3 is imported here and a client is built from ``client_kwargs`` (endpoint_url, keys, region).
    """

    def __init__(self, bucket: str, *, prefix: str = "sha256/", client: Any = None, **client_kwargs: Any) -> None:
        if client is None:
            try:
                import boto3  # optional dependency: only deployments storing evidence in S3 install it
            except ImportError:
                raise EvidenceStoreError("使用 S3 兼容存储保存证据需要安装 boto3（pip install boto3）") from None
            client = boto3.client("s3", **client_kwargs)
        self.bucket = bucket
        self.prefix = prefix
        self.client = client

    def key_of(self, sha256: str) -> str:
        """The object key of the blob with this address."""
        _check_address(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, data: bytes | BinaryIO) -> Digests:
        """Store the content (idempotent) and return its digests; the key is known only after hashing."""
        writer = DigestWriter()
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
            for chunk in _chunks(data):
                writer.update(chunk)
                spool.write(chunk)
            found = writer.result()
            if not self.exists(found.sha256):
                spool.seek(0)
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key_of(found.sha256),
                    Body=spool,
                    ContentLength=found.size,
                    Metadata={"sm3": found.sm3},
                )
        return found

    def open(self, sha256: str) -> BinaryIO:
        """A binary stream of the object; raises ``BlobNotFoundError``."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key_of(sha256))["Body"]
        except Exception as exc:
            if _s3_code(exc) in _S3_MISSING:
                raise BlobNotFoundError(sha256) from None
            raise

    def get(self, sha256: str) -> bytes:
        """The object's bytes; raises ``BlobNotFoundError``."""
        body = self.open(sha256)
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, sha256: str) -> bool:
        """Whether an object is stored under the address."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key_of(sha256))
        except Exception as exc:
            if _s3_code(exc) in _S3_MISSING:
                return False
            raise
        return True

    def digests(self, sha256: str) -> Digests | None:
        """The digests recomputed from the object's bytes (streamed), or ``None`` if it is gone."""
        try:
            body = self.open(sha256)
        except BlobNotFoundError:
            return None
        try:
            return digest_stream(body)
        finally:
            body.close()

    def verify(self, sha256: str) -> bool:
        """Whether the object exists and still hashes to its address."""
        found = self.digests(sha256)
        return found is not None and found.sha256 == sha256

    def delete(self, sha256: str) -> bool:
        """Remove the object; whether it existed."""
        existed = self.exists(sha256)
        if existed:
            self.client.delete_object(Bucket=self.bucket, Key=self.key_of(sha256))
        return existed


def _s3_code(exc: Exception) -> str | None:
    # botocore's ClientError carries the service's error code in .response; read it without importing botocore.
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code"))
    return None
