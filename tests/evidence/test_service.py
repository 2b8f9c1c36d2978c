"""The evidence service on the database: recording (digests, store, ledger entry, head, timeline), refusals,
sealing and proofs, verification of one item and of the whole ledger, and appenders racing for the head."""

from __future__ import annotations

import io
import itertools
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cases.helpers import new_case
from chengguan.cases.models import CaseEvent
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.errors import Conflict, Unprocessable
from chengguan.core.principals import Actor
from chengguan.evidence import ledger_db, service
from chengguan.evidence.batches import check_item_proof
from chengguan.evidence.digests import digest_bytes
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.evidence.ledger import meta_digest
from chengguan.evidence.models import EvidenceItem, LedgerBatchRow, LedgerHead
from chengguan.evidence.store import blob_store
from chengguan.kit import media
from evidence.helpers import jpeg, sample

Login = Callable[..., dict[str, str]]
ACTOR = Actor("system", None, "测试导入")


@pytest.fixture
def case(client: TestClient, login: Login, setup: dict) -> dict:
    return new_case(client, login("bdg_officer"), setup)


def photo(n: int = 0) -> bytes:
    return jpeg(f"{uuid.uuid4()} {n}")


def record(session, settings: Settings, case: dict, data: bytes | None = None, **kw) -> EvidenceItem:
    kw = {"filename": "现场.jpg", "mime": "image/jpeg"} | kw
    return service.record(session, settings, ACTOR, uuid.UUID(case["id"]), data or photo(), **kw)


def test_record_stores_the_bytes_and_chains_an_entry(db: Database, settings: Settings, case: dict):
    data = photo()
    with db.session() as s, s.begin():
        before = s.get(LedgerHead, 1).seq
        item = record(s, settings, case, data, lng=120.3812345678, lat=36.0671, address="中山路1号", device="DV-01")
        item_id, seq = item.id, item.ledger_seq
    expected = digest_bytes(data)
    with db.session(write=False) as s:
        item = s.get(EvidenceItem, item_id)
        entry = ledger_db.entry_at(s, seq)
        head = s.get(LedgerHead, 1)
        events = s.scalars(select(CaseEvent.action).where(CaseEvent.case_id == item.case_id)).all()
    assert (item.sha256, item.sm3, item.size) == tuple(expected)
    assert blob_store(settings).get(item.sha256) == data
    assert seq == before + 1 and head.seq >= seq
    assert (entry.item_id, entry.sha256, entry.sm3, entry.size, entry.kind) == (
        str(item_id), expected.sha256, expected.sm3, expected.size, "photo"
    )  # fmt: skip
    assert entry.meta_digest == meta_digest(item.meta) == meta_digest(ledger_db.meta_of(item))
    assert item.meta["case_id"] == case["id"] and item.meta["address"] == "中山路1号"
    assert item.lng == 120.3812346  # stored to 7 decimals (~1 cm), the value the digest covers
    assert (item.kind, item.origin, item.review_status) == (EvidenceKind.photo, EvidenceOrigin.officer,
                                                            ReviewStatus.not_required)  # fmt: skip
    assert "add_evidence" in events


@pytest.mark.parametrize(
    ("content", "mime", "filename", "kind", "stored"),
    [
        ("image/jpeg", "image/jpeg", "a.jpg", EvidenceKind.photo, "image/jpeg"),
        ("video/mp4", "video/mp4", "a.mp4", EvidenceKind.video, "video/mp4"),
        ("audio/mpeg", "audio/mpeg", "a.mp3", EvidenceKind.audio, "audio/mpeg"),
        ("application/pdf", "application/pdf", "a.pdf", EvidenceKind.file, "application/pdf"),
        ("video/mp4", None, "片段.mp4", EvidenceKind.video, "video/mp4"),  # no type sent: the name agrees
        ("audio/mpeg", "application/octet-stream", "录音.mp3", EvidenceKind.audio, "audio/mpeg"),
        ("image/jpeg", "image/jpeg\x00<script>", "a.jpg", EvidenceKind.photo, "image/jpeg"),  # not a media type
        ("image/jpeg", None, "无扩展名", EvidenceKind.photo, "image/jpeg"),  # nothing claimed: the bytes decide
        ("video/webm", "audio/webm", "录音.webm", EvidenceKind.audio, "audio/webm"),  # a voice memo in WebM
        ("audio/wav", "audio/x-wav", "录音.wav", EvidenceKind.audio, "audio/wav"),  # an alias of the same type
        ("text/plain", "text/plain", "笔录.txt", EvidenceKind.file, "text/plain"),
    ],
)
def test_kind_and_type_follow_the_content(db: Database, settings: Settings, case: dict, content, mime, filename,
                                          kind, stored):  # fmt: skip
    with db.session() as s, s.begin():
        item = record(s, settings, case, sample(content, str(uuid.uuid4())), mime=mime, filename=filename)
        assert (item.kind, item.mime) == (kind, stored)


