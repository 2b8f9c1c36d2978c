"""The evidence ledger in the database: appends under the head row's lock, batch sealing, item proofs, and the
streaming read of the whole ledger that its verification walks (``ledger_check``: entries, batch roots, head,
evidence records and stored files).

Every append takes the single ``evidence_ledger_head`` row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
write transactions are serialised by ``BEGIN IMMEDIATE``), so two uploads can never chain onto the same entry.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from enum import Enum
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.errors import Conflict
from chengguan.evidence.batches import Batch, ItemProof, item_proof, seal_batch
from chengguan.evidence.ledger import (
    GENESIS_HASH,
    META_DOMAIN,
    Entry,
    ItemPayload,
    LedgerError,
    append,
    iso_utc,
    meta_digest,
)
from chengguan.evidence.ledger import recomputed_hash as _recomputed
from chengguan.evidence.models import EvidenceItem, LedgerBatchRow, LedgerEntryRow, LedgerHead
from chengguan.evidence.store import BlobStore
from chengguan.evidence.verify import Break, Reason, VerifyReport, verify_item

HEAD_ID = 1
READ_CHUNK = 5_000  # rows per keyset page of the full verification: memory stays flat however long the ledger
L, It = LedgerEntryRow, EvidenceItem
ENTRY_COLUMNS = tuple(getattr(L, name) for name in Entry.__dataclass_fields__)
# What an item's metadata digest covers, besides the digests, kind and capture time the entry carries itself:
# which case, who captured it with what device, where, and how it is described. Review state is not covered.
META_FIELDS = (
    "case_id",
    "source_id",
    "origin",
    "title",
    "description",
    "filename",
    "mime",
    "lng",
    "lat",
    "address",
    "device",
    "officer_id",
    "uploaded_by_id",
    "uploaded_by_name",
)
ITEM_COLUMNS = (It.id, It.sha256, It.sm3, It.size, It.kind, It.captured_at, *(getattr(It, n) for n in META_FIELDS))


class LedgerBroken(Conflict):
    """The stored ledger does not hold where an append or a seal needs it to (409; run ``verify-evidence``)."""

    code = "evidence.ledger_broken"


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def item_meta(values: Mapping[str, Any]) -> dict[str, Any]:
    """The item's metadata as the ledger's ``meta_digest`` covers it (plain JSON values), from columns or a row."""
    return {name: _plain(values.get(name)) for name in META_FIELDS}


def entry_at(session: Session, seq: int) -> Entry | None:
    """The stored entry with this sequence number."""
    row = session.connection().execute(select(*ENTRY_COLUMNS).where(L.seq == seq)).first()
    return Entry(*row) if row else None


def entries_between(session: Session, first: int, last: int) -> list[Entry]:
    """The stored entries ``first..last`` in sequence order (fewer if rows are missing)."""
    rows = session.connection().execute(select(*ENTRY_COLUMNS).where(L.seq.between(first, last)).order_by(L.seq))
    return [Entry(*row) for row in rows]


def lock_head(session: Session) -> LedgerHead:
    """The head row, locked until the transaction ends: the queue every appender and sealer waits in."""
    head = session.get(LedgerHead, HEAD_ID, with_for_update=True, populate_existing=True)
    if head is None:
        raise LedgerBroken("证据账本缺少链头记录（请运行数据库迁移）", code="evidence.ledger_missing")
    return head


def append_entry(session: Session, payload: ItemPayload, *, recorded_at: datetime) -> Entry:
    """Append the payload after the current head and move the head; refuses (409) when the tail no longer holds."""
    head = lock_head(session)
    prev = entry_at(session, head.seq) if head.seq else None
    if head.seq and (prev is None or prev.entry_hash != head.hash):
        raise LedgerBroken(f"证据账本尾部（序号 {head.seq}）与链头不符，已停止登记；请运行 chengguan verify-evidence")
    try:
        entry = append(prev, payload, recorded_at=recorded_at)
    except LedgerError as exc:
        raise LedgerBroken(f"{exc}；请运行 chengguan verify-evidence") from None
    session.add(LedgerEntryRow(**entry.to_dict()))
    head.seq, head.hash = entry.seq, entry.entry_hash  # flushed with the caller's rows (one round trip less)
    return entry


def batches(session: Session) -> list[Batch]:
    """Every sealed batch in sequence order."""
    rows = session.scalars(select(LedgerBatchRow).order_by(LedgerBatchRow.first_seq))
    return [_batch(row) for row in rows]


def _batch(row: LedgerBatchRow) -> Batch:
    return Batch(row.first_seq, row.last_seq, row.size, row.root, row.prev_batch_root, row.sealed_at)


def batch_of(session: Session, seq: int) -> Batch | None:
    """The sealed batch holding entry ``seq``, if it is sealed yet."""
    row = session.scalars(
        select(LedgerBatchRow).where(LedgerBatchRow.first_seq <= seq, LedgerBatchRow.last_seq >= seq).limit(1)
    ).first()
    return _batch(row) if row else None


def _chain_holds(entries: Sequence[Entry], first: int, prev_hash: str) -> bool:
    expected = first
    for e in entries:
        if e.seq != expected or e.prev_hash != prev_hash or _recomputed(e) != e.entry_hash:
            return False
        expected, prev_hash = expected + 1, e.entry_hash
    return True


def seal_pending(session: Session, *, batch_size: int, full_only: bool = False) -> list[Batch]:
    """Seal the unsealed tail under Merkle roots, ``batch_size`` entries a batch (``full_only``: full batches only;
    else the last batch takes what is left). Each batch is checked link by link before its root commits to it."""
    head = lock_head(session)
    size = max(1, batch_size)
    prev_row = None
    if head.sealed_seq:
        prev_row = session.scalars(select(LedgerBatchRow).where(LedgerBatchRow.last_seq == head.sealed_seq)).first()
        if prev_row is None:
            message = f"找不到封存至序号 {head.sealed_seq} 的批次（批次表被改动）；请运行 chengguan verify-evidence"
            raise LedgerBroken(message)
    prev = _batch(prev_row) if prev_row else None
    before = entry_at(session, head.sealed_seq) if head.sealed_seq else None
    prev_hash = before.entry_hash if before else GENESIS_HASH
    sealed: list[Batch] = []
    now = clock.now()
    while head.seq > head.sealed_seq:
        n = min(size, head.seq - head.sealed_seq)
        if full_only and n < size:
            break
        first = head.sealed_seq + 1
        entries = entries_between(session, first, first + n - 1)
        if len(entries) != n or not _chain_holds(entries, first, prev_hash):
            raise LedgerBroken(f"序号 {first} 起的账本记录校验不通过，不能封存；请运行 chengguan verify-evidence")
        batch = seal_batch(entries, prev=prev, sealed_at=now)
        session.add(LedgerBatchRow(**batch.to_dict(), anchor_receipt=None))
        head.sealed_seq = batch.last_seq
        prev, prev_hash = batch, entries[-1].entry_hash
        sealed.append(batch)
    session.flush()
    return sealed


def proof_of(session: Session, seq: int) -> tuple[Batch | None, ItemProof | None]:
    """The sealed batch of entry ``seq`` and the entry's inclusion proof in it (both None while unsealed)."""
    batch = batch_of(session, seq)
    if batch is None:
        return None, None
    try:
        return batch, item_proof(batch, entries_between(session, batch.first_seq, batch.last_seq), seq)
    except LedgerError:
        return batch, None  # the batch's rows are incomplete: verify_item reports the proof as invalid


