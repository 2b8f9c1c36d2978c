"""The token check that runs before a request body is read (core.limits): no live token, no body read.

A route needs a token when its dependencies include the bearer scheme (staff and outside principals alike); the
check is the one the route's own dependency makes later (known, unrevoked, unexpired, not idle), in a short
read-only session off the event loop. Principal type, permissions and the forced password change are left to
the route's dependency: they need the principal, and the body is small by then (its limit was checked first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import bindparam, select
from starlette.concurrency import run_in_threadpool

from chengguan.core import clock
from chengguan.core.access import bearer
from chengguan.core.db import Database
from chengguan.core.errors import DomainError, Unauthenticated
from chengguan.core.security import token_digest
from chengguan.identity import auth
from chengguan.identity.models import AuthToken
from chengguan.identity.principal_cache import cache_for

TOKEN_STATE = select(AuthToken.revoked_at, AuthToken.expires_at, AuthToken.last_used_at).where(
    AuthToken.token_hash == bindparam("digest")
)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


class BearerGate:
    """core.limits.TokenGate for the bearer tokens of identity.auth."""

    def guards(self, route: APIRoute) -> bool:
        return any(call is bearer for call in _calls(route.dependant))

    async def refusal(self, app: FastAPI, authorization: str | None) -> DomainError | None:
        scheme, _, raw = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return Unauthenticated("请先登录")
        db: Database = app.state.db
        settings = app.state.settings
        digest = token_digest(raw.strip())
        cache = cache_for(db)
        if cache is not None and cache.get(digest, settings, clock.now()) is not None:
            return None  # resolved lately and nothing changed since (identity.principal_cache)

        def check() -> DomainError | None:
            # One indexed row by a plain connection: no ORM session for a check the route repeats anyway.
            with db.connect() as connection:
                row = connection.execute(TOKEN_STATE, {"digest": digest}).first()
            if row is None:
                return Unauthenticated("登录已失效，请重新登录", code="auth.token_invalid")
            return auth.token_refusal(settings, row.revoked_at, row.expires_at, row.last_used_at, clock.now())

        return await run_in_threadpool(check)


gate = BearerGate()