@pytest.mark.parametrize(
    ("content", "mime", "filename", "code"),
    [
        ("text/plain", "image/jpeg", "a.jpg", "media.type_mismatch"),  # the probe: a text file declared a photo
        ("text/plain", None, "a.jpg", "media.type_mismatch"),  # …or only named like one
        ("video/mp4", "image/jpeg", "a.jpg", "media.type_mismatch"),
        ("image/jpeg", "application/pdf", "a.pdf", "media.type_mismatch"),
        ("application/x-msdownload", "application/octet-stream", "a.exe", "media.unsupported_type"),
        ("application/x-msdownload", "image/png", "a.png", "media.type_mismatch"),
        ("fake-jpeg", "image/jpeg", "a.jpg", "media.type_mismatch"),  # a JPEG signature, then no image
    ],
)
def test_content_that_is_not_what_it_claims_or_not_evidence_is_refused(
    db: Database, settings: Settings, case: dict, content, mime, filename, code
):
    data = b"\xff\xd8\xff\xe0" + b"scene" * 400 if content == "fake-jpeg" else sample(content, "x")
    with db.session() as s, s.begin():
        before = s.get(LedgerHead, 1).seq
        with pytest.raises(media.UnsupportedMediaType) as refused:
            record(s, settings, case, data, mime=mime, filename=filename)
        assert refused.value.status_code == 415 and refused.value.code == code
        assert s.get(LedgerHead, 1).seq == before  # nothing was recorded
    assert not blob_store(settings).exists(digest_bytes(data).sha256)


def test_file_names_lose_paths_and_control_characters(db: Database, settings: Settings, case: dict):
    with db.session() as s, s.begin():
        item = record(s, settings, case, filename="../../etc/pa\x00ss\nwd.jpg")
        assert item.filename == "pa_ss_wd.jpg"


def test_machine_evidence_waits_for_review_and_needs_its_device(db: Database, settings: Settings, case: dict):
    """第四十一条: recorded by an electronic monitoring device → pending review; the device must be named."""
    with db.session() as s, s.begin():
        with pytest.raises(Unprocessable) as refused:
            record(s, settings, case, origin=EvidenceOrigin.machine)
        assert refused.value.errors[0].field == "device"
        item = record(s, settings, case, origin=EvidenceOrigin.machine, device="CAM-01")
        assert item.review_status is ReviewStatus.pending
        party = record(s, settings, case, origin=EvidenceOrigin.party)
        assert party.review_status is ReviewStatus.not_required


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"captured_at": "future"}, "captured_at"),
        ({"lng": 120.3}, "lat"),
        ({"lat": 36.0}, "lng"),
        ({"lng": 190.0, "lat": 36.0}, "lng"),
    ],
)
def test_capture_facts_are_checked(db: Database, settings: Settings, case: dict, changes: dict, field: str):
    if changes.get("captured_at") == "future":
        changes = {"captured_at": clock.now() + timedelta(hours=1)}
    with db.session() as s, s.begin(), pytest.raises(Unprocessable) as refused:
        record(s, settings, case, **changes)
    assert refused.value.errors[0].field == field


