"""Run-once claims for background work shared by several processes and machines on one database.

A job that every worker schedules (the 督办 sweeps every minute, the daily backup) is cut into numbered slots — the
minute, the day — and a process runs a slot only after claiming it: one conditional UPDATE of the job's row in the
``counter`` table (``value`` = the last slot claimed) that succeeds for exactly one claimer, whatever the number of
workers, on SQLite and PostgreSQL alike. Nothing is held while the job runs, so a process that dies mid-run blocks
no one: the slot is lost and the next slot runs as usual (the jobs are idempotent sweeps). A job that must not lose
its slot on failure (the backup) gives it back with ``release``."""

from __future__ import annotations

from sqlalchemy import text

from chengguan.core.db import Database

_ENSURE = text("INSERT INTO counter (key, value) VALUES (:k, 0) ON CONFLICT (key) DO NOTHING")
_CLAIM = text("UPDATE counter SET value = :slot WHERE key = :k AND value < :slot")
_RELEASE = text("UPDATE counter SET value = :slot - 1 WHERE key = :k AND value = :slot")


def key(job: str) -> str:
    return f"job:{job}"


def claim(db: Database, job: str, slot: int) -> bool:
    """Claim ``slot`` of ``job`` for this process; True for exactly one claimer of each slot."""
    with db.session(write=True) as session, session.begin():
        session.execute(_ENSURE, {"k": key(job)})
        return session.execute(_CLAIM, {"k": key(job), "slot": slot}).rowcount == 1


def release(db: Database, job: str, slot: int) -> None:
    """Give back a slot claimed by this process whose work failed (the next check may claim it again)."""
    with db.session(write=True) as session, session.begin():
        session.execute(_RELEASE, {"k": key(job), "slot": slot})
