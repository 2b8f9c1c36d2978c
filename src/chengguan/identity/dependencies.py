"""How identity checks a bearer token for the routes (core.access declares the dependencies routers use)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from chengguan.core import clock
from chengguan.core.access import client_ip
from chengguan.core.config import Settings
from chengguan.core.db import SAFE_METHODS, Database
from chengguan.core.errors import Forbidden, Unauthenticated
from chengguan.core.principals import PrincipalType, StaffPrincipal
from chengguan.core.security import token_digest
from chengguan.identity import auth, epoch
from chengguan.identity.principal_cache import Entry, cache_for
from chengguan.kit.readcache import single_flight

STAFF_ONLY = "该账号类型不能访问执法端接口"
_resolving: dict = {}  # (database, token digest) → its resolution under way (event loop only)
ENTRY = "principal_entry"  # request.state: the cache entry behind the principal (/auth/me keeps its view there)


def valid_token(
    request: Request,
    session: Session,
    settings: Settings,
    credentials: HTTPAuthorizationCredentials | None,
    kind: PrincipalType,
    refusal: str,
) -> auth.AuthToken:
    """The caller's live token of principal type ``kind`` (its idle clock moved on); 401 without one, 403
    (``refusal``) for a token of another type."""
    raw = _raw(credentials)
    valid = auth.check_token(session, settings, raw)
    if valid.token.principal_type is not kind:
        raise Forbidden(refusal, code="auth.wrong_principal_type")
    if valid.needs_touch:
        if request.method in SAFE_METHODS:
            # A read's unit of work is read-only (deferred on SQLite): record activity in a short write of its own.
            db: Database = request.app.state.db
            with db.session(write=True) as writer, writer.begin():
                auth.touch(writer, valid.token.id)
        else:
            # A write request already holds the write lock (SQLite BEGIN IMMEDIATE): a second writer would wait on it.
            auth.touch(session, valid.token.id)
    return valid.token


def _raw(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("请先登录")
    return credentials.credentials


async def authenticate_staff(request: Request, credentials: HTTPAuthorizationCredentials | None) -> StaffPrincipal:
    """core.access.StaffAuthenticator: the staff principal behind a live staff token — from this process's cache
    when it may answer (identity.principal_cache), else from the database in a session of its own."""
    digest = token_digest(_raw(credentials))
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    cache = cache_for(db)
    entry = cache.get(digest, settings, clock.now()) if cache is not None else None
    if entry is None:
        # One database resolution per token at a time: when a token's minute is up, its concurrent requests wait
        # for the one that re-checks it instead of all asking the database.
        resolve = lambda: run_in_threadpool(_resolve, db, settings, digest)  # noqa: E731
        entry = await single_flight(_resolving, (id(db), digest), resolve)
    setattr(request.state, ENTRY, entry)
    request.state.user_id = str(entry.principal.user_id)  # the JSON access log's user (core.observe)
    return replace(entry.principal, ip=client_ip(request))


def remembered_staff(app: Any, authorization: str | None) -> StaffPrincipal | None:
    """The staff principal this process resolved lately for an ``Authorization`` header, when the cache may answer
    and the route's checks would not refuse it for being pending a password change; None sends the request the
    ordinary way (kit.readcache's front door: no database, no refusal decided here)."""
    scheme, _, raw = (authorization or "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return None
    cache = cache_for(app.state.db)
    entry = cache.get(token_digest(raw), app.state.settings, clock.now()) if cache is not None else None
    if entry is None or entry.principal.must_change_password:
        return None
    return entry.principal


def _resolve(db: Database, settings: Settings, digest: str) -> Entry:
    """The database path: check the token, resolve its principal, record the use, remember the result."""
    cache = cache_for(db)
    now = clock.now()
    with db.session(write=False) as session:
        # The epoch first: a change committed after this read leaves the entry with an older epoch (not trusted).
        current = epoch.read(session)
        valid = auth.check_digest(session, settings, digest)
        if valid.token.principal_type is not PrincipalType.staff:
            raise Forbidden(STAFF_ONLY, code="auth.wrong_principal_type")
        principal = auth.staff_principal(session, valid.token, None)
        token = valid.token
        entry = Entry(principal, token.id, clock.as_utc(token.expires_at), clock.as_utc(token.last_used_at), current)
    if valid.needs_touch:
        entry.last_used_at = now
        if cache is None:  # tests on one connection: write it now, as before the cache
            with db.session(write=True) as writer, writer.begin():
                auth.touch(writer, token.id)
        else:
            cache.touched(token.id, now)
    if cache is not None:
        cache.put(digest, entry)
    return entry
