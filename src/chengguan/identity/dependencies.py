"""How identity checks a bearer token for the routes (core.access declares the dependencies routers use)."""

from __future__ import annotations

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from chengguan.core.access import client_ip
from chengguan.core.config import Settings
from chengguan.core.db import SAFE_METHODS, Database
from chengguan.core.errors import Forbidden, Unauthenticated
from chengguan.core.principals import PrincipalType, StaffPrincipal
from chengguan.identity import auth


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
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("请先登录")
    valid = auth.check_token(session, settings, credentials.credentials)
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


def authenticate_staff(
    request: Request, session: Session, settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> StaffPrincipal:
    """core.access.StaffAuthenticator: the staff principal behind a live staff token."""
    token = valid_token(request, session, settings, credentials, PrincipalType.staff, "该账号类型不能访问执法端接口")
    return auth.staff_principal(session, token, client_ip(request))
