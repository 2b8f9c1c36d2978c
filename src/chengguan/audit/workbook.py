"""The audit log list as an Excel workbook (审计日志导出, .xlsx): the entries the log page shows for its filters (the
reader's scope, newest first), with the action and object types in Chinese; the export is itself an ``audit.export``
entry naming the filters and how many entries left. (The JSON lines of ``audit.export`` are for machines that
re-verify the chain; this is for people.)"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.audit.actions import ACTION_LABELS, TARGET_LABELS, VERB_LABELS
from chengguan.audit.export import line
from chengguan.audit.models import AuditEntry
from chengguan.audit.repository import AuditRepository
from chengguan.audit.schemas import AuditFilter, AuditRead
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.xlsx import Column, StreamedBook, export_query

COLUMNS = (
    Column("序号", 10, "int"), Column("时间", 17, "time"), Column("操作人", 14), Column("操作人类型", 10),
    Column("动作", 22), Column("动作代码", 26), Column("对象类型", 14), Column("对象编号", 38), Column("对象", 30),
    Column("IP 地址", 16), Column("摘要", 60), Column("哈希", 20),
)  # fmt: skip
ACTOR_TYPES = {"staff": "工作人员", "merchant": "商户", "public": "公众", "anonymous": "匿名", "system": "系统"}
CELL_MAX = 32_000  # an Excel cell holds 32,767 characters


def action_label(action: str) -> str:
    """``<object type>.<verb>`` in Chinese, as the log page names it (the code itself where neither is known)."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    target, _, verb = action.rpartition(".")
    if target in TARGET_LABELS and verb in VERB_LABELS:
        return f"{TARGET_LABELS[target]}：{VERB_LABELS[verb]}"
    return action


def workbook(session: Session, principal: StaffPrincipal, filters: AuditFilter) -> StreamedBook:
    """The matching readable entries, in the list's order, as a saved workbook whose export is itself audited."""
    repo = AuditRepository(session)
    statement = repo.search(principal, filters).order_by(*repo.order_by)

    def rows(batch: list[AuditEntry]) -> Iterable[Sequence[Any]]:
        return [_row(AuditRead.model_validate(e)) for e in batch]

    def audited(count: int) -> None:
        asked = filters.model_dump(mode="json", exclude_none=True)
        events.record(session, principal, "audit.export", "audit_log", None, f"审计日志导出（Excel，{count} 条）",
                      format="xlsx", entries=count, filters=asked)  # fmt: skip

    return export_query(session, statement, title="审计日志", columns=COLUMNS, noun="审计记录", rows=rows,
                        audited=audited)  # fmt: skip


def _row(e: AuditRead) -> list[Any]:
    summary = line(e.summary) if e.summary else ""
    return [
        e.seq, e.occurred_at, e.actor_name, ACTOR_TYPES.get(e.actor_type, e.actor_type), action_label(e.action),
        e.action, TARGET_LABELS.get(e.target_type, e.target_type), e.target_id, e.target_label, e.ip,
        summary[:CELL_MAX], e.hash,
    ]  # fmt: skip
