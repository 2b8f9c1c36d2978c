"""The SMS outbox as a list and as Excel (短信发件箱导出): one statement (newest first, optionally one number) for
both, each message read with the recipient's number masked — the file shows what the screen shows. The outbox is
platform-wide (the gateway's log, no unit), so its scope is the permission: 短信 or 审计 readers only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_export
from chengguan.core.masking import mask_phone
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import Out
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.notify.models import SmsMessage

PURPOSE_LABELS = {
    "document_delivery": "文书送达", "portal_login": "商户端登录验证码", "portal_claim": "店铺认领验证码",
    "shop_notice": "整改通知", "shop_notice_escalated": "整改逾期提醒", "iot_alarm": "物联告警通知",
}  # fmt: skip
STATUS_LABELS = {"sent": "已发送", "failed": "发送失败"}


class SmsOut(Out):
    id: uuid.UUID
    phone: str = Field(description="接收号码（脱敏显示）")
    body: str
    purpose: str
    adapter: str
    status: str
    error: str | None
    created_at: datetime


class SmsList(Out):
    items: list[SmsOut]
    total: int = Field(description="符合筛选条件的短信总数（列表只列出最近 limit 条）")


def statement(phone: str | None) -> Select[Any]:
    """The outbox, newest first; a number matches through its keyed hash (the column itself is encrypted)."""
    query = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id)
    return query.where(SmsMessage.phone_hash == phone) if phone else query


def reads(_session: Session, rows: list[SmsMessage]) -> list[SmsOut]:
    """Messages as the list shows them: the recipient's number masked like everywhere else."""
    out = [SmsOut.model_validate(m, from_attributes=True) for m in rows]
    return [m.model_copy(update={"phone": mask_phone(m.phone)}) for m in out]


def listed(session: Session, phone: str | None, limit: int) -> SmsList:
    query = statement(phone)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return SmsList(items=reads(session, list(session.scalars(query.limit(limit)))), total=total)


COLUMNS = (
    Column("发送时间", 17, "time"), Column("手机号码", 14), Column("用途", 16), Column("内容", 60), Column("状态", 10),
    Column("失败原因", 30), Column("通道", 10),
)  # fmt: skip


def _row(m: SmsOut) -> list[Any]:
    return [m.created_at, m.phone, PURPOSE_LABELS.get(m.purpose, m.purpose), m.body,
            STATUS_LABELS.get(m.status, m.status), m.error, m.adapter]  # fmt: skip


def export(session: Session, principal: StaffPrincipal, phone: str | None) -> StreamedBook:
    """Every matching message (the list shows the latest ``limit``), newest first, audited as ``sms_export``."""
    asked = {"phone": mask_phone(phone)} if phone else {}  # the audit log keeps no full number either
    return audited_export(session, principal, statement(phone), target="sms_export", title="短信发件箱",
                          columns=COLUMNS, reads=reads, row=_row, filters=asked)  # fmt: skip
