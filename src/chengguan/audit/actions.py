"""The audit log's vocabulary in Chinese (GET /meta/labels): action names, object types and refusal reasons.

Actions are ``<object type>.<verb>``; the registry tables' writes (kit.crud) combine an object type with a verb, case
actions are ``case.<CaseAction>`` (labelled from the case's own action names), the rest are named here.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "portal.login": "商户端登录",
    "portal.login_failed": "商户端登录失败",
    "access.refused": "拒绝越权访问",
    "user.password_changed": "修改密码",
    "user.reset_admin": "重置管理员账号",
    "user.roles": "分配用户角色",
    "user.unlock": "解除锁定",
    "role.grants": "调整角色授权",
    "evidence.upload": "上传证据",
    "evidence.review": "审核证据",
    "evidence.download": "下载证据原件",
    "document.download": "下载文书",
    "document.void": "作废文书",
    "document.deliver": "送达文书",
    "document.consent": "签署电子送达确认书",
    "case_archive.download": "下载案卷",
    "merchant_sign.download": "打印打烊提示牌",
    "export.download": "导出数据",
    "audit.export": "导出审计日志",
    "audit.archive": "归档审计日志",
    "demo.load": "载入示范数据",
}

VERB_LABELS: dict[str, str] = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "deactivate": "停用",
    "activate": "启用",
    "unlock": "解锁",
    "put": "设置",
    "download": "下载",
    "import": "导入",
}

TARGET_LABELS: dict[str, str] = {
    "org_unit": "组织机构",
    "officer": "执法人员",
    "vehicle": "执法车辆",
    "device": "设备",
    "grid": "单元网格",
    "user": "用户",
    "role": "角色",
    "merchant": "商户",
    "merchant_account": "商户端账号",
    "merchant_sign": "打烊提示牌",
    "calendar_override": "节假日调整",
    "law_matter": "执法事项",
    "law": "法律法规",
    "approval_chain": "审批链",
    "time_limit": "案源时限",
    "time_limit_rule": "案源时限",
    "law_standard": "裁量基准",
    "law_hearing_threshold": "听证标准",
    "dedup_rule": "合并规则",
    "snooze_rule": "静默规则",
    "case": "案件",
    "case_source": "案源",
    "dispatch_task": "派遣任务",
    "evidence": "证据",
    "document": "文书",
    "service_consent": "电子送达确认书",
    "case_archive": "案卷",
    "export": "数据导出",
    "audit_log": "审计日志",
    "audit_archive": "审计归档",
    "route": "接口",
    "config": "全市配置",
    "system": "系统",
}

REFUSAL_LABELS: dict[str, str] = {
    "out_of_scope": "不在数据权限范围内",
    "config_out_of_scope": "配置单位不在数据权限范围内",
    "city_wide_config": "无全市数据权限却设置全市配置",
    "permission": "缺少所需权限",
    "not_assigned": "非本人任务",
}
