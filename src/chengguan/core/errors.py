"""Domain errors and their problem+json rendering (RFC 9457): stable machine code, zh-CN detail."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from chengguan.core.auditnotes import AuditNote


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The body of every error response (extension members such as ``locked_until`` may follow, RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | None = None


class DomainError(Exception):
    """Base of every error a service raises on purpose; carries its HTTP status and stable code."""

    status_code = 400
    code = "bad_request"
    title: str | None = None  # None: the status's reason phrase (a 409 subclass is "Conflict" without saying so)
    keep_writes = False  # True: the unit of work commits what was flushed before the error was raised
    # An audit entry written after the unit of work is rolled back (a refused access, a failed login: core.auditnotes).
    audit_note: AuditNote | None = None

    def __init__(
        self, detail: str, *, code: str | None = None, errors: list[FieldProblem] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors
        self.extra = extra

    def noting(self, note: AuditNote) -> DomainError:
        """The error, carrying ``note`` to the audit log (written whatever becomes of the request's writes)."""
        self.audit_note = note
        return self

    def to_problem(self) -> Problem:
        extensions = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in self.extra.items()}
        return Problem(
            title=self.title or HTTPStatus(self.status_code).phrase,
            status=self.status_code,
            detail=self.detail,
            code=self.code,
            errors=self.errors,
            **extensions,
        )


class BadRequest(DomainError):
    pass


class Unauthenticated(DomainError):
    status_code = 401
    code = "auth.unauthenticated"
    title = "Unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "auth.forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    title = "Not Found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    """A state-machine action not allowed from the current state."""

    code = "workflow.invalid_transition"


class Unprocessable(DomainError):
    status_code = 422
    code = "request.validation"
    title = "Unprocessable Content"


def field_error(field: str, message: str, *, code: str = "request.validation") -> Unprocessable:
    """A validation failure about one named field, raised by services after schema validation passed."""
    return Unprocessable(message, code=code, errors=[FieldProblem(field=field, message=message)])


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}, "description": description}
    for status, description in [
        (400, "请求有误"),
        (401, "未登录或登录已失效"),
        (403, "无权限"),
        (404, "不存在或不在数据权限范围内"),
        (409, "冲突"),
        (422, "参数校验失败"),
    ]
}
_RETRY_AFTER = {"Retry-After": {"description": "须等待的秒数", "schema": {"type": "integer", "minimum": 1}}}
RATE_LIMITED_RESPONSES: dict[int | str, dict[str, Any]] = PROBLEM_RESPONSES | {
    429: {
        "model": Problem,
        "content": {"application/problem+json": {}},
        "description": "请求过于频繁",
        "headers": _RETRY_AFTER,
    }
}
LOGIN_RESPONSES: dict[int | str, dict[str, Any]] = PROBLEM_RESPONSES | {
    429: RATE_LIMITED_RESPONSES[429] | {"description": "登录失败次数过多，须等待后再试（本地址或该账号）"}
}


class TooManyRequests(DomainError):
    status_code = 429
    code = "rate_limited"
    title = "Too Many Requests"
