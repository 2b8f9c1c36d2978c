// 电脑端侧边栏菜单：每项给出路由名、标题、图标与所需权限（满足其一即显示）。
import {
  Odometer,
  OfficeBuilding,
  User,
  Van,
  MapLocation,
  UserFilled,
  Lock,
  Document,
} from '@element-plus/icons-vue'

export const MENU_GROUPS = [
  {
    title: '概览',
    items: [{ name: 'dashboard', path: '/console/dashboard', title: '工作台', icon: Odometer, perms: [] }],
  },
  {
    title: '基础数据',
    items: [
      { name: 'org-units', path: '/console/org-units', title: '组织机构', icon: OfficeBuilding, perms: ['org:read'] },
      { name: 'officers', path: '/console/officers', title: '执法人员', icon: User, perms: ['officer:read'] },
      {
        name: 'equipment',
        path: '/console/equipment',
        title: '车辆装备',
        icon: Van,
        perms: ['vehicle:read', 'device:read'],
      },
      { name: 'grids', path: '/console/grids', title: '单元网格', icon: MapLocation, perms: ['grid:read'] },
    ],
  },
  {
    title: '系统管理',
    items: [
      { name: 'users', path: '/console/users', title: '用户管理', icon: UserFilled, perms: ['user:read'] },
      { name: 'roles', path: '/console/roles', title: '角色权限', icon: Lock, perms: ['role:read'] },
      { name: 'audit', path: '/console/audit', title: '审计日志', icon: Document, perms: ['audit:read'] },
    ],
  },
]

export const MENU_ITEMS = MENU_GROUPS.flatMap((g) => g.items.map((i) => ({ ...i, group: g.title })))
