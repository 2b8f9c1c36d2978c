"""Rendered list pages reused while nothing they may show has changed: the working lists officers and the command
centre reload all day (案件列表, 案源列表, 我的任务).

A page is kept under everything it depends on: the route and its query, who asks (the principal's unit, officer
card, permissions and data scopes — a page is never served to someone it was not rendered for), the data version
(core.versions: it moves at the COMMIT of every write to a listed table, read at the start of each request so a
client always sees its own committed writes), any further counters the route names (live positions for the
distance to a task), and the clock at the route's grain (the day for case deadlines, the second for countdowns).
Reading the version is one primary-key row; a page costs a dozen queries.

Off for a database bound to one connection (tests rolled back per test: a rollback can bring a version back)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from weakref import WeakKeyDictionary

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

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


def counters(session: Session, keys: tuple[str, ...]) -> tuple[int, ...]:
    """The data version and the named counters, in one read."""
    wanted = (versions.KEY, *keys)
    statement = text("SELECT key, value FROM counter WHERE key IN :keys").bindparams(bindparam("keys", expanding=True))
    found = {k: int(v) for k, v in session.execute(statement, {"keys": list(wanted)}).tuples()}
    return tuple(found.get(k, 0) for k in wanted)


def respond(
    request: Request,
    session: Session,
    principal: StaffPrincipal,
    render: Callable[[], BaseModel],
    *,
    grain: Hashable,
    also: tuple[str, ...] = (),
) -> Response:
    """The page ``render`` makes, from this process's cache when nothing it depends on moved since it was made."""
    db: Database = request.app.state.db
    if db.bound is not None:
        return Response(render().model_dump_json().encode(), media_type=JSON)
    cache = cache_of(db)
    key = (request.url.path, request.url.query, who(principal), counters(session, also), grain)
    body = cache.get(key)
    if body is None:
        body = render().model_dump_json().encode()
        cache.put(key, body)
    return Response(body, media_type=JSON)
