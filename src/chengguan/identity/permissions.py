"""The permission catalogue: every key a role can grant (later modules add theirs here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    key: str
    name: str
    group: str


CATALOGUE: tuple[Permission, ...] = (
    Permission("org:read", "查看组织机构", "组织机构"),
    Permission("org:write", "维护组织机构", "组织机构"),
    Permission("officer:read", "查看执法人员", "执法人员"),
    Permission("officer:write", "维护执法人员", "执法人员"),
    Permission("vehicle:read", "查看执法车辆", "车辆装备"),
    Permission("vehicle:write", "维护执法车辆", "车辆装备"),
    Permission("device:read", "查看设备", "车辆装备"),
    Permission("device:write", "维护设备", "车辆装备"),
    Permission("grid:read", "查看单元网格", "单元网格"),
    Permission("grid:write", "维护单元网格", "单元网格"),
    # 三员分立 (identity.separation): 系统管理 / 安全管理 / 安全审计 are held by different accounts.
    Permission("user:read", "查看用户", "系统管理"),
    Permission("user:write", "维护用户账号（新建、停用、重置密码）", "系统管理"),
    Permission("calendar:write", "维护节假日日历", "系统管理"),
    Permission("sms:read", "查看短信发件箱", "系统管理"),
    Permission("role:read", "查看角色", "安全管理"),
    Permission("role:write", "维护角色与权限", "安全管理"),
    Permission("user:grant", "为用户分配角色", "安全管理"),
    Permission("audit:read", "查看与导出审计日志", "安全审计"),
    Permission("source:read", "查看案源", "案源管理"),
    Permission("source:write", "上报与处置案源", "案源管理"),
    Permission("source:manage", "受理、分办、核查案源与维护规则", "案源管理"),
    Permission("signal:write", "设备与系统接入（告警、定位）", "案源管理"),
    Permission("dispatch:read", "查看指挥调度", "指挥调度"),
    Permission("dispatch:write", "派遣任务", "指挥调度"),
    Permission("case:read", "查看案件", "执法办案"),
    Permission("case:write", "办理案件", "执法办案"),
    Permission("case:approve", "审批案件", "执法办案"),
    Permission("legal:review", "法制审核", "执法办案"),
    Permission("case:configure", "配置审批流程", "执法办案"),
    Permission("payment:read", "查看缴款、当场收缴与对账", "缴款管理"),
    Permission("payment:manage", "确认罚款上交、退还多缴款项、执行对账", "缴款管理"),
    Permission("merchant:read", "查看商户档案", "商户管理"),
    Permission("merchant:write", "维护商户档案", "商户管理"),
    Permission("law:read", "查阅法律法规", "法律知识库"),
    Permission("law:write", "维护法律知识库", "法律知识库"),
    Permission("mobile:use", "使用执法通", "移动执法"),
    # Reveal an identity number, phone or address in full (each reveal audited); everyone else sees them masked.
    Permission("personal_data:view", "查看完整个人信息（身份证号、电话、住址）", "个人信息保护"),
)

KEYS = frozenset(p.key for p in CATALOGUE)