def test_empty_and_oversized_files_are_refused(db: Database, settings: Settings, case: dict):
    small = settings.model_copy(update={"evidence_max_upload_mb": 1})
    with db.session() as s, s.begin():
        with pytest.raises(Unprocessable) as empty:
            record(s, settings, case, io.BytesIO(b""))
        assert empty.value.code == "evidence.empty"
        text = {"filename": "记录.txt", "mime": "text/plain"}
        with pytest.raises(service.TooLarge):
            record(s, small, case, io.BytesIO(b"x" * (2**20 + 1)), **text)
        with pytest.raises(service.TooLarge):
            record(s, small, case, b"x" * (2**20 + 1), **text)
        assert record(s, small, case, io.BytesIO(b"x" * 2**20), **text).size == 2**20


def test_full_batches_seal_as_they_fill_and_the_job_seals_the_rest(db: Database, settings: Settings, case: dict):
    with db.session() as s, s.begin():
        service.seal_pending(s, settings)  # start from a fully sealed ledger
    small = settings.model_copy(update={"evidence_batch_size": 3})
    with db.session() as s, s.begin():
        items = [record(s, small, case) for _ in range(4)]
        head = s.get(LedgerHead, 1)
        assert head.sealed_seq == items[2].ledger_seq and head.seq == items[3].ledger_seq  # one batch of 3
        assert ledger_db.proof_of(s, items[3].ledger_seq) == (None, None)  # not sealed yet
        assert service.seal_pending(s, small) == 1
        assert s.get(LedgerHead, 1).sealed_seq == items[3].ledger_seq
        for item in items:
            batch, proof = ledger_db.proof_of(s, item.ledger_seq)
            assert batch is not None and proof is not None
            assert check_item_proof(proof, entry=ledger_db.entry_at(s, item.ledger_seq), batch=batch)
        rows = s.scalars(select(LedgerBatchRow).order_by(LedgerBatchRow.first_seq)).all()
        assert all(b.prev_batch_root == a.root for a, b in itertools.pairwise(rows))
        assert [r.size for r in rows[-2:]] == [3, 1]
        assert service.seal_pending(s, small) == 0


def test_the_minute_job_seals_the_tail(db: Database, settings: Settings, case: dict):
    from chengguan.evidence.tasks import seal_job

    with db.session() as s, s.begin():
        item = record(s, settings, case)
    with db.session() as s, s.begin():
        assert seal_job(s) >= 1
        assert s.get(LedgerHead, 1).sealed_seq >= item.ledger_seq
        assert seal_job(s) == 0


def test_one_item_and_the_whole_ledger_verify(db: Database, settings: Settings, case: dict):
    with db.session() as s, s.begin():
        item = record(s, settings, case)
        service.seal_pending(s, settings)
    with db.session(write=False) as s:
        item = s.get(EvidenceItem, item.id)
        report = service.verify_one(s, settings, item)
        assert report.ok and report.blobs_checked == 1 and report.batches_checked == 1
        check = service.verify_all(s, settings)
        assert check.report.ok, check.report.first_break
        assert check.report.checked == check.head_seq == s.get(LedgerHead, 1).seq
        assert check.report.blobs_checked == check.report.checked  # the demo's files are there too


def test_a_closed_case_takes_no_new_evidence_from_staff(db: Database, settings: Settings):
    from chengguan.cases.enums import CaseStatus
    from chengguan.cases.models import Case
    from chengguan.identity.auth import principal_of_user
    from chengguan.identity.models import User

    with db.session() as s, s.begin():
        case = s.scalars(select(Case).where(Case.status == CaseStatus.archived).limit(1)).first()
        admin = s.scalar(select(User.id).where(User.username == "admin"))
        with pytest.raises(Conflict) as refused:
            service.record(s, settings, principal_of_user(s, admin), case.id, photo(), filename="a.jpg")
        assert refused.value.code == "evidence.case_closed"


@pytest.mark.commits
def test_appenders_racing_for_the_head_get_consecutive_places(db: Database, settings: Settings, case: dict):
    """Twelve uploads at once: each waits for the head row, none chains onto an entry another one took."""
    barrier = threading.Barrier(12)
    seqs: list[int] = []
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            barrier.wait()
            with db.session() as s, s.begin():
                seqs.append(record(s, settings, case).ledger_seq)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(seqs) == list(range(min(seqs), min(seqs) + 12))
    with db.session(write=False) as s:
        check = service.verify_all(s, settings, files=False)
        assert check.report.ok, check.report.first_break
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == check.head_seq
