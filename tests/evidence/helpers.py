"""Builders of test ledgers: entries appended one after another, blobs in a store, batches sealed every N."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chengguan.evidence.batches import Batch, seal_batch
from chengguan.evidence.digests import digest_bytes
from chengguan.evidence.ledger import Entry, append, make_payload
from chengguan.evidence.store import LocalBlobStore

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
KINDS = ["photo", "video", "audio", "file"]


def content(i: int) -> bytes:
    """The synthetic evidence file of item i (distinct per item)."""
    return f"第 {i} 号证据：执法记录仪片段 ".encode() * (1 + i % 7)


def build_ledger(
    n: int, *, store: LocalBlobStore | None = None, batch_size: int | None = None
) -> tuple[list[Entry], list[Batch]]:
    """A ledger of n items (files put into ``store`` if given) and its full batches of ``batch_size``."""
    entries: list[Entry] = []
    batches: list[Batch] = []
    prev = None
    for i in range(1, n + 1):
        data = content(i)
        digests = store.put(data) if store is not None else digest_bytes(data)
        payload = make_payload(
            f"EV-{i:06d}",
            digests,
            kind=KINDS[i % 4],
            captured_at=T0 + timedelta(minutes=i),
            meta={"case_no": f"青城管罚〔2026〕{i}号", "collector": "执法队员甲", "gps": [120.38, 36.07]},
        )
        prev = append(prev, payload, recorded_at=T0 + timedelta(minutes=i, seconds=30))
        entries.append(prev)
        if batch_size and i % batch_size == 0:
            batches.append(
                seal_batch(entries[-batch_size:], prev=batches[-1] if batches else None, sealed_at=prev.recorded_at)
            )
    return entries, batches


def jpeg(tag: str = "", size: tuple[int, int] = (32, 24)) -> bytes:
    """A real JPEG photo, distinct per ``tag`` (kept in the file's comment): what a phone or camera uploads."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, "JPEG", comment=f"现场照片 {tag}".encode())
    return out.getvalue()


# The leading bytes of files of each kind, as their formats define them (enough for type detection).
SAMPLES: dict[str, bytes] = {
    "video/mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64,
    "audio/mpeg": b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64,
    "audio/mp4": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 64,
    "application/pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    "video/webm": b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm" + b"\x00" * 32,
    "audio/wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40,
    "application/x-msdownload": b"MZ\x90\x00\x03" + b"\x00" * 100,
    "text/plain": "询问笔录：当事人称……\n".encode(),
}


def sample(mime: str, tag: str = "") -> bytes:
    """A file of type ``mime``, distinct per ``tag`` (trailing bytes do not change the type)."""
    if mime == "image/jpeg":
        return jpeg(tag)
    return SAMPLES[mime] + tag.encode()
