"""The integrity checks behind ``chengguan verify-audit`` and ``verify-evidence``, which a restore must pass too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chengguan.audit.service import verify
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.evidence import service as evidence

if TYPE_CHECKING:
    from chengguan.evidence.verify import Break


@dataclass(frozen=True)
class Check:
    ok: bool
    message: str  # zh-CN, what was checked or the first break


def audit_check(db: Database) -> Check:
    """The audit hash chain from genesis to its head."""
    with db.session(write=False) as session:
        result = verify(session)
    if result.ok:
        return Check(True, f"审计链完整：共校验 {result.checked} 条记录。")
    broken = result.first_broken
    assert broken is not None
    return Check(False, f"审计链被破坏：第一条异常记录 seq={broken.seq} id={broken.id}：{broken.reason}")


def evidence_break(brk: Break) -> str:
    return f"证据存证被破坏：序号 {brk.seq}，证据 {brk.item_id or '—'}，原因 {brk.reason.value}：{brk.message}"


def evidence_check(db: Database, settings: Settings) -> Check:
    """The whole evidence ledger against the database and every stored file (SHA-256 and SM3 recomputed)."""
    with db.session(write=False) as session:
        check = evidence.verify_all(session, settings, files=True)
    report = check.report
    if report.first_break is not None:
        return Check(False, evidence_break(report.first_break))
    return Check(
        True,
        f"证据存证完整：已校验 {report.checked} 条账本记录、{report.blobs_checked} 个文件、"
        f"{report.batches_checked} 个批次，用时 {check.seconds:.2f} 秒。",
    )
