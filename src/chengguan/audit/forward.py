"""Every committed audit entry also sent to a central log system as an RFC 5424 syslog message (CHENGGUAN_AUDIT_SYSLOG).

Sent once the unit of work that wrote it commits (an entry rolled back with its request is never sent), by the
standard library's ``logging.handlers.SysLogHandler`` over UDP (or TCP, newline-framed, RFC 6587): facility authpriv,
severity warning for refusals and failed logins, notice otherwise; MSGID is the action, MSG the entry as exported
(audit.export) after a BOM (RFC 5424 §6.4). Delivery is best effort — a lost datagram is found again by
``chengguan audit-export --since-seq``; sending never fails the request.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import socket
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from chengguan.audit.export import entry_record, line
from chengguan.core.config import SyslogTarget, get_settings

PENDING = "audit_forward"  # session.info key: entries written in the unit of work, sent after its commit
APP_NAME = "chengguan"
NOTICE = 25  # between INFO and WARNING: mapped to syslog "notice" below
WARNED = ("access.refused", "auth.login_failed", "portal.login_failed")


class Rfc5424Formatter(logging.Formatter):
    """``1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - BOM MSG`` (the handler puts ``<PRI>`` in front)."""

    def __init__(self, *, trailer: str = "") -> None:
        super().__init__()
        self.hostname = (socket.gethostname() or "-")[:255]
        self.trailer = trailer

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        msgid = _ascii(getattr(record, "msgid", "-"))[:32] or "-"
        return f"1 {stamp} {self.hostname} {APP_NAME} {os.getpid()} {msgid} - \ufeff{record.getMessage()}{self.trailer}"


def _ascii(text: str) -> str:
    return "".join(c for c in text if 33 <= ord(c) <= 126)


class Forwarder:
    """A SysLogHandler to one target, opened on first use (a collector that is down costs one logged error)."""

    def __init__(self, target: SyslogTarget) -> None:
        self.target = target
        self.logger = logging.getLogger(f"chengguan.audit.syslog.{target.host}:{target.port}")
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self._handler: logging.handlers.SysLogHandler | None = None

    def _open(self) -> logging.handlers.SysLogHandler:
        if self._handler is None:
            handler = logging.handlers.SysLogHandler(
                address=(self.target.host, self.target.port),
                facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV,
                socktype=socket.SOCK_STREAM if self.target.tcp else socket.SOCK_DGRAM,
            )
            handler.append_nul = False  # RFC 5424 has no NUL terminator
            handler.priority_map = {**handler.priority_map, "NOTICE": "notice"}
            handler.setFormatter(Rfc5424Formatter(trailer="\n" if self.target.tcp else ""))
            self.logger.addHandler(handler)
            self._handler = handler
        return self._handler

    def send(self, record: dict[str, Any]) -> None:
        try:
            self._open()
        except OSError:
            logging.getLogger("chengguan").exception("audit syslog %s unreachable", self.target)
            return
        level = logging.WARNING if record.get("action") in WARNED else NOTICE
        self.logger.log(level, line(record), extra={"msgid": record.get("action", "-")})

    def close(self) -> None:
        if self._handler is not None:
            self.logger.removeHandler(self._handler)
            self._handler.close()
            self._handler = None


logging.addLevelName(NOTICE, "NOTICE")


class _State:
    configured = False
    forwarder: Forwarder | None = None


def configure(target: SyslogTarget | None) -> None:
    """Send to ``target`` from now on (None: send nothing). The process's settings apply until this is called."""
    if _State.forwarder is not None:
        _State.forwarder.close()
    _State.forwarder = Forwarder(target) if target is not None else None
    _State.configured = True


def current() -> Forwarder | None:
    if not _State.configured:
        configure(get_settings().syslog)
    return _State.forwarder


def remember(session: Session, entry: Any) -> None:
    """Note an entry just written, to be sent once ``session`` commits (only when a target is configured)."""
    if current() is not None:
        session.info.setdefault(PENDING, []).append(entry)


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    forwarder = _State.forwarder
    if not pending or forwarder is None:
        return
    for entry in pending:
        if inspect(entry).has_identity:  # one rolled back with a savepoint lost its identity: never committed
            forwarder.send(entry_record(entry))


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the unit of work itself (a savepoint's entries lose their identity)
        session.info.pop(PENDING, None)
