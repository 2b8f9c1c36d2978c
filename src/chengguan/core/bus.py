"""Wake-ups between the processes of one deployment: "something committed on channel X".

What a process keeps in memory (the live positions index, cached principals, the command map's stream) follows the
database by counters it re-reads; the counters are the truth and are always polled. The bus only cuts the wait:
a commit that writes live positions, listed data or the authorisation epoch wakes every follower at once instead
of at its next poll, so a fix reaches every command screen in milliseconds and an idle follower can poll rarely.
A lost message costs nothing but that wait.

Which bus (``for_database``):

* ``CHENGGUAN_REDIS_URL`` set: Redis pub/sub, published after the commit (several machines, any database);
* PostgreSQL: LISTEN/NOTIFY on the database itself — ``pg_notify`` inside the writing transaction, delivered by
  PostgreSQL when it commits, never for a rollback;
* SQLite without Redis: this process only (one machine; the other workers of it find changes by polling).

Channels: ``positions`` (live positions), ``data`` (a table the working lists read), ``auth`` (the epoch).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

PREFIX = "chengguan_"
CHANNELS = ("positions", "data", "auth")
RETRY_S = 2.0


class Bus:
    """Local delivery; the base of the cross-process buses. ``shared`` tells whether other processes hear us."""

    shared = False

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed = False
        self.refs = 0
        self.listeners: dict[str, list[Callable[[], None]]] = {c: [] for c in CHANNELS}

    # --- publishing (from core.versions, inside or right after the writing transaction) ---

    def in_transaction(self, cursor: Any, channels: set[str]) -> None:
        """Called with the DBAPI cursor of the committing transaction (PostgreSQL: NOTIFY goes with the commit)."""

    def after_commit(self, channels: set[str]) -> None:
        self.deliver(channels)

    def deliver(self, channels: set[str]) -> None:
        with self.lock:
            callbacks = [cb for c in channels for cb in self.listeners.get(c, ())]
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a listener's bug must not break the writer or the other listeners
                log.exception("bus listener failed")

    # --- listening ---

    def subscribe(self, channel: str, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (from any thread, quickly) on every wake-up of ``channel``; returns the unsubscribe."""
        with self.lock:
            self.listeners[channel].append(callback)
        self.start()

        def unsubscribe() -> None:
            with self.lock:
                if callback in self.listeners[channel]:
                    self.listeners[channel].remove(callback)

        return unsubscribe

    def event(self, channel: str) -> threading.Event:
        """A thread-safe event set on every wake-up of ``channel`` (for a follower thread's wait)."""
        flag = threading.Event()
        self.subscribe(channel, flag.set)
        return flag

    def async_event(self, *channels: str) -> tuple[asyncio.Event, Callable[[], None]]:
        """An asyncio event of the running loop set on wake-ups of any of ``channels``, and its unsubscribe."""
        loop = asyncio.get_running_loop()
        flag = asyncio.Event()

        def wake() -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(flag.set)

        unsubscribes = [self.subscribe(channel, wake) for channel in channels]

        def unsubscribe() -> None:
            for undo in unsubscribes:
                undo()

        return flag, unsubscribe

    def start(self) -> None:
        """Start listening to other processes (nothing to do locally)."""

    def close(self) -> None:
        """Stop listening (its listening thread ends within a second)."""
        self.closed = True


class _ListeningBus(Bus):
    shared = True

    def __init__(self) -> None:
        super().__init__()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self.lock:
            if self._thread is None and not self.closed:
                self._thread = threading.Thread(target=self._run, name=f"bus-{type(self).__name__}", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self.closed:
            try:
                self.listen()
            except Exception:  # a restarted server or Redis: listen again; followers poll meanwhile
                if not self.closed:
                    log.warning("bus connection lost; listening again in %.0f s", RETRY_S, exc_info=True)
            if not self.closed:
                time.sleep(RETRY_S)

    def listen(self) -> None:
        raise NotImplementedError


class PostgresBus(_ListeningBus):
    """LISTEN/NOTIFY on the application's PostgreSQL database."""

    def __init__(self, url: str) -> None:
        super().__init__()
        parsed = make_url(url)
        self.conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)

    def in_transaction(self, cursor: Any, channels: set[str]) -> None:
        for channel in sorted(channels):
            cursor.execute(f"NOTIFY {PREFIX}{channel}")  # channel names are ours, never a caller's

    def after_commit(self, channels: set[str]) -> None:
        pass  # PostgreSQL delivers the NOTIFY to every listener, this process's included

    def listen(self) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            for channel in CHANNELS:
                connection.execute(f"LISTEN {PREFIX}{channel}")
            while not self.closed:
                for note in connection.notifies(timeout=1.0):
                    self.deliver({note.channel.removeprefix(PREFIX)})


class RedisBus(_ListeningBus):
    """Redis pub/sub (several machines; any database)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.url = url

    def after_commit(self, channels: set[str]) -> None:
        for channel in channels:
            try:
                self.client.publish(PREFIX + channel, b"")
            except Exception:  # Redis away: the other processes find the change at their next poll
                log.warning("bus: publish to Redis failed", exc_info=True)
                self.deliver({channel})
                return

    def listen(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=5)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(*(PREFIX + c for c in CHANNELS))
            while not self.closed:
                message = pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                channel = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
                self.deliver({channel.removeprefix(PREFIX)})
        finally:
            pubsub.close()
            client.close()


_buses: dict[tuple[str, str], Bus] = {}
_buses_lock = threading.Lock()


def _key(url: str, redis_url: str) -> tuple[str, str]:
    return make_url(url).render_as_string(hide_password=True), redis_url


def for_database(url: str, redis_url: str = "") -> Bus:
    """The bus of the processes sharing ``url`` (one object per process, counted: ``release`` when done)."""
    key = _key(url, redis_url)
    with _buses_lock:
        found = _buses.get(key)
        if found is None:
            if redis_url:
                found = RedisBus(redis_url)
            elif make_url(url).get_backend_name() == "postgresql":
                found = PostgresBus(url)
            else:
                found = Bus()
            _buses[key] = found
        found.refs += 1
        return found


def release(bus: Bus) -> None:
    """One user fewer (``Database.dispose``); the last one closes the bus (a test's dropped database copy leaves no
    thread listening to it)."""
    with _buses_lock:
        bus.refs -= 1
        if bus.refs > 0:
            return
        for key, found in list(_buses.items()):
            if found is bus:
                del _buses[key]
    bus.close()


def _redis_url() -> str:
    return os.environ.get("CHENGGUAN_REDIS_URL", "")


def for_url(url: str) -> Bus:
    """The bus for ``url`` as configured in this process's environment (``CHENGGUAN_REDIS_URL``); ``release`` it."""
    return for_database(url, _redis_url())


def lookup(url: str) -> Bus:
    """The bus a ``Database`` of this process holds for ``url``, without taking a share (a bus of this process
    alone if none does)."""
    with _buses_lock:
        return _buses.get(_key(url, _redis_url())) or Bus()
