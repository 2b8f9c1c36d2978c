"""core.bus wakes the followers of every process when a COMMIT writes what they follow — never for a rollback —
through PostgreSQL LISTEN/NOTIFY on PostgreSQL, Redis pub/sub when configured, this process alone otherwise."""

from __future__ import annotations

import socket
import threading

import pytest
from sqlalchemy import text

from chengguan.core import bus
from chengguan.core.db import Database

pytestmark = pytest.mark.commits  # two engines on one database, real commits


def _woken(channel_bus: bus.Bus, channel: str) -> threading.Event:
    flag = channel_bus.event(channel)
    return flag


def _write(db: Database, *, commit: bool) -> None:
    with db.session() as session:
        session.execute(text("UPDATE org_unit SET name = name WHERE 1 = 0"))  # a listed table: channel "data"
        session.commit() if commit else session.rollback()


def test_a_commit_wakes_the_listeners_and_a_rollback_does_not(settings):
    writer, listener = Database(settings.database_url), Database(settings.database_url)
    try:
        flag = _woken(listener.bus, "data")
        if listener.bus.shared:
            flag.wait(1.0)  # the listening connection is up before anything is sent
        flag.clear()
        _write(writer, commit=False)
        assert not flag.wait(0.5)
        _write(writer, commit=True)
        assert flag.wait(5), "no wake-up after the commit"
        assert listener.bus.shared == (writer.dialect == "postgresql")
    finally:
        writer.dispose()
        listener.dispose()


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_redis_carries_wake_ups_between_processes():
    one, two = bus.RedisBus("redis://127.0.0.1:6379/0"), bus.RedisBus("redis://127.0.0.1:6379/0")
    flag = two.event("positions")
    subscribed = threading.Event()
    for _ in range(50):  # until the subscriber's connection is listening
        one.after_commit({"positions"})
        if flag.wait(0.1):
            subscribed.set()
            break
    assert subscribed.is_set(), "Redis never delivered"
    flag.clear()
    one.after_commit({"auth"})
    assert not flag.wait(0.3)  # another channel
    one.after_commit({"positions"})
    assert flag.wait(5)
