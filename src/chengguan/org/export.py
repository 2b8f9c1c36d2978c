"""The org registers as Excel workbooks (``GET {path}/export.xlsx`` of the CRUD routes, kit.router.ExportSpec): the
list's own scope, filters and order through ``CrudService.export``, each row as the list shows it, audited as
``<register>_export.download``. Officers as the list shows them except the phone, masked: a file travels further
than a screen, and whoever must call an officer finds the number on the page."""

from __future__ import annotations

from typing import Any

from chengguan.core.masking import mask_phone
from chengguan.kit.router import ExportSpec
from chengguan.kit.xlsx import Column
from chengguan.org.enums import (
    ACTIVE_STATUS_LABELS,
    DEVICE_KIND_LABELS,
    DEVICE_STATUS_LABELS,
    GENDER_LABELS,
    LEVEL_LABELS,
    OFFICER_KIND_LABELS,
    VEHICLE_KIND_LABELS,
    VEHICLE_STATUS_LABELS,
)
from chengguan.org.schemas import OfficerRead

COLUMNS = (
    Column("姓名", 12), Column("性别", 6), Column("执法证号", 18), Column("职级", 14), Column("人员类别", 10),
    Column("所属单位", 24), Column("联系电话", 16), Column("状态", 8), Column("已开通账号", 10),
)  # fmt: skip


def _row(o: OfficerRead) -> list[Any]:
    return [
        o.name, GENDER_LABELS[o.gender], o.certificate_no, o.rank, OFFICER_KIND_LABELS[o.kind], o.unit_name,
        mask_phone(o.phone), ACTIVE_STATUS_LABELS[o.status], o.user_id is not None,
    ]  # fmt: skip


OFFICERS = ExportSpec("执法人员", COLUMNS, _row, "人")


ORG_UNITS = ExportSpec(
    "组织机构",
    (Column("单位名称", 28), Column("简称", 14), Column("层级", 8), Column("行政区划代码", 14), Column("联系电话", 16),
     Column("办公地址", 36), Column("驻地经度", 12), Column("驻地纬度", 12)),
    lambda u: [u.name, u.short_name, LEVEL_LABELS[u.level], u.division_code, u.phone, u.address, u.lng, u.lat],
    "个",
)  # fmt: skip
VEHICLES = ExportSpec(
    "执法车辆",
    (Column("车牌号", 12), Column("车型", 16), Column("类别", 12), Column("所属单位", 24), Column("状态", 8)),
    lambda v: [v.plate_no, v.model, VEHICLE_KIND_LABELS[v.kind], v.unit_name, VEHICLE_STATUS_LABELS[v.status]],
    "辆",
)  # fmt: skip
DEVICES = ExportSpec(
    "设备",
    (Column("设备编号", 20), Column("名称", 28), Column("类别", 12), Column("所属单位", 24), Column("经度", 12),
     Column("纬度", 12), Column("状态", 8)),
    lambda d: [d.code, d.name, DEVICE_KIND_LABELS[d.kind], d.unit_name, d.lng, d.lat, DEVICE_STATUS_LABELS[d.status]],
    "台",
)  # fmt: skip
GRIDS = ExportSpec(
    "单元网格",
    (Column("网格编码", 18), Column("网格名称", 24), Column("责任中队", 24), Column("面积（平方米）", 14, "int"),
     Column("中心经度", 12), Column("中心纬度", 12)),
    lambda g: [g.grid_code, g.name, g.squad_name, round(g.area_m2), g.centroid[0], g.centroid[1]],
    "个",
)  # fmt: skip
