"""Routing that does not grow with the number of routes before the one asked for.

FastAPI ≥ 0.160 keeps an included router as one entry of the app's routes and walks into it on every request: each
of its routes costs a scope update, an effective-context lookup and a regex (twice: once to choose the router, once
to choose the route). With about 300 routes the walk to a router included late (dispatching, cases) took longer
than the handler itself (bench/http_mixed.py: ~2 ms of a 5 ms request). ``prefilter`` lets an included router
refuse a path at once when no route of it can match: every route's path up to its first parameter is a literal
prefix, and a path that starts with none of them cannot match any of the router's regexes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match, get_route_path
from starlette.types import Scope

_MARK = "_chengguan_prefixes"


def literal_prefix(path: str) -> str:
    """``/cases/{case_id}/actions`` → ``/cases/``: what every path the route matches starts with."""
    return path.split("{", 1)[0]


def prefilter(router: APIRouter, prefix: str) -> None:
    """Make ``router`` (included under ``prefix``) answer "no match" from its literal prefixes alone. Idempotent
    per prefix (the module-level routers are included again by every app a test builds)."""
    prefixes = tuple(sorted({prefix + literal_prefix(getattr(route, "path", "")) for route in router.routes}))
    if getattr(router, _MARK, None) == prefixes:
        return
    if any(p == prefix for p in prefixes):  # a route starting with a parameter could match anything below prefix
        return
    full_matches = type(router).matches.__get__(router)

    def matches(scope: Scope) -> tuple[Match, Any]:
        if scope["type"] == "http" and not get_route_path(scope).startswith(prefixes):
            return Match.NONE, {}
        return full_matches(scope)

    router.matches = matches  # type: ignore[method-assign]
    setattr(router, _MARK, prefixes)
