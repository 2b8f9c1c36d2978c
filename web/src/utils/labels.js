// 界面自有的显示约定：新建下级单位的层级、状态标签颜色、审计动作名称。

// The Chinese names of the backend's enums come from GET /meta/labels (stores/labels.js); what stays here is the
// web app's own: the level a new child unit takes, tag colours, and the audit log's action names.
export const NEXT_LEVEL = { city: 'district', district: 'squad', squad: null }

export const STATUS_TAG = {
  active: 'success',
  inactive: 'info',
  in_service: 'success',
  maintenance: 'warning',
  retired: 'info',
  online: 'success',
  offline: 'danger',
}

// 审计动作：`<对象>.<动作>`（后端记的是自由字符串，没有枚举）。先查完整动作表，再按「对象 + 动作」组合，未知的只显示原代码。
const AUDIT_ACTIONS = {
  'auth.login': '登录',
  'auth.login_failed': '登录失败',
  'auth.login_refused_locked': '锁定期间尝试登录',
  'auth.locked': '连续失败，账号锁定',
  'auth.logout': '退出登录',
  'user.password_changed': '修改密码',
  'user.reset_admin': '重置管理员账号',
  'user.roles': '调整用户角色',
  'role.grants': '调整角色授权',
  'demo.load': '载入示范数据',
}
const AUDIT_VERBS = {
  create: '新建',
  update: '修改',
  delete: '删除',
  deactivate: '停用',
  activate: '启用',
  unlock: '解锁',
}
export const TARGET_TYPES = {
  org_unit: '组织机构',
  officer: '执法人员',
  vehicle: '执法车辆',
  device: '设备',
  grid: '单元网格',
  user: '用户',
  role: '角色',
  system: '系统',
}
export function auditActionLabel(action) {
  if (!action) return ''
  if (AUDIT_ACTIONS[action]) return AUDIT_ACTIONS[action]
  const i = String(action).lastIndexOf('.')
  if (i < 0) return ''
  const v = AUDIT_VERBS[action.slice(i + 1)]
  const t = TARGET_TYPES[action.slice(0, i)]
  return v && t ? `${v}${t}` : ''
}
