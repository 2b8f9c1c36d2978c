"""Open311 GeoReport v2 endpoints at /open311/v2/ — each in .xml (mandatory) and .json.

Public reads need no login; POST requests needs an api_key (CHENGGUAN_OPEN311_API_KEYS). Every refusal, an
unknown path under /open311/v2/ included, is the spec's error list with the HTTP status, never problem+json. The
router stays out of /api/v1/openapi.json: the spec and its discovery document describe it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from chengguan.core.access import SessionDep
from chengguan.open311 import render, service, submission
from chengguan.open311.errors import Open311Error
from chengguan.open311.form import Submission, read_form

PREFIX = "/open311/v2"


def _format_of(request: Request) -> str:
    fmt = request.path_params.get("fmt") or request.url.path.rsplit(".", 1)[-1]
    return "json" if fmt == "json" else "xml"


class Open311Route(APIRoute):
    """Renders an Open311Error raised by a dependency or the endpoint in the spec's format."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Open311Error as exc:
                return render.error_response(_format_of(request), exc)

        return route


router = APIRouter(prefix=PREFIX, tags=["Open311"], route_class=Open311Route, include_in_schema=False)
FormDep = Annotated[Submission, Depends(read_form)]
# The spec lets service_code and status be "declared multiple times, comma delimited": both spellings count.
ListParam = Annotated[list[str] | None, Query()]
_ENDPOINT = re.compile(r"(discovery|services|requests)(/[^/]+)?\.[^/]+|tokens/[^/]+\.[^/]+")


def _joined(values: list[str] | None) -> str | None:
    return ",".join(values) if values else None


def _fmt(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, "open311.unknown_format", "不支持的格式：请使用 .xml 或 .json")
    return fmt


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: str) -> Response:
    url = str(request.base_url).rstrip("/") + PREFIX
    return render.respond(_fmt(fmt), "discovery", service.discovery(url))


@router.get("/services.{fmt}")
def services(session: SessionDep, fmt: str, jurisdiction_id: str | None = None) -> Response:
    fmt = _fmt(fmt)
    service.jurisdiction(session, jurisdiction_id)
    return render.respond(fmt, "services", service.service_list())


@router.get("/services/{service_code}.{fmt}")
def service_definition(
    session: SessionDep, service_code: str, fmt: str, jurisdiction_id: str | None = None
) -> Response:
    fmt = _fmt(fmt)
    service.jurisdiction(session, jurisdiction_id)
    return render.respond(fmt, "service_definition", service.service_definition(service_code))


@router.get("/requests.{fmt}")
def requests(
    session: SessionDep,
    fmt: str,
    jurisdiction_id: str | None = None,
    service_request_id: ListParam = None,
    service_code: ListParam = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: ListParam = None,
) -> Response:
    fmt = _fmt(fmt)
    found = service.list_requests(
        session,
        jurisdiction_id=jurisdiction_id,
        service_request_id=_joined(service_request_id),
        service_code=_joined(service_code),
        start_date=start_date,
        end_date=end_date,
        status=_joined(status),
    )
    return render.respond(fmt, "service_requests", found)


@router.post("/requests.{fmt}")
def create_request(request: Request, session: SessionDep, fmt: str, form: FormDep) -> Response:
    fmt = _fmt(fmt)
    try:
        created = submission.submit(session, form, request.app.state.settings.open311_api_keys)
    except Open311Error:
        # The route renders the error as a normal response, so the unit of work would commit: undo first.
        session.rollback()
        raise
    return render.respond(fmt, "service_requests", [created], status_code=201)


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(session: SessionDep, service_request_id: str, fmt: str, jurisdiction_id: str | None = None) -> Response:
    fmt = _fmt(fmt)
    found = service.get_request(session, service_request_id, jurisdiction_id)
    return render.respond(fmt, "service_requests", [found])


@router.get("/tokens/{token}.{fmt}")
def token(session: SessionDep, token: str, fmt: str, jurisdiction_id: str | None = None) -> Response:
    fmt = _fmt(fmt)
    service.jurisdiction(session, jurisdiction_id)
    return render.respond(fmt, "service_requests", [service.token_request(session, token)])


@router.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def unknown(path: str) -> Response:
    if _ENDPOINT.fullmatch(path):
        raise Open311Error(405, "open311.method_not_allowed", "不支持该请求方法（只有 requests 可以 POST，其余为 GET）")
    raise Open311Error(404, "open311.not_found", "接口不存在（见 discovery.xml）")
