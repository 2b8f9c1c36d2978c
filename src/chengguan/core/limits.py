"""Request-body limits per route, enforced before anything reads the body (an ASGI middleware).

Why here and not in the handlers: FastAPI reads and parses the whole body before it resolves any dependency, so a
handler's own check, and even authentication, comes after an anonymous client made the process read and parse
60 MB of JSON in the event loop (every other request waits). This middleware decides from the headers alone:

* a body to a route that needs a bearer token is refused with 401 unless the token is live (``TokenGate``), its
  bytes unread;
* a declared ``Content-Length`` above the route's limit is refused with 413 at once; a chunked body is counted
  while it streams and refused with 413 as soon as it passes the limit.

Limits: JSON bodies of routes behind a login ``CHENGGUAN_MAX_BODY_KB``; bodies of public routes (login, portal
login, the party's delivery page) ``CHENGGUAN_MAX_PUBLIC_BODY_KB``; multipart uploads
``CHENGGUAN_MAX_UPLOAD_MB``; and the explicit limits of ``explicit_limits`` (evidence, batches, signatures).
Multipart uploads are parsed by Starlette as they stream, files above 1 MB spooled to a temporary file, so an
accepted upload is never held in memory whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import FastAPI, params
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chengguan.core.config import Settings
from chengguan.core.errors import DomainError
from chengguan.core.problems import refusal_response

KB = 1024
MB = 1024 * KB
FORM_MARGIN = MB  # multipart framing and the text fields sent beside the file
SIGNATURE_BODY = 3 * MB  # a handwritten signature: a PNG data URL of at most 2,000,000 characters, and its fields


def explicit_limits(settings: Settings) -> dict[tuple[str, str], int | None]:
    """Routes whose bodies are larger (or read elsewhere) than their kind's default; None: not limited here."""
    return {
        ("POST", "/api/v1/cases/{case_id}/evidence"): settings.evidence_max_upload_mb * MB + FORM_MARGIN,
        ("POST", "/api/v1/public/verify/{token}"): 30 * MB + FORM_MARGIN,  # documents.public_api.MAX_UPLOAD
        ("POST", "/api/v1/public/media"): 10 * MB + FORM_MARGIN,  # intake.media.MAX_BYTES: a citizen's photo
        ("POST", "/api/v1/signals:batch"): 16 * MB,  # ≤ 1,000 signals of up to ~16 KB (2,000-character text, media)
        ("POST", "/api/v1/positions:batch"): 4 * MB,  # ≤ 5,000 fixes of ~250 bytes
        ("POST", "/api/v1/video/detections"): 32 * MB,  # frames with base64 JPEG snapshots (video.schemas)
        ("POST", "/api/v1/video/vendors/{vendor}/alarms"): 32 * MB,  # an edge box's push: picture, maybe a clip
        ("POST", "/api/v1/video/footage"): settings.evidence_max_upload_mb * MB + FORM_MARGIN,  # drone/body footage
        ("POST", "/api/v1/documents/{document_id}/signatures"): SIGNATURE_BODY,
        ("POST", "/api/v1/cases/{case_id}/service-consents"): SIGNATURE_BODY,
        ("POST", "/api/v1/public/deliveries/{token}/receipt"): SIGNATURE_BODY,
        # the merchant H5 (shopfront): photos of ≤ 10 MB each — nine for a rectification, six statement materials
        ("POST", "/api/v1/portal/shops/{code}/notices/{notice_id}/rectification"): 9 * 10 * MB + FORM_MARGIN,
        ("POST", "/api/v1/portal/cases/{case_id}/statements"): 6 * 10 * MB + FORM_MARGIN,
        ("POST", "/api/v1/portal/shops/{code}/claim-agent"): 10 * MB + FORM_MARGIN,
        ("POST", "/api/v1/portal/shops/{code}/storefront"): 10 * MB + FORM_MARGIN,
        ("POST", "/api/v1/portal/shops/{code}/reports"): 10 * MB + FORM_MARGIN,
        # Open311 reads its own body (open311.form.MAX_BODY, 1 MiB, checked from Content-Length and while
        # streaming) and must answer in the GeoReport error format, not problem+json.
        ("POST", "/open311/v2/requests.{fmt}"): None,
    }


