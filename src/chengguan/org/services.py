"""Use cases of the organisation registry: units (with the closure table), officers, vehicles, devices."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.errors import Conflict, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.crud import CrudService, conflict
from chengguan.org import usage
from chengguan.org.enums import LEVEL_PARENT, OfficerKind, OrgLevel
from chengguan.org.models import Device, Grid, Officer, OrgUnit, Vehicle
from chengguan.org.references import unit_in_scope
from chengguan.org.repository import (
    DeviceRepository,
    OfficerRepository,
    OrgUnitRepository,
    VehicleRepository,
    with_unit_names,
)
from chengguan.org.schemas import DeviceRead, OfficerRead, OrgTreeNode, OrgUnitRead, VehicleRead


def _unique(session: Session, model: Any, field: str, value: Any, current: Any, message: str) -> None:
    if value is None or (current is not None and getattr(current, field) == value):
        return
    if session.scalars(select(model).where(getattr(model, field) == value).limit(1)).first() is not None:
        raise conflict(field, message)


def _whole_point(values: dict[str, Any], obj: Any) -> None:
    """A position is a longitude and a latitude together, or neither."""
    lng = values.get("lng", obj.lng if obj else None)
    lat = values.get("lat", obj.lat if obj else None)
    if (lng is None) != (lat is None):
        raise field_error("lat" if lat is None else "lng", "经度和纬度须同时填写")


class OrgUnitService(CrudService[OrgUnit]):
    """The unit tree: city → district → squad; division codes nest (GB/T 2260); the closure table follows."""

    model = OrgUnit
    repository = OrgUnitRepository
    target_type = "org_unit"
    noun = "单位"

    def to_read(self, session: Session, objs: list[OrgUnit]) -> list[BaseModel]:
        return [OrgUnitRead.model_validate(o) for o in objs]

    keyword_columns = ("name", "short_name", "division_code")

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: OrgUnit | None
    ) -> dict[str, Any]:
        level = values.get("level") or (obj.level if obj else None)
        parent_id = values.get("parent_id", obj.parent_id if obj else None)
        code = values.get("division_code") or (obj.division_code if obj else "")
        wanted_parent = LEVEL_PARENT[level]
        if wanted_parent is None:
            if parent_id is not None:
                raise field_error("parent_id", "市局不能有上级单位")
        else:
            if parent_id is None:
                raise field_error("parent_id", "须指定上级单位")
            parent = unit_in_scope(session, principal, parent_id, field="parent_id", level=wanted_parent)
            if obj is not None and parent_id in OrgUnitRepository(session).descendant_ids(obj.id):
                raise field_error("parent_id", "不能把单位移到自己的下级单位之下")
            if level is OrgLevel.squad and not code.startswith(parent.division_code[:6]):
                raise field_error("division_code", f"街道代码须以所属区县代码 {parent.division_code[:6]} 开头")
        if level is OrgLevel.squad and len(code) < 9:
            raise field_error("division_code", "街道执法中队须填写 9 位街道代码")
        _whole_point(values, obj)
        return values

    def create(self, session: Session, principal: StaffPrincipal, data: BaseModel) -> BaseModel:
        result = super().create(session, principal, data)
        unit = session.get(OrgUnit, result.id)  # type: ignore[attr-defined]
        assert unit is not None
        OrgUnitRepository(session).add_to_closure(unit)
        return result

    def update(self, session: Session, principal: StaffPrincipal, id: Any, data: BaseModel) -> BaseModel:
        unit = self.load(session, principal, id)
        old_parent = unit.parent_id
        result = super().update(session, principal, id, data)
        if unit.parent_id != old_parent:
            OrgUnitRepository(session).move_in_closure(unit.id, unit.parent_id)
        return result

    def before_delete(self, session: Session, principal: StaffPrincipal, obj: OrgUnit) -> None:
        repo = OrgUnitRepository(session)
        if repo.has_children(obj.id):
            raise Conflict("该单位下还有下级单位，不能删除", code="org_unit.has_children")
        for model, column, what in [
            (Officer, Officer.unit_id, "执法人员"),
            (Grid, Grid.squad_id, "单元网格"),
            (Vehicle, Vehicle.unit_id, "车辆"),
            (Device, Device.unit_id, "设备"),
        ]:
            if session.scalars(select(model).where(column == obj.id).limit(1)).first() is not None:
                raise Conflict(f"该单位下还有{what}，不能删除", code="org_unit.in_use")
        usage.refuse_unit_delete(session, obj.id)  # users, case sources, cases … (declared by their packages)

    def tree(self, session: Session, principal: StaffPrincipal) -> list[OrgTreeNode]:
        """The readable units as a forest: a unit whose parent is not readable becomes a root."""
        repo = OrgUnitRepository(session)
        units = list(session.scalars(repo.readable(principal).order_by(*repo.order_by)))
        nodes = {u.id: OrgTreeNode(id=u.id, name=u.name, level=u.level, division_code=u.division_code) for u in units}
        roots = []
        for unit in units:
            parent = nodes.get(unit.parent_id) if unit.parent_id else None
            (parent.children if parent else roots).append(nodes[unit.id])
        return roots


class OfficerService(CrudService[Officer]):
    """Officers; certified ones carry a unique 执法证号 (only they may enforce, 行政处罚法 art. 42)."""

    model = Officer
    repository = OfficerRepository
    target_type = "officer"
    noun = "执法人员"

    keyword_columns = ("name", "certificate_no")

    def to_read(self, session: Session, objs: list[Officer]) -> list[BaseModel]:
        ids = [o.id for o in objs]
        users = usage.officer_accounts(session, ids)
        reads = with_unit_names(session, objs, OfficerRead)
        return [r.model_copy(update={"user_id": users.get(r.id)}) for r in reads]  # type: ignore[attr-defined]

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: Officer | None
    ) -> dict[str, Any]:
        if "unit_id" in values:
            unit_in_scope(session, principal, values["unit_id"])
        kind = values.get("kind") or (obj.kind if obj else None)
        certificate = values.get("certificate_no", obj.certificate_no if obj else None)
        if kind is OfficerKind.certified and not certificate:
            raise field_error("certificate_no", "持证执法人员须填写执法证号")
        _unique(session, Officer, "certificate_no", values.get("certificate_no"), obj, "执法证号已存在")
        return values

    def before_delete(self, session: Session, principal: StaffPrincipal, obj: Officer) -> None:
        usage.refuse_officer_delete(session, obj.id)  # a login account, dispatch records, cases handled
        usage.subject_deleted(session, "officer", obj.id)


class VehicleService(CrudService[Vehicle]):
    """Enforcement vehicles of a unit."""

    model = Vehicle
    repository = VehicleRepository
    target_type = "vehicle"
    noun = "车辆"

    def label(self, obj: Vehicle) -> str:
        return obj.plate_no

    def before_delete(self, session: Session, principal: StaffPrincipal, obj: Vehicle) -> None:
        usage.subject_deleted(session, "vehicle", obj.id)

    keyword_columns = ("plate_no", "model")

    def to_read(self, session: Session, objs: list[Vehicle]) -> list[BaseModel]:
        return with_unit_names(session, objs, VehicleRead)

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: Vehicle | None
    ) -> dict[str, Any]:
        if "unit_id" in values:
            unit_in_scope(session, principal, values["unit_id"])
        _unique(session, Vehicle, "plate_no", values.get("plate_no"), obj, "车牌号已存在")
        return values


class DeviceService(CrudService[Device]):
    """Body cameras, video cameras and sensors (registry; live feeds come with the sensing module)."""

    model = Device
    repository = DeviceRepository
    target_type = "device"
    noun = "设备"

    def label(self, obj: Device) -> str:
        return f"{obj.code} {obj.name}"

    keyword_columns = ("code", "name")

    def before_delete(self, session: Session, principal: StaffPrincipal, obj: Device) -> None:
        usage.refuse_device_delete(session, obj.id)  # e.g. its video alarms (possibly evidence)

    def to_read(self, session: Session, objs: list[Device]) -> list[BaseModel]:
        return with_unit_names(session, objs, DeviceRead)

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: Device | None
    ) -> dict[str, Any]:
        if "unit_id" in values:
            unit_in_scope(session, principal, values["unit_id"])
        _whole_point(values, obj)
        _unique(session, Device, "code", values.get("code"), obj, "设备编号已存在")
        return values


org_unit_service = OrgUnitService()
officer_service = OfficerService()
vehicle_service = VehicleService()
device_service = DeviceService()