# -- evidence records against their entries ------------------------------------------------------------------------


_UUID_FIELDS = frozenset({"case_id", "source_id", "officer_id", "uploaded_by_id"})


def _uid(value: Any) -> str:
    """A UUID as canonical text: from a UUID object, or from SQLite's stored 32-digit hex (read without conversion)."""
    if type(value) is str and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _meta_text(meta: Sequence[Any]) -> str:
    """The canonical JSON of the META_FIELDS values (in that order) for the types the columns hold; anything else
    raises (TypeError, AttributeError) and takes the general path."""
    (case_id, source_id, origin, title, description, filename, mime, lng, lat, address, device, officer_id,
     uploaded_by_id, uploaded_by_name) = meta  # fmt: skip
    q, n = encode_basestring, "null"
    address = n if address is None else q(address)
    case_id = n if case_id is None else f'"{_uid(case_id)}"'
    description = n if description is None else q(description)
    device = n if device is None else q(device)
    lat = n if lat is None else float.__repr__(lat)
    lng = n if lng is None else float.__repr__(lng)
    officer_id = n if officer_id is None else f'"{_uid(officer_id)}"'
    origin = q(origin if type(origin) is str else origin.value)
    source_id = n if source_id is None else f'"{_uid(source_id)}"'
    uploaded_by_id = n if uploaded_by_id is None else f'"{_uid(uploaded_by_id)}"'
    return (
        f'{{"address":{address},"case_id":{case_id},"description":{description},"device":{device},'
        f'"filename":{q(filename)},"lat":{lat},"lng":{lng},"mime":{q(mime)},"officer_id":{officer_id},'
        f'"origin":{origin},"source_id":{source_id},"title":{q(title)},"uploaded_by_id":{uploaded_by_id},'
        f'"uploaded_by_name":{q(uploaded_by_name)}}}'
    )


