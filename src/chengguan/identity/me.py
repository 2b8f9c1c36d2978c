"""The "who am I" view of a staff principal (the web app builds its menu from it)."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from chengguan.core.db import Database
from chengguan.core.principals import StaffPrincipal
from chengguan.identity.dependencies import ENTRY
from chengguan.identity.repository import UserRepository
from chengguan.identity.schemas import Me, OfficerRef, RoleRef, UnitRef
from chengguan.org.models import Officer, OrgUnit


def me_of(session: Session, principal: StaffPrincipal) -> Me:
    """Profile, unit, officer card, roles, permission keys and widest data scope of the caller."""
    unit = session.get(OrgUnit, principal.unit_id) if principal.unit_id else None
    officer = session.get(Officer, principal.officer_id) if principal.officer_id else None
    roles = UserRepository(session).roles_of([principal.user_id])[principal.user_id]
    return Me(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        unit=UnitRef.model_validate(unit) if unit else None,
        officer=OfficerRef.model_validate(officer) if officer else None,
        roles=[RoleRef.model_validate(r) for r in sorted(roles, key=lambda r: r.code)],
        permissions=sorted(principal.permissions),
        data_scope=principal.data_scope,
        must_change_password=principal.must_change_password,
    )


async def rendered_me(request: Request, principal: StaffPrincipal) -> bytes:
    """The caller's view as JSON, rendered once per cached principal (identity.epoch ends it with any change of the
    account, its roles, unit or officer card)."""
    entry = getattr(request.state, ENTRY, None)
    if entry is not None and entry.me is not None:
        return entry.me
    db: Database = request.app.state.db

    def render() -> bytes:
        with db.session(write=False) as session:
            return me_of(session, principal).model_dump_json().encode()

    body = await run_in_threadpool(render)
    if entry is not None:
        entry.me = body
    return body
