"""The account and role registers as Excel workbooks (``GET /users/export.xlsx``, ``GET /roles/export.xlsx``):
the lists' own filters, order and scope, each row as the list shows it, audited (kit.router.ExportSpec). No password
material, no token: the read models carry none."""

from __future__ import annotations

from chengguan.core.principals import DATA_SCOPE_LABELS
from chengguan.kit.router import ExportSpec
from chengguan.kit.xlsx import Column

USERS = ExportSpec(
    "系统用户",
    (Column("用户名", 16), Column("姓名", 12), Column("所属单位", 26), Column("角色", 30), Column("启用", 8),
     Column("锁定至", 17, "time"), Column("最近登录", 17, "time"), Column("创建时间", 17, "time")),
    lambda u: [u.username, u.display_name, u.unit_name, "、".join(r.name for r in u.roles), u.is_active,
               u.locked_until, u.last_login_at, u.created_at],
    "个",
)  # fmt: skip
ROLES = ExportSpec(
    "角色权限",
    (Column("角色代码", 18), Column("角色名称", 16), Column("说明", 36), Column("数据权限", 14),
     Column("权限数", 8, "int"), Column("权限", 60), Column("内置", 8)),
    lambda r: [r.code, r.name, r.description, DATA_SCOPE_LABELS[r.data_scope], len(r.permissions),
               "、".join(r.permissions), r.builtin],
    "个",
)  # fmt: skip