def _meta_digest_of(row: Sequence[Any]) -> str | None:
    """``meta_digest(item_meta(...))`` of a record given as ITEM_COLUMNS values, None when it does not even encode.

    Spelled out for the full verification (100,000 records): the same bytes as ``canonical_json`` — keys in sorted
    order, the same string escaper, floats as ``json`` writes them — several times faster; other value types take
    the general path."""
    offset = len(ITEM_COLUMNS) - len(META_FIELDS)
    try:
        return hashlib.sha256(META_DOMAIN + _meta_text(row[offset:]).encode("utf-8")).hexdigest()
    except (TypeError, AttributeError, ValueError, UnicodeEncodeError):
        pass
    values = dict(zip(META_FIELDS, row[offset:], strict=True))
    for name in _UUID_FIELDS:
        if values[name] is not None:
            values[name] = _uid(values[name])
    try:
        return meta_digest(item_meta(values))
    except LedgerError:
        return None


def _captured_text(value: Any) -> str | None:
    """The capture time in the ledger's text form; SQLite's stored text ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) is
    rewritten without parsing, anything else goes through ``iso_utc``."""
    if type(value) is str:
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}+00:00"
        try:
            value = datetime.fromisoformat(value).replace(tzinfo=UTC)
        except ValueError:
            return None
    try:
        return iso_utc(value)
    except LedgerError:
        return None


def item_break(entry: Entry, row: Sequence[Any] | None) -> Break | None:
    """Whether the evidence record (``row``: its ITEM_COLUMNS values, None if absent) still says what its ledger
    entry recorded: the same item, digests, size, kind, capture time and metadata."""
    seq = entry.seq
    if row is None or row[0] is None:
        return Break(seq, entry.item_id, Reason.ITEM_MISSING, f"序号 {seq} 的证据登记记录缺失（已被删除）")
    item_id, sha256, sm3, size, kind, captured_at = row[:6]
    if _uid(item_id) != entry.item_id:
        return Break(seq, entry.item_id, Reason.ITEM_ALTERED, f"序号 {seq} 的账本记录指向的证据编号与证据登记不符")
    if (sha256, sm3, size, _plain(kind)) != (entry.sha256, entry.sm3, entry.size, entry.kind):
        return Break(seq, entry.item_id, Reason.ITEM_ALTERED, f"序号 {seq} 的证据登记的摘要、大小或类型与账本不符")
    if _captured_text(captured_at) != entry.captured_at:
        return Break(seq, entry.item_id, Reason.ITEM_ALTERED, f"序号 {seq} 的证据采集时间与账本不符（已被改动）")
    if _meta_digest_of(row) != entry.meta_digest:
        message = f"序号 {seq} 的证据描述信息（案件、地点、设备、采集人等）与账本不符（已被改动）"
        return Break(seq, entry.item_id, Reason.ITEM_ALTERED, message)
    return None


