"""Rendered list pages reused while nothing they may show has changed: the working lists officers and the command
centre reload all day (案件列表, 案源列表, 我的任务).

A page is kept under everything it depends on: the route and its query, who asks (the principal's unit, officer
card, permissions and data scopes — a page is never served to someone it was not rendered for), the data version
(core.versions: it moves at the COMMIT of every write to a listed table, read at the start of each request so a
client always sees its own committed writes), any further counters the route names (live positions for the
distance to a task), and the clock at the route's grain (the day for case deadlines, the second for countdowns).
Reading the version is one primary-key row; a page costs a dozen queries. The routes using it are asynchronous and
take no session of their own: a page found costs no thread-pool hop on SQLite.

A page found is answered by the front door (``FrontDoor``, a pure ASGI layer inside the logging, metrics, body
limit and security headers): the principal from identity's cache, the counters, the key and the bytes, without
FastAPI's routing, dependencies and query validation, which cost several times all the rest. It answers only what
the route would answer the same way: a page sits under the raw query string and every permission and scope of the
principal, so it exists only if that query passed validation and that principal the route's checks; anything else
(no page, a principal not in memory, a password change pending, an error) goes on to the route.

On SQLite the counters are read on a connection of their own in autocommit (a local file read, no pool, no BEGIN);
on PostgreSQL in the thread pool on an autocommit connection of their own (one round trip), one read shared by the
requests that arrived before it began (``fresh``).

Off for a database bound to one connection (tests rolled back per test: a rollback can bring a version back)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from chengguan.core import clock, versions
from chengguan.core.db import Database
from chengguan.core.principals import StaffPrincipal

log = logging.getLogger(__name__)

MAX_PAGES = 4096
MAX_AGE_S = 60.0  # a safety net only: the version decides
JSON = "application/json"
Grain = Callable[[], Hashable]


def second() -> Hashable:
    """The grain of countdowns in seconds."""
    return int(clock.now().timestamp())


def forever() -> Hashable:
    """No clock in the page: only the version decides."""
    return 0


@dataclass(frozen=True)
class Front:
    """What the front door needs to find a route's pages without the route: its clock grain, its counters, and the
    route object (core.observe counts requests by its template)."""

    route: Any
    grain: Grain
    also: tuple[str, ...]


class ReadCache:
    """Rendered JSON bodies by key, least recently used dropped first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self.hits = self.misses = 0
        self.answered_at_door = 0  # of the hits, those the front door answered
        self.rendering: dict[Hashable, asyncio.Future[Any]] = {}  # pages being rendered (event loop only)
        self.reading: dict[Hashable, dict[str, Any]] = {}  # counter reads under way (event loop only)
        self.fronts: dict[str, Front] = {}  # request path → its route's page rules, once a page of it is kept
        self.local = threading.local()  # SQLite: each thread's counter connection
        self.connections: list[Any] = []  # every counter connection (closed with the database)
        self.idle: list[Any] = []  # PostgreSQL: counter connections not in use

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

    def close(self) -> None:
        with self.lock:
            connections, self.connections, self.idle = self.connections, [], []
            self.local = threading.local()
        for connection in connections:
            connection.close()


_caches: WeakKeyDictionary[Database, ReadCache] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_of(db: Database) -> ReadCache:
    """The cache of one database object (a test's private copy never meets another's pages)."""
    with _caches_lock:
        found = _caches.get(db)
        if found is None:
            found = _caches[db] = ReadCache()
            db.on_dispose(found.close)
        return found


def who(principal: StaffPrincipal) -> Hashable:
    """What of a principal decides what a list shows them."""
    return (principal.user_id, principal.unit_id, principal.officer_id, principal.permissions, principal.scopes,
            principal.custom_unit_ids)  # fmt: skip


def page_key(scope: Scope, principal: StaffPrincipal, now: tuple[int, ...], at: Hashable) -> Hashable:
    """The key of a page: the same for the route and the front door (raw path and query as the client sent them)."""
    return scope["path"], scope["query_string"], who(principal), now, at


_COUNTER_SQL: dict[tuple[str, ...], str] = {}


def _counter_sql(wanted: tuple[str, ...]) -> str:
    # keys are ours: constants of the code, never a caller's input, so the statement is built once per set of keys
    sql = _COUNTER_SQL.get(wanted)
    if sql is None:
        sql = _COUNTER_SQL[wanted] = "SELECT key, value FROM counter WHERE key IN ({})".format(
            ", ".join(f"'{k}'" for k in wanted)
        )
    return sql


def _in_order(wanted: tuple[str, ...], rows: list[Any]) -> tuple[int, ...]:
    found = {k: int(v) for k, v in rows}
    return tuple(found.get(k, 0) for k in wanted)


def counters(db: Database, keys: tuple[str, ...]) -> tuple[int, ...]:
    """The data version and the named counters, in one read on a plain pooled connection."""
    wanted = (versions.KEY, *keys)
    with db.engine.connect() as connection:
        return _in_order(wanted, connection.exec_driver_sql(_counter_sql(wanted)).fetchall())


def _sqlite_file(db: Database) -> str | None:
    url = db.engine.url
    name = url.database
    return name if name and name != ":memory:" and not url.query and not name.startswith("file:") else None


