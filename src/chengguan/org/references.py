"""Checks that a write refers to units the writer may act on."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from chengguan.core.errors import field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.org.enums import OrgLevel
from chengguan.org.models import OrgUnit
from chengguan.org.repository import OrgUnitRepository


def unit_in_scope(
    session: Session,
    principal: StaffPrincipal,
    unit_id: uuid.UUID,
    *,
    field: str = "unit_id",
    level: OrgLevel | None = None,
) -> OrgUnit:
    """The unit if it exists inside the writer's data scope (and has ``level`` when given); else a 422 on ``field``."""
    unit = OrgUnitRepository(session).get_readable(principal, unit_id)
    if unit is None:
        raise field_error(field, "单位不存在或不在您的数据权限范围内")
    if level is not None and unit.level is not level:
        raise field_error(
            field,
            {OrgLevel.squad: "必须是街道执法中队", OrgLevel.district: "必须是区局", OrgLevel.city: "必须是市局"}[level],
        )
    return unit