def _item_row(item: EvidenceItem) -> tuple[Any, ...]:
    return tuple(getattr(item, c.key) for c in ITEM_COLUMNS)


def meta_of(item: EvidenceItem) -> dict[str, Any]:
    """The metadata of an item object, as its ledger entry's ``meta_digest`` covers it."""
    return item_meta({name: getattr(item, name) for name in META_FIELDS})


def verify_one(session: Session, store: BlobStore | None, item: EvidenceItem) -> VerifyReport:
    """One item: its entry's hash and link to the entry before, its stored file, its Merkle proof (once sealed),
    and its record against the entry."""
    seq = item.ledger_seq
    entry = entry_at(session, seq)
    if entry is None:
        brk = Break(seq, str(item.id), Reason.SEQUENCE_GAP, f"序号 {seq} 的账本记录缺失（已被删除）")
        return VerifyReport(False, 0, brk)
    prev = entry_at(session, seq - 1) if seq > 1 else None
    if seq > 1 and prev is None:
        return VerifyReport(False, 0, Break(seq - 1, None, Reason.SEQUENCE_GAP, f"序号 {seq - 1} 的账本记录缺失"))
    if seq == 1 and entry.prev_hash != GENESIS_HASH:
        brk = Break(1, entry.item_id, Reason.CHAIN_BROKEN, "首条记录的前序哈希不是创世值（前序记录被替换）")
        return VerifyReport(False, 0, brk)
    batch, proof = proof_of(session, seq)
    report = verify_item(
        entry, prev=prev, blob_digests=store.digests if store else None, proof=proof if batch else None, batch=batch
    )
    if not report.ok:
        return report
    brk = item_break(entry, _item_row(item))
    return replace(report, ok=False, checked=0, first_break=brk) if brk else report


# -- the whole ledger ----------------------------------------------------------------------------------------------


def entry_rows(
    session: Session, first_breaks: list[Break], check_items: bool, first: int = 1, last: int | None = None
) -> Iterator[Entry]:
    """The entries in seq order (from ``first``, up to ``last`` when given), read a page at a time; each one's record
    is compared on the way (first break kept)."""
    width = len(ENTRY_COLUMNS)
    # Ids, capture times and enums as stored (SQLite's text, PostgreSQL's uuid and timestamptz): _uid, _captured_text
    # and _plain read them without building a UUID, a datetime and an Enum per column.
    text = _UUID_FIELDS | {"id", "captured_at", "kind", "origin"}
    raw = [type_coerce(c, String).label(c.key) if c.key in text else c for c in ITEM_COLUMNS]
    statement = select(*ENTRY_COLUMNS, *(raw if check_items else ())).select_from(L)
    if check_items:
        statement = statement.outerjoin(It, It.ledger_seq == L.seq)
    if last is not None:
        statement = statement.where(L.seq <= last)
    connection = session.connection()  # Core rows: the ORM's per-row bookkeeping is a third of the pass
    after = None if first <= 1 else first - 1  # from the start: every row, even a seq tampered below 1
    while True:
        page = statement if after is None else statement.where(L.seq > after)
        rows = connection.execute(page.order_by(L.seq).limit(READ_CHUNK)).all()
        for row in rows:
            entry = Entry(*row[:width])
            if check_items and not first_breaks:
                brk = item_break(entry, row[width:])
                if brk is not None:
                    first_breaks.append(brk)
            yield entry
        if len(rows) < READ_CHUNK:
            return
        after = rows[-1][0]
