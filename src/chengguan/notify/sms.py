"""Sending text messages through a gateway adapter; every message lands in the outbox table whatever happens.

No SMS gateway can be reached from here, so the default adapter (``outbox``) is the working local implementation:
it accepts any mainland mobile number and the outbox table is where the message can be read (短信发件箱).
A deployment plugs a carrier's gateway in by registering another ``SmsGateway`` under a name and setting
``CHENGGUAN_SMS_ADAPTER``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.notify.models import SmsMessage

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class SmsError(Exception):
    """The gateway did not take the message (the caller falls back to another channel)."""


class SmsGateway(Protocol):
    name: str

    def send(self, phone: str, body: str) -> str:
        """Hand the message to the carrier; return its message id, raise SmsError when refused."""
        ...


class OutboxGateway:
    """The local gateway: accepts every valid mainland mobile number except those configured as unreachable."""

    name = "outbox"

    def __init__(self, unreachable: frozenset[str] = frozenset()) -> None:
        self.unreachable = unreachable

    def send(self, phone: str, body: str) -> str:
        if not MOBILE.match(phone):
            raise SmsError("手机号码格式不正确")
        if phone in self.unreachable:
            raise SmsError("短信网关返回：号码不可达")
        return f"local-{uuid.uuid4().hex[:16]}"


GATEWAYS: dict[str, Callable[[Settings], SmsGateway]] = {
    "outbox": lambda s: OutboxGateway(frozenset(p.strip() for p in s.sms_unreachable.split(",") if p.strip())),
}


def gateway(settings: Settings) -> SmsGateway:
    return GATEWAYS[settings.sms_adapter](settings)


def send(
    session: Session, settings: Settings, phone: str, body: str, *, purpose: str, ref_id: uuid.UUID | None = None
) -> SmsMessage:
    """Send and record; a refused message is recorded as failed (status, error), never raised."""
    sender = gateway(settings)
    message = SmsMessage(phone=phone, body=body, purpose=purpose, ref_id=ref_id, adapter=sender.name, status="sent")
    try:
        message.gateway_id = sender.send(phone, body)
    except SmsError as exc:
        message.status, message.error = "failed", str(exc)[:500]
    session.add(message)
    session.flush()
    return message