class TokenGate(Protocol):
    """Who needs a token, and whether a request carries a live one (implemented by the identity package)."""

    def guards(self, route: APIRoute) -> bool: ...

    async def refusal(self, app: FastAPI, authorization: str | None) -> DomainError | None: ...


@dataclass(frozen=True)
class BodyPolicy:
    limit: int | None  # bytes; None: the route limits its body itself
    needs_token: bool


OPEN = BodyPolicy(limit=None, needs_token=False)


def size_text(limit: int) -> str:
    """1048576 → "1 MB", 65536 → "64 KB" (the zh-CN details name the limit)."""
    if limit >= MB:
        return f"{limit // MB} MB" if limit % MB == 0 else f"{limit / MB:.1f} MB"
    return f"{limit // KB} KB" if limit % KB == 0 else f"{limit} 字节"


class BodyTooLarge(HTTPException):
    """A body over its route's limit. An HTTPException, so that FastAPI's body reader passes it on unchanged (it
    turns any other error while reading into a 400); core.problems renders it as ``request.too_large``."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求体过大：该接口最多接受 {size_text(limit)}", headers={"Connection": "close"})
        self.limit = limit


class RouteTable:
    """The body policy of every route of the app, matched like Starlette matches (first path and method wins)."""

    def __init__(self, app: FastAPI, settings: Settings, gate: TokenGate | None) -> None:
        explicit = explicit_limits(settings)
        defaults = {
            "json": settings.max_body_kb * KB,
            "public": settings.max_public_body_kb * KB,
            "form": settings.max_upload_mb * MB,
        }
        self.entries: list[tuple[Any, frozenset[str], BodyPolicy]] = []
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or not context.path:
                continue
            regex, _, _ = compile_path(context.path)
            needs_token = gate is not None and gate.guards(route)
            for method in context.methods or ():
                if (method, context.path) in explicit:
                    limit = explicit[(method, context.path)]
                elif _is_form(route):
                    limit = defaults["form"]
                else:
                    limit = defaults["json" if needs_token else "public"]
                self.entries.append((regex, frozenset({method}), BodyPolicy(limit, needs_token)))
        self.unmatched = BodyPolicy(defaults["public"], needs_token=False)  # 404/405: nothing will read it

    def policy(self, method: str, path: str) -> BodyPolicy:
        for regex, methods, policy in self.entries:
            if method in methods and regex.match(path):
                return policy
        return self.unmatched


def _is_form(route: APIRoute) -> bool:
    return route.body_field is not None and isinstance(route.body_field.field_info, params.Form)


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


class BodyLimitMiddleware:
    """Refuse bodies by their headers (401 without a live token, 413 over the limit) and count streamed bytes."""

    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI, table: RouteTable, gate: TokenGate | None) -> None:
        self.app, self.fastapi_app, self.table, self.gate = app, fastapi_app, table, gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = _declared_length(headers)
        if not declared and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        path = scope["path"].removeprefix(scope.get("root_path", "")) or "/"
        policy = self.table.policy(scope["method"], path)
        if policy.needs_token and self.gate is not None:
            refusal = await self.gate.refusal(self.fastapi_app, headers.get("authorization"))
            if refusal is not None:
                await self._refuse(refusal, scope, receive, send)
                return
        if policy.limit is not None and declared is not None and declared > policy.limit:
            await self._refuse(BodyTooLarge(policy.limit), scope, receive, send)
            return
        if policy.limit is None:
            await self.app(scope, receive, send)
            return
        await self._counted(policy.limit, scope, receive, send)

    async def _counted(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:  # raised outside FastAPI's exception handlers (a route reading the stream itself)
            if started:
                raise
            await self._refuse(exc, scope, receive, send)

    async def _refuse(self, error: DomainError | BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
        response = refusal_response(error)
        response.headers["Connection"] = "close"  # the unread body is not worth receiving to keep the connection
        await response(scope, receive, send)


def install(app: FastAPI, settings: Settings, gate: TokenGate | None) -> None:
    """Add the middleware once every route is in place (routes added later get the unmatched policy); ``gate``
    tells which routes need a token and checks it before any body is read.

    The table is built here, not on the first request: walking the routes makes FastAPI resolve its included
    routers (about 0.7 s, cached for routing too), which would otherwise stall that first request."""
    table = RouteTable(app, settings, gate)
    app.add_middleware(BodyLimitMiddleware, fastapi_app=app, table=table, gate=gate)
