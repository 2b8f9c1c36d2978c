"""Builds the five REST routes of a ``CrudService`` so each domain's router only declares its schemas."""

# No ``from __future__ import annotations`` here: FastAPI must see the real schema classes in the signatures.
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from chengguan.core.access import SessionDep, require
from chengguan.core.db import writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.crud import CrudService
from chengguan.kit.schemas import PageQuery, Paginated
from chengguan.kit.xlsx import XLSX_RESPONSES, Column


@dataclass(frozen=True)
class ExportSpec:
    """What ``GET {path}/export.xlsx`` writes (``CrudService.export``: the list's scope, filters and order, through
    ``to_read`` so what the list masks stays masked): the workbook's title, its columns, a read model to cells."""

    title: str
    columns: Sequence[Column]
    row: Callable[[Any], Sequence[Any]]
    unit: str = "条"


def add_crud_routes(
    router: APIRouter,
    service: CrudService[Any],
    *,
    path: str,
    read: type[BaseModel],
    create: type[BaseModel],
    update: type[BaseModel],
    filters: type[BaseModel],
    read_permission: str,
    write_permission: str,
    tag: str,
    detail: type[BaseModel] | None = None,
    export: ExportSpec | None = None,
) -> None:
    """GET list, GET one, POST, PATCH, DELETE under ``path`` with permission checks and problem responses; with
    ``export``, GET ``path``/export.xlsx too (audited)."""
    Reader = Annotated[StaffPrincipal, Depends(require(read_permission))]
    Writer = Annotated[StaffPrincipal, Depends(require(write_permission))]
    name = path.strip("/").replace("-", "_")

    def list_items(
        session: SessionDep, principal: Reader, page: PageQuery, query: Annotated[filters, Query()]
    ) -> Paginated[read]:  # type: ignore[valid-type]
        return service.list(session, principal, query, page)  # type: ignore[return-value]

    one = detail or read

    def get_item(item_id: uuid.UUID, session: SessionDep, principal: Reader) -> one:  # type: ignore[valid-type]
        return service.read(session, principal, item_id)

    def create_item(body: create, session: SessionDep, principal: Writer) -> read:  # type: ignore[valid-type]
        return service.create(session, principal, body)

    def update_item(
        item_id: uuid.UUID,
        body: update,
        session: SessionDep,  # type: ignore[valid-type]
        principal: Writer,
    ) -> read:  # type: ignore[valid-type]
        return service.update(session, principal, item_id, body)

    def delete_item(item_id: uuid.UUID, session: SessionDep, principal: Writer) -> Response:
        service.delete(session, principal, item_id)
        return Response(status_code=204)

    responses: dict[int | str, dict[str, Any]] = dict(PROBLEM_RESPONSES)
    common = {"tags": [tag], "responses": responses}
    router.add_api_route(path, list_items, methods=["GET"], name=f"list_{name}", summary=f"{tag}列表", **common)
    if export is not None:  # before "{item_id}", which would take "export.xlsx" for an id
        _add_export_route(router, service, path, name, tag, export, Reader, filters)
    router.add_api_route(
        f"{path}/{{item_id}}", get_item, methods=["GET"], name=f"get_{name}", summary=f"{tag}详情", **common
    )
    router.add_api_route(
        path, create_item, methods=["POST"], status_code=201, name=f"create_{name}", summary=f"新增{tag}", **common
    )
    router.add_api_route(
        f"{path}/{{item_id}}", update_item, methods=["PATCH"], name=f"update_{name}", summary=f"修改{tag}", **common
    )
    router.add_api_route(
        f"{path}/{{item_id}}",
        delete_item,
        methods=["DELETE"],
        status_code=204,
        name=f"delete_{name}",
        summary=f"删除{tag}",
        response_class=Response,
        **common,
    )


def _add_export_route(
    router: APIRouter, service: CrudService[Any], path: str, name: str, tag: str, spec: ExportSpec,
    reader: Any, filters: type[BaseModel],
) -> None:  # fmt: skip
    @writes_on_read  # the download is audited before the bytes leave
    def export_items(session: SessionDep, principal: reader, query: Annotated[filters, Query()]) -> Response:  # type: ignore[valid-type]
        book = service.export(session, principal, query, title=spec.title, columns=spec.columns, row=spec.row,
                              unit=spec.unit)  # fmt: skip
        return book.response(f"{spec.title}.xlsx")

    router.add_api_route(
        f"{path}/export.xlsx", export_items, methods=["GET"], name=f"export_{name}", tags=[tag],
        summary=f"导出{tag}（Excel，与列表相同的筛选与排序，记入审计日志）", response_class=Response,
        responses=XLSX_RESPONSES,
    )  # fmt: skip
