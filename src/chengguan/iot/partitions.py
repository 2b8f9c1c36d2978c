"""Monthly partitions of ``iot_reading`` on PostgreSQL (a month of readings drops as one table, and a chart's time
range touches only its months); SQLite keeps one table. The migration makes a default partition and the months
around it; the bridge keeps ``AHEAD`` months ready (at start and hourly) so readings never land in the default."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)
AHEAD = 3


def _month(d: date, add: int) -> date:
    n = d.year * 12 + d.month - 1 + add
    return date(n // 12, n % 12 + 1, 1)


def partition_name(first: date) -> str:
    return f"iot_reading_p{first:%Y%m}"


def ensure_partitions(connection: Connection, now: datetime, *, back: int = 1, ahead: int = AHEAD) -> list[str]:
    """Create the missing month partitions from ``back`` months before ``now`` to ``ahead`` after (PostgreSQL only);
    the names created. A month whose rows already sit in the default partition is left there (logged)."""
    if connection.dialect.name != "postgresql":
        return []
    made = []
    for k in range(-back, ahead + 1):
        first, nxt = _month(now.date(), k), _month(now.date(), k + 1)
        name = partition_name(first)
        exists = connection.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar()
        if exists:
            continue
        try:
            with connection.begin_nested():
                connection.execute(
                    text(
                        f"CREATE TABLE {name} PARTITION OF iot_reading FOR VALUES FROM "
                        f"('{first.isoformat()}') TO ('{nxt.isoformat()}')"
                    )
                )
            made.append(name)
        except Exception as exc:  # rows of that month already in the default partition
            log.warning("partition %s not created: %s", name, exc)
    return made