def sqlite_counters(db: Database, keys: tuple[str, ...]) -> tuple[int, ...]:
    """The same on SQLite, on this thread's own connection in autocommit: each SELECT is a read transaction of its
    own, so it sees every COMMIT made before it — without the pool, the engine's events and a BEGIN/ROLLBACK."""
    path = _sqlite_file(db)
    if path is None:
        return counters(db, keys)
    cache = cache_of(db)
    connection: sqlite3.Connection | None = getattr(cache.local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        with cache.lock:
            cache.connections.append(connection)
        cache.local.connection = connection
    wanted = (versions.KEY, *keys)
    return _in_order(wanted, connection.execute(_counter_sql(wanted)).fetchall())


def server_counters(db: Database, keys: tuple[str, ...]) -> tuple[int, ...]:
    """The same on a database server, on a connection of its own in autocommit: one round trip, where a pooled
    connection costs a ping, the SELECT and a ROLLBACK. A connection that failed is dropped and the read tried once
    on a new one (a restarted server)."""
    cache = cache_of(db)
    wanted = (versions.KEY, *keys)
    with cache.lock:
        connection = cache.idle.pop() if cache.idle else None
    for attempt in (1, 2):
        if connection is None:
            cargs, cparams = db.engine.dialect.create_connect_args(db.engine.url)
            connection = db.engine.dialect.connect(*cargs, **cparams)
            connection.autocommit = True
            with cache.lock:
                cache.connections.append(connection)
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(_counter_sql(wanted))
                rows = cursor.fetchall()
            finally:
                cursor.close()
            break
        except Exception:
            with cache.lock:
                if connection in cache.connections:
                    cache.connections.remove(connection)
            with contextlib.suppress(Exception):
                connection.close()
            connection = None
            if attempt == 2:
                raise
    with cache.lock:
        cache.idle.append(connection)
    return _in_order(wanted, rows)


async def current(db: Database, keys: tuple[str, ...]) -> tuple[int, ...]:
    """The counters as committed now: SQLite on the event loop (a local file read); PostgreSQL (a round trip) in
    the thread pool, one read for all the requests that came before it began."""
    if db.dialect == "sqlite":
        return sqlite_counters(db, keys)
    return await fresh(cache_of(db).reading, keys, lambda: run_in_threadpool(server_counters, db, keys))


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
    grain: Grain,
    also: tuple[str, ...] = (),
) -> Response:
    """The page ``render`` makes (in a read-only session of its own), from this process's cache when nothing it
    depends on moved since it was made (``grain()``: the clock at the page's grain, ``also``: further counters)."""
    db: Database = request.app.state.db
    if db.bound is not None:
        return Response(await run_in_threadpool(_render, db, render), media_type=JSON)
    at = grain()
    now = await current(db, also)
    cache = cache_of(db)
    scope = request.scope
    key = page_key(scope, principal, now, at)
    body = cache.get(key)
    if body is None:
        body = await single_flight(cache.rendering, key, lambda: run_in_threadpool(_render, db, render))
        cache.put(key, body)
        if scope["path"] not in cache.fronts:
            cache.fronts[scope["path"]] = Front(scope.get("route"), grain, also)
    return Response(body, media_type=JSON)


RememberedStaff = Callable[[Any, "str | None"], "StaffPrincipal | None"]


class FrontDoor:
    """Answers a GET whose page is kept before routing (see the module's text); everything else goes on."""

    def __init__(self, app: ASGIApp, *, fastapi_app: Any, remembered: RememberedStaff) -> None:
        self.app, self.fastapi_app, self.remembered = app, fastapi_app, remembered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = await self._page(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        body, front, principal, cache = found
        cache.answered_at_door += 1
        scope["route"] = front.route  # core.observe: counted under the route's template
        scope.setdefault("state", {})["user_id"] = str(principal.user_id)  # the JSON access log's user
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", JSON.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _page(self, scope: Scope) -> tuple[bytes, Front, StaffPrincipal, ReadCache] | None:
        db: Database = self.fastapi_app.state.db
        cache = _caches.get(db)
        front = cache.fronts.get(scope["path"]) if cache is not None else None
        if cache is None or front is None or db.bound is not None:
            return None
        authorization = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        principal = self.remembered(self.fastapi_app, authorization.decode("latin-1") if authorization else None)
        if principal is None:
            return None
        at = front.grain()
        try:
            now = await current(db, front.also)
        except Exception:  # the route reads them again and answers the problem as it always does
            log.debug("read cache: counters not read at the front door", exc_info=True)
            return None
        body = cache.get(page_key(scope, principal, now, at))
        return None if body is None else (body, front, principal, cache)


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


async def fresh(pending: dict[Hashable, dict[str, Any]], key: Hashable, make: Callable[[], Awaitable[Any]]) -> Any:
    """The result of a ``make()`` that began after this call, shared with every caller that came before it began.

    A read of what is committed must not be older than its request (a client sees its own writes): a read already
    under way may predate the caller, so the caller waits for the next one, which starts as that one ends and
    serves all who came meanwhile. Fifty clients on PostgreSQL then cost one or two round trips at a time, not
    fifty thread-pool hops and pool checkouts."""
    loop = asyncio.get_running_loop()
    key = (id(loop), key)
    slot = pending.get(key)
    if slot is None:
        future: asyncio.Future[Any] = loop.create_future()
        _start_read(pending, key, make, future)
    else:
        future = slot["next"]
        if future is None:
            future = slot["next"] = loop.create_future()
    return await asyncio.shield(future)


def _start_read(pending: dict[Hashable, dict[str, Any]], key: Hashable, make: Callable[[], Awaitable[Any]],
                future: asyncio.Future[Any]) -> None:  # fmt: skip
    slot: dict[str, Any] = {"next": None}
    pending[key] = slot
    task = asyncio.ensure_future(make())

    def done(finished: asyncio.Future[Any]) -> None:
        waiting = slot["next"]
        if waiting is not None:
            _start_read(pending, key, make, waiting)  # at once: whoever comes now waits for a read begun after them
        else:
            del pending[key]
        if finished.cancelled():
            future.cancel()
        elif finished.exception() is not None:
            future.set_exception(finished.exception())  # type: ignore[arg-type]
        else:
            future.set_result(finished.result())

    task.add_done_callback(done)
