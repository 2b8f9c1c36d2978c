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
from starlette.concurrency import run_in_threadpool

from chengguan.core.db import Database
from chengguan.core.errors import DomainError, Unauthenticated
from chengguan.identity import auth
from chengguan.identity.dependencies import bearer


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

        def check() -> DomainError | None:
            with db.session(write=False) as session:
                try:
                    auth.check_token(session, settings, raw.strip())
                except DomainError as refused:
                    return refused
            return None

        return await run_in_threadpool(check)


gate = BearerGate()
