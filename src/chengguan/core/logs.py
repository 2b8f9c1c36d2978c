"""Log format: human-readable lines by default, one JSON object per line with ``CHENGGUAN_LOG_FORMAT=json`` (for a
central log system). A JSON line carries the time, level, logger and message, and for a request's lines its
request id, route template, status, duration and the acting user's id — ids and templates, never a path with its
ids, a query string, a name or an address (personal data stays in the audit log, where access to it is controlled).
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any

REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("chengguan_request", default=None)
FIELDS = ("request_id", "route", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = REQUEST.get() or {}
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = context.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def config(fmt: str, level: str = "INFO") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of the served app (uvicorn's loggers included) for ``fmt`` (text/json).

    With JSON, uvicorn's own access log is off: ``core.observe`` writes one line per request with the route
    template instead of the raw path (which carries ids and query strings)."""
    json_mode = fmt == "json"
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if json_mode
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    loggers: dict[str, Any] = {
        "uvicorn": {"level": level},
        "uvicorn.error": {"level": level},
        "uvicorn.access": {"level": "WARNING" if json_mode else level},
        "chengguan": {"level": level},
    }
    if not json_mode:  # uvicorn's coloured access lines, as before
        formatters: dict[str, Any] = {
            "main": formatter,
            "access": {"()": "uvicorn.logging.AccessFormatter",
                       "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'},
        }  # fmt: skip
        handlers = {"main": handler, "access": {**handler, "formatter": "access", "stream": "ext://sys.stdout"}}
        loggers["uvicorn.access"] |= {"handlers": ["access"], "propagate": False}
    else:
        formatters, handlers = {"main": formatter}, {"main": handler}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "handlers": handlers,
        "root": {"handlers": ["main"], "level": "WARNING"},
        "loggers": loggers,
    }
