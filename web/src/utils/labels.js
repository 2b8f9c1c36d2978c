// 枚举值的中文名称（代码与接口使用英文，界面使用中文）。

export const LEVELS = { city: '市局', district: '区局', squad: '中队' }
export const NEXT_LEVEL = { city: 'district', district: 'squad', squad: null }
export const DATA_SCOPES = {
  all: '全部数据',
  custom: '自定义单位',
  unit: '本单位',
  unit_and_below: '本单位及下级',
  self: '仅本人',
}
export const GENDERS = { male: '男', female: '女' }
export const OFFICER_KINDS = { certified: '持证执法', auxiliary: '协管' }
export const ACTIVE_STATUS = { active: '在岗', inactive: '离岗' }
export const VEHICLE_KINDS = { patrol_car: '巡逻车', truck: '货车', motorcycle: '摩托车', e_bike: '电动车' }
export const VEHICLE_STATUS = { in_service: '在用', maintenance: '维修', retired: '报废' }
export const DEVICE_KINDS = { body_camera: '执法记录仪', camera: '视频探头', sensor: '物联感知设备' }
export const DEVICE_STATUS = { online: '在线', offline: '离线', retired: '报废' }
export const CRS_SHORT = { wgs84: 'WGS-84', gcj02: 'GCJ-02', bd09: 'BD-09' }
export const CRS = { wgs84: 'WGS-84（GPS）', gcj02: 'GCJ-02（高德/腾讯）', bd09: 'BD-09（百度）' }

export const STATUS_TAG = {
  active: 'success',
  inactive: 'info',
  in_service: 'success',
  maintenance: 'warning',
  retired: 'info',
  online: 'success',
  offline: 'danger',
}

/** Turn a label map into [{value,label}] for el-select. */
export const options = (map) => Object.entries(map).map(([value, label]) => ({ value, label }))

// 审计动作：`<对象>.<动作>`。先查完整动作表，再按「对象 + 动作」组合，未知的只显示原代码。
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
