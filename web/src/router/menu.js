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
  Reading,
  Tickets,
  Money,
  Setting,
  Compass,
  List,
  AlarmClock,
  SetUp,
  Files,
  Stamp,
  Connection,
  Shop,
  Message,
  Cpu,
  Bell,
  Checked,
  VideoCamera,
  Monitor,
  Wallet,
  Coin,
  DataAnalysis,
} from '@element-plus/icons-vue'

const LAW_READ = ['law:read', 'law:write']
const SOURCE_READ = ['source:read']
const CASE_READ = ['case:read']
const PAYMENT_READ = ['payment:read', 'payment:manage']

export const MENU_GROUPS = [
  {
    title: '概览',
    items: [
      { name: 'dashboard', path: '/console/dashboard', title: '工作台', icon: Odometer, perms: [] },
      { name: 'analytics', path: '/console/analytics', title: '数据分析', icon: DataAnalysis, perms: ['source:read', 'case:read'] },
    ],
  },
  {
    title: '指挥调度',
    items: [
      {
        name: 'dispatch-map',
        path: '/console/dispatch/map',
        title: '指挥调度一张图',
        icon: Compass,
        perms: ['dispatch:read'],
      },
      { name: 'sources', path: '/console/sources', title: '案源管理', icon: List, perms: SOURCE_READ },
      { name: 'supervisions', path: '/console/supervisions', title: '督办', icon: AlarmClock, perms: SOURCE_READ },
      { name: 'source-rules', path: '/console/source-rules', title: '案源规则', icon: SetUp, perms: ['source:manage'] },
    ],
  },
  {
    title: '视频智能巡查',
    items: [
      { name: 'video-patrol', path: '/console/video/patrol', title: '视频轮巡', icon: Monitor, perms: ['device:read', 'dispatch:read'] },
      { name: 'video-alarms', path: '/console/video/alarms', title: '视频告警', icon: Bell, perms: SOURCE_READ },
      { name: 'video-cameras', path: '/console/video/cameras', title: '视频设备审核', icon: VideoCamera, perms: ['device:read'] },
    ],
  },
  {
    title: '执法办案',
    items: [
      { name: 'cases', path: '/console/cases', title: '案件列表', icon: Files, perms: CASE_READ },
      { name: 'case-inbox', path: '/console/cases/inbox', title: '审批待办', icon: Stamp, perms: ['case:approve', 'legal:review'] },
      { name: 'case-chains', path: '/console/cases/chains', title: '审批流程配置', icon: Connection, perms: ['case:configure'] },
    ],
  },
  {
    title: '缴款管理',
    items: [
      { name: 'payment-reconciliation', path: '/console/payments/reconciliation', title: '缴款对账', icon: Wallet, perms: PAYMENT_READ },
      { name: 'payment-cash', path: '/console/payments/cash', title: '当场收缴', icon: Coin, perms: PAYMENT_READ },
    ],
  },
  {
    title: '物联感知',
    items: [
      { name: 'iot-devices', path: '/console/iot/devices', title: '物联设备', icon: Cpu, perms: ['device:read'] },
      { name: 'iot-alarms', path: '/console/iot/alarms', title: '物联告警', icon: Bell, perms: ['device:read'] },
    ],
  },
  {
    title: '商户管理',
    items: [
      { name: 'merchants', path: '/console/merchants', title: '商户档案', icon: Shop, perms: ['merchant:read'] },
      { name: 'notices', path: '/console/notices', title: '整改通知', icon: Bell, perms: ['source:read', 'merchant:read'] },
      { name: 'shop-claims', path: '/console/shop-claims', title: '店铺认领审核', icon: Checked, perms: ['merchant:read'] },
    ],
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
    title: '法律知识库',
    items: [
      { name: 'law-library', path: '/console/law/library', title: '法律法规库', icon: Reading, perms: LAW_READ },
      { name: 'law-matters', path: '/console/law/matters', title: '执法事项', icon: Tickets, perms: LAW_READ },
      { name: 'law-assess', path: '/console/law/assess', title: '裁量计算', icon: Money, perms: LAW_READ },
      { name: 'law-admin', path: '/console/law/admin', title: '知识库维护', icon: Setting, perms: ['law:write'] },
    ],
  },
  {
    title: '系统管理',
    items: [
      { name: 'users', path: '/console/users', title: '用户管理', icon: UserFilled, perms: ['user:read'] },
      { name: 'roles', path: '/console/roles', title: '角色权限', icon: Lock, perms: ['role:read'] },
      { name: 'audit', path: '/console/audit', title: '审计日志', icon: Document, perms: ['audit:read'] },
      { name: 'sms', path: '/console/sms', title: '短信发件箱', icon: Message, perms: ['sms:read', 'audit:read'] },
    ],
  },
]

export const MENU_ITEMS = MENU_GROUPS.flatMap((g) => g.items.map((i) => ({ ...i, group: g.title })))

// Pages reached from a menu page (not in the sidebar); activeMenu keeps their menu item highlighted.
export const DETAIL_ITEMS = [
  {
    name: 'on-duty',
    path: '/console/on-duty',
    title: '在岗执法人员',
    group: '概览',
    perms: ['dispatch:read'],
    activeMenu: '/console/dashboard',
  },
  {
    name: 'law-reader',
    path: '/console/law/laws/:id',
    title: '法规全文',
    group: '法律知识库',
    perms: LAW_READ,
    activeMenu: '/console/law/library',
  },
  {
    name: 'law-matter',
    path: '/console/law/matters/:code',
    title: '执法事项详情',
    group: '法律知识库',
    perms: LAW_READ,
    activeMenu: '/console/law/matters',
  },
  {
    name: 'source-detail',
    path: '/console/sources/:id',
    title: '案源详情',
    group: '指挥调度',
    perms: SOURCE_READ,
    activeMenu: '/console/sources',
  },
  {
    name: 'video-zones',
    path: '/console/video/cameras/:id/zones',
    title: '识别区域',
    group: '视频智能巡查',
    perms: ['device:read', 'dispatch:read'],
    activeMenu: '/console/video/cameras',
  },
  {
    name: 'video-alarm',
    path: '/console/video/alarms/:id',
    title: '视频告警详情',
    group: '视频智能巡查',
    perms: SOURCE_READ,
    activeMenu: '/console/video/alarms',
  },
  {
    name: 'case-detail',
    path: '/console/cases/:id',
    title: '案件详情',
    group: '执法办案',
    perms: CASE_READ,
    activeMenu: '/console/cases',
  },
]
