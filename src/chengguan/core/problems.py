"""Exception handlers: every error leaves as application/problem+json with a stable code and a zh-CN detail."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException

from chengguan.core.errors import DomainError, FieldProblem, Problem

log = logging.getLogger("chengguan")

_MESSAGES: dict[str, str] = {
    "missing": "必填",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "须为 JSON 对象",
    "dict_type": "须为 JSON 对象",
    "list_type": "须为数组",
    "string_type": "须为字符串",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "bool_type": "须为布尔值",
    "bool_parsing": "须为布尔值",
    "uuid_type": "须为 UUID",
    "uuid_parsing": "须为合法的 UUID",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "string_pattern_mismatch": "格式不正确",
    "datetime_parsing": "须为 ISO-8601 时间",
    "datetime_type": "须为 ISO-8601 时间",
    "timezone_aware": "时间须带时区",
    "tuple_type": "须为数组",
    "finite_number": "须为有限数值",
}


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "string_too_short":
        return f"长度不能少于 {ctx.get('min_length')} 个字符"
    if kind == "string_too_long":
        return f"长度不能超过 {ctx.get('max_length')} 个字符"
    if kind in ("too_short", "too_long"):
        return f"元素个数须在 {ctx.get('min_length', 0)} 到 {ctx.get('max_length', '不限')} 之间"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "enum":
        return f"取值须为：{ctx.get('expected', '')}"
    return _MESSAGES.get(kind, f"取值不合法（{error.get('msg', kind)}）")


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=headers,
    )


def domain_response(exc: DomainError) -> JSONResponse:
    headers = {}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if exc.status_code == 429 and isinstance(exc.extra.get("retry_after"), int):
        headers["Retry-After"] = str(exc.extra["retry_after"])  # RFC 9110 §10.2.3: whole seconds
    return problem_response(exc.to_problem(), headers or None)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return domain_response(exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldProblem(
            field="body" if e.get("type") == "json_invalid" else _field(tuple(e.get("loc", ()))), message=_message(e)
        )
        for e in exc.errors()
    ]
    detail = "；".join(f"{e.field}：{e.message}" for e in errors[:5]) or "请求参数不合法"
    return problem_response(
        Problem(
            title="Unprocessable Content",
            status=422,
            detail=f"参数校验失败：{detail}",
            code="request.validation",
            errors=errors,
        )
    )


_HTTP_CODES = {
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    401: ("auth.unauthenticated", "请先登录"),
    403: ("auth.forbidden", "没有权限"),
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:
        # Starlette's own refusal of a body it cannot decode (e.g. not UTF-8): the same answer as malformed JSON.
        return problem_response(
            Problem(
                title="Unprocessable Content",
                status=422,
                code="request.validation",
                detail="参数校验失败：请求体无法解析，须为 UTF-8 编码的 JSON",
                errors=[FieldProblem(field="body", message="请求体无法解析")],
            )
        )
    return http_response(exc)


def http_response(exc: HTTPException) -> JSONResponse:
    if exc.status_code == 413:
        # core.limits.BodyTooLarge names the route's limit in its detail; Starlette's own 413 does not.
        limit = getattr(exc, "limit", None)
        return problem_response(
            Problem(
                title="Content Too Large",
                status=413,
                code="request.too_large",
                detail=exc.detail if limit is not None else "请求体过大",
                max_bytes=limit,
            ),
            dict(exc.headers or {}),
        )
    code, detail = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
    return problem_response(
        Problem(title=str(exc.detail), status=exc.status_code, detail=detail, code=code), dict(exc.headers or {})
    )


def refusal_response(error: Exception) -> JSONResponse:
    """The problem+json answer to a request refused before it reached a route (core.limits)."""
    if isinstance(error, DomainError):
        return domain_response(error)
    assert isinstance(error, HTTPException)
    return http_response(error)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Services check uniqueness first; this is the safety net for races between two writers.
    log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        Problem(
            title="Conflict",
            status=409,
            detail="数据冲突（可能已被他人修改或重复提交），请刷新后重试",
            code="conflict.integrity",
        )
    )


# The optimistic locks (``version_id_col``) and the stable code a lost race answers with, whichever flush or autoflush
# of the request met the moved-on version (on PostgreSQL the loser's UPDATE waits for the winner, then matches no row).
VERSION_CONFLICTS: dict[str, tuple[str, str]] = {
    "case_source": ("source.version_conflict", "案源已被他人更新，请刷新后重试"),
    "dispatch_task": ("dispatch.version_conflict", "任务已被他人更新，请刷新后重试"),
    "penalty_case": ("case.version_conflict", "案件已被他人更新，请刷新后重试"),
    "document": ("document.version_conflict", "文书已被他人更新，请刷新后重试"),
}
_STALE_TABLE = re.compile(r"on table '([^']+)'")


async def _stale_data(request: Request, exc: Exception) -> JSONResponse:
    found = _STALE_TABLE.search(str(exc))
    generic = ("conflict.version", "数据已被他人更新，请刷新后重试")
    code, detail = VERSION_CONFLICTS.get(found.group(1) if found else "", generic)
    log.info("version conflict on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(Problem(title="Conflict", status=409, detail=detail, code=code))


async def _busy_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        Problem(title="Service Unavailable", status=503, detail="系统繁忙，请稍后重试", code="database.busy"),
        {"Retry-After": "1"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        Problem(title="Internal Server Error", status=500, detail="系统内部错误，已记录，请联系管理员", code="internal")
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale_data)
    app.add_exception_handler(OperationalError, _busy_error)
    app.add_exception_handler(Exception, _unexpected)
