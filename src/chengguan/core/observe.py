"""Prometheus metrics at ``/metrics`` and the per-request context of the JSON log (core.logs).

Metrics (prometheus_client; with several workers its multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR`` set by
``chengguan serve``): requests and their latency by method, route template and status; background job runs by
job and outcome; the database pool's connections in use. Labels are route templates (``/api/v1/cases/{case_id}``),
never paths, ids, users or addresses: the endpoint exposes no personal data.

``/metrics`` answers only a direct caller from the addresses of ``CHENGGUAN_METRICS_ALLOW`` (default: this machine)
or a bearer token equal to ``CHENGGUAN_METRICS_TOKEN``; anyone else — a request relayed by a proxy included — gets
404, as for a path that does not exist."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chengguan.core.config import Settings
from chengguan.core.errors import NotFound
from chengguan.core.logs import REQUEST

access_log = logging.getLogger("chengguan.access")

REQUESTS = Counter("chengguan_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "chengguan_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_RUNS = Counter("chengguan_job_runs_total", "Background job passes run by this process", ["job", "outcome"])
POOL_IN_USE = Gauge("chengguan_db_pool_checked_out", "Database connections in use", multiprocess_mode="livesum")
UNMATCHED = "unmatched"  # 404s: their raw paths would be unbounded (and may carry anything a client sent)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def route_templates(app: FastAPI) -> dict[int, str]:
    """id(route object) → its full path template, for every route of the app."""
    found: dict[int, str] = {}
    for context in iter_route_contexts(app.routes):
        if context.path:
            found.setdefault(id(context.original_route), context.path)
    return found


class ObserveMiddleware:
    """Times each HTTP request, counts it by route template, and gives the JSON log its request context."""

    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI, json_log: bool) -> None:
        self.app, self.fastapi_app, self.json_log = app, fastapi_app, json_log
        self.templates: dict[int, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        context: dict[str, Any] = {"request_id": request_id}
        token = REQUEST.set(context)
        status = [500]

        async def send_observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            self._done(scope, context, status[0], time.perf_counter() - began)
            REQUEST.reset(token)

    def _done(self, scope: Scope, context: dict[str, Any], status: int, seconds: float) -> None:
        if self.templates is None:
            self.templates = route_templates(self.fastapi_app)
        route = self.templates.get(id(scope.get("route")), UNMATCHED)
        labels = (scope["method"], route, str(status))
        REQUESTS.labels(*labels).inc()
        LATENCY.labels(*labels).observe(seconds)
        pool = getattr(getattr(self.fastapi_app.state, "db", None), "engine", None)
        if pool is not None and hasattr(pool.pool, "checkedout"):
            POOL_IN_USE.set(pool.pool.checkedout())
        if self.json_log:
            state = scope.get("state") or {}
            context.update(route=route, status=status, duration_ms=round(seconds * 1000, 2),
                           user_id=state.get("user_id"))  # fmt: skip
            access_log.info("%s %s %d", scope["method"], route, status)


def _allowed(request: Request, settings: Settings) -> bool:
    token = settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False  # came through a proxy: the peer address is the proxy's, not the scraper's; only a token admits
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    for allowed in (a.strip() for a in settings.metrics_allow.split(",") if a.strip()):
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics_body() -> bytes:
    """The exposition of this process, or of every worker in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def install(app: FastAPI, settings: Settings) -> None:
    """The /metrics route and the middleware (outermost but for the security headers)."""

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if not _allowed(request, settings):
            raise NotFound("接口不存在", code="not_found")
        return Response(metrics_body(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(ObserveMiddleware, fastapi_app=app, json_log=settings.log_format == "json")


def process_exited() -> None:
    """Multiprocess mode: this worker's live gauges no longer count (called at shutdown)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        prometheus_multiprocess.mark_process_dead(os.getpid())
