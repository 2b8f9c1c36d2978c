"""Rendered list pages reused while nothing they may show has changed: the working lists officers and the command
centre reload all day (案件列表, 案源列表, 我的任务).

A page is kept under everything it depends on: the route and its query, who asks (the principal's unit, officer
card, permissions and data scopes — a page is never served to someone it was not rendered for), the data version
(core.versions: it moves at the COMMIT of every write to a listed table, read at the start of each request so a
client always sees its own committed writes), any further counters the route names (live positions for the
distance to a task), and the clock at the route's grain (the day for case deadlines, the second for countdowns).
Reading the version is one primary-key row; a page costs a dozen queries. The routes using it are asynchronous and
take no session of their own: a page found costs no thread-pool hop on SQLite.

Off for a database bound to one connection (tests rolled back per test: a rollback can bring a version back)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from chengguan.core import versions
from chengguan.core.db import Database
from chengguan.core.principals import StaffPrincipal

MAX_PAGES = 4096
MAX_AGE_S = 60.0  # a safety net only: the version decides
JSON = "application/json"


class ReadCache:
    """Rendered JSON bodies by key, least recently used dropped first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self.hits = self.misses = 0
        self.rendering: dict[Hashable, asyncio.Future[Any]] = {}  # pages being rendered (event loop only)

    def get(self, key: Hashable) -> bytes | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None or time.monotonic() - found[0] > MAX_AGE_S:
                self.misses += 1
                return None
            self.pages.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: Hashable, body: bytes) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic(), body)
            self.pages.move_to_end(key)
            while len(self.pages) > MAX_PAGES:
                self.pages.popitem(last=False)


_caches: WeakKeyDictionary[Database, ReadCache] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_of(db: Database) -> ReadCache:
    """The cache of one database object (a test's private copy never meets another's pages)."""
    with _caches_lock:
        found = _caches.get(db)
        if found is None:
            found = _caches[db] = ReadCache()
        return found


def who(principal: StaffPrincipal) -> Hashable:
    """What of a principal decides what a list shows them."""
    return (principal.user_id, principal.unit_id, principal.officer_id, principal.permissions, principal.scopes,
            principal.custom_unit_ids)  # fmt: skip


_COUNTER_SQL: dict[tuple[str, ...], str] = {}


def counters(db: Database, keys: tuple[str, ...]) -> tuple[int, ...]:
    """The data version and the named counters, in one read on a plain pooled connection (keys are ours: constants
    of the code, never a caller's input, so the statement is built once per set of keys)."""
    wanted = (versions.KEY, *keys)
    sql = _COUNTER_SQL.get(wanted)
    if sql is None:
        sql = _COUNTER_SQL[wanted] = "SELECT key, value FROM counter WHERE key IN ({})".format(
            ", ".join(f"'{k}'" for k in wanted)
        )
    with db.engine.connect() as connection:
        found = {k: int(v) for k, v in connection.exec_driver_sql(sql).fetchall()}
    return tuple(found.get(k, 0) for k in wanted)


def _render(db: Database, render: Callable[[Session], BaseModel]) -> bytes:
    with db.session(write=False) as session:
        body = render(session).model_dump_json().encode()
        session.commit()
    return body


async def respond(
    request: Request,
    principal: StaffPrincipal,
    render: Callable[[Session], BaseModel],
    *,
    grain: Hashable,
    also: tuple[str, ...] = (),
) -> Response:
    """The page ``render`` makes (in a read-only session of its own), from this process's cache when nothing it
    depends on moved since it was made. A page found costs one counter read and no thread-pool hop on SQLite (a
    local file read); on PostgreSQL the read (a network round trip) goes to the thread pool."""
    db: Database = request.app.state.db
    if db.bound is not None:
        return Response(await run_in_threadpool(_render, db, render), media_type=JSON)
    if db.dialect == "sqlite":
        now = counters(db, also)
    else:
        now = await run_in_threadpool(counters, db, also)
    cache = cache_of(db)
    key = (request.url.path, request.url.query, who(principal), now, grain)
    body = cache.get(key)
    if body is None:
        body = await single_flight(cache.rendering, key, lambda: run_in_threadpool(_render, db, render))
        cache.put(key, body)
    return Response(body, media_type=JSON)


async def single_flight(pending: dict[Hashable, asyncio.Future[Any]], key: Hashable,
                        make: Callable[[], Awaitable[Any]]) -> Any:  # fmt: skip
    """``make()`` once for all the callers that ask for ``key`` at the same time (the event loop's tasks): when a
    page's second or version turns, fifty clients would otherwise render the same page fifty times at once."""
    loop = asyncio.get_running_loop()
    key = (id(loop), key)  # a future belongs to its loop (one per worker; tests may run several at once)
    running = pending.get(key)
    if running is not None:
        return await asyncio.shield(running)
    future: asyncio.Future[Any] = loop.create_future()
    pending[key] = future
    try:
        result = await make()
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
        raise
    else:
        future.set_result(result)
        return result
    finally:
        del pending[key]
