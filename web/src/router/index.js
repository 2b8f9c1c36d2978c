import { createRouter, createWebHistory } from 'vue-router'
import { ElMessage } from 'element-plus'
import { useAuthStore } from '@/stores/auth'
import { useLabelsStore } from '@/stores/labels'
import { MENU_ITEMS, DETAIL_ITEMS } from './menu'
import { portalToken } from '@/api/portal'

export const PHONE_MAX_WIDTH = 768
export const isPhoneViewport = () => window.innerWidth < PHONE_MAX_WIDTH
export const homePath = () => (isPhoneViewport() ? '/m/' : '/console/')

const consoleViews = {
  dashboard: () => import('@/views/console/DashboardView.vue'),
  analytics: () => import('@/views/console/analytics/AnalyticsView.vue'),
  'org-units': () => import('@/views/console/OrgUnitsView.vue'),
  officers: () => import('@/views/console/OfficersView.vue'),
  equipment: () => import('@/views/console/EquipmentView.vue'),
  grids: () => import('@/views/console/GridsView.vue'),
  users: () => import('@/views/console/UsersView.vue'),
  roles: () => import('@/views/console/RolesView.vue'),
  audit: () => import('@/views/console/AuditView.vue'),
  sms: () => import('@/views/console/SmsOutboxView.vue'),
  'law-library': () => import('@/views/console/law/LibraryView.vue'),
  'law-matters': () => import('@/views/console/law/MattersView.vue'),
  'law-assess': () => import('@/views/console/law/AssessView.vue'),
  'law-admin': () => import('@/views/console/law/AdminView.vue'),
  'law-reader': () => import('@/views/console/law/LawReaderView.vue'),
  'law-matter': () => import('@/views/console/law/MatterDetailView.vue'),
  'dispatch-map': () => import('@/views/console/dispatch/CommandMapView.vue'),
  sources: () => import('@/views/console/sources/SourcesView.vue'),
  'source-detail': () => import('@/views/console/sources/SourceDetailView.vue'),
  supervisions: () => import('@/views/console/sources/SupervisionsView.vue'),
  'source-rules': () => import('@/views/console/sources/SourceRulesView.vue'),
  cases: () => import('@/views/console/cases/CasesView.vue'),
  'case-inbox': () => import('@/views/console/cases/CaseInboxView.vue'),
  'case-chains': () => import('@/views/console/cases/ApprovalChainsView.vue'),
  'case-detail': () => import('@/views/console/cases/CaseDetailView.vue'),
  merchants: () => import('@/views/console/merchants/MerchantsView.vue'),
  notices: () => import('@/views/console/notices/NoticesView.vue'),
  'shop-claims': () => import('@/views/console/notices/ShopClaimsView.vue'),
  'iot-devices': () => import('@/views/console/iot/IotDevicesView.vue'),
  'iot-alarms': () => import('@/views/console/iot/IotAlarmsView.vue'),
  'video-patrol': () => import('@/views/console/video/PatrolView.vue'),
  'video-alarms': () => import('@/views/console/video/AlarmsView.vue'),
  'video-cameras': () => import('@/views/console/video/CamerasView.vue'),
  'video-zones': () => import('@/views/console/video/ZoneEditorView.vue'),
  'payment-reconciliation': () => import('@/views/console/payments/ReconciliationView.vue'),
  'payment-cash': () => import('@/views/console/payments/CashCollectionsView.vue'),
  'video-alarm': () => import('@/views/console/video/AlarmDetailView.vue'),
  'on-duty': () => import('@/views/console/OnDutyView.vue'),
}

const routes = [
  { path: '/', redirect: () => homePath() },
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, title: '登录' },
    // Already signed in with a live token: go straight to the home screen.
    beforeEnter: async () => {
      const auth = useAuthStore()
      if (!auth.token) return true
      try {
        if (!auth.me) await auth.loadMe()
        return homePath()
      } catch {
        return true
      }
    },
  },
  {
    // 管理员重置密码后的强制修改（登录后、进入任何其他页面之前）。
    path: '/password',
    name: 'password-change',
    component: () => import('@/views/PasswordChangeView.vue'),
    meta: { title: '修改密码' },
  },
  {
    // 指挥大屏：全屏深色（1920×1080 设计按窗口缩放），须登录；大屏数据自带名称，不取枚举名称，首屏共 3 个请求。
    path: '/screen',
    name: 'screen',
    component: () => import('@/views/screen/ScreenView.vue'),
    meta: { title: '指挥大屏', labels: false, perms: ['source:read', 'case:read'] },
  },
  {
    path: '/console',
    component: () => import('@/layouts/ConsoleLayout.vue'),
    redirect: '/console/dashboard',
    children: [...MENU_ITEMS, ...DETAIL_ITEMS].map((item) => ({
      path: item.path.replace('/console/', ''),
      name: item.name,
      component: consoleViews[item.name],
      meta: { title: item.title, group: item.group, perms: item.perms, activeMenu: item.activeMenu },
    })),
  },
  {
    path: '/m',
    component: () => import('@/layouts/MobileLayout.vue'),
    redirect: '/m/tasks',
    children: [
      { path: 'tasks', name: 'm-tasks', component: () => import('@/views/mobile/TasksView.vue'), meta: { title: '我的任务' } },
      { path: 'report', name: 'm-report', component: () => import('@/views/mobile/ReportView.vue'), meta: { title: '上报' } },
      { path: 'law', name: 'm-law', component: () => import('@/views/mobile/LawView.vue'), meta: { title: '法规', perms: ['law:read', 'law:write'] } },
      {
        path: 'law/matters/:code',
        name: 'm-law-matter',
        component: () => import('@/views/mobile/LawMatterView.vue'),
        meta: { title: '执法事项', perms: ['law:read', 'law:write'] },
      },
      {
        path: 'penalty',
        name: 'm-penalty',
        component: () => import('@/views/mobile/PenaltyView.vue'),
        meta: { title: '当场处罚', perms: ['case:write'] },
      },
      {
        path: 'evidence',
        name: 'm-evidence',
        component: () => import('@/views/mobile/EvidenceView.vue'),
        meta: { title: '现场取证', perms: ['case:write'] },
      },
      { path: 'me', name: 'm-me', component: () => import('@/views/mobile/MeView.vue'), meta: { title: '我的' } },
    ],
  },
  // 公开页面（无需登录）：文书二维码核验、当事人的电子送达链接（短信）。
  {
    path: '/verify/:token',
    name: 'public-verify',
    component: () => import('@/views/public/VerifyView.vue'),
    meta: { public: true, title: '文书核验' },
  },
  {
    // 模拟支付渠道的支付页（开发测试；生产环境的接口拒绝）：缴款单的 pay_url。
    path: '/sim-pay/:orderNo',
    name: 'sim-pay',
    component: () => import('@/views/public/SimPayView.vue'),
    meta: { public: true, title: '支付' },
  },
  {
    path: '/s/:token',
    name: 'public-delivery',
    component: () => import('@/views/public/DeliveryView.vue'),
    meta: { public: true, title: '文书送达' },
  },
  // 公众服务（公开）：随手拍、办理进度查询、执法公示。
  {
    path: '/public/report',
    name: 'public-report',
    component: () => import('@/views/public/ReportView.vue'),
    meta: { public: true, title: '公众随手拍' },
  },
  {
    path: '/public/track/:code?',
    name: 'public-track',
    component: () => import('@/views/public/TrackView.vue'),
    meta: { public: true, title: '办理进度查询' },
  },
  {
    path: '/public/notice',
    name: 'public-notice',
    component: () => import('@/views/public/NoticeView.vue'),
    meta: { public: true, title: '执法公示' },
  },
  // 商户端（公开区域，不用执法人员的登录）：签署电子送达确认书的当事人以手机号 + 短信验证码登录，查看送达给本人的文书。
  {
    path: '/portal/login',
    name: 'portal-login',
    component: () => import('@/views/portal/PortalLoginView.vue'),
    meta: { public: true, title: '商户端登录' },
  },
  {
    path: '/portal',
    name: 'portal-home',
    component: () => import('@/views/portal/PortalHomeView.vue'),
    meta: { public: true, title: '我的执法文书' },
    // No portal token: to the portal's own login page (the page itself handles a token the server refuses).
    beforeEnter: () => (portalToken() ? true : { name: 'portal-login' }),
  },
  // 一店一码（打烊提示牌上的城市共治识别码）：店铺公开页、认领、我的店铺、通知与整改、反映问题；陈述申辩与听证。
  {
    path: '/portal/shop/:code',
    name: 'portal-shop',
    component: () => import('@/views/portal/ShopView.vue'),
    meta: { public: true, title: '城市共治识别码' },
  },
  {
    path: '/portal/shop/:code/claim',
    name: 'portal-shop-claim',
    component: () => import('@/views/portal/ShopClaimView.vue'),
    meta: { public: true, title: '认领店铺' },
  },
  {
    path: '/portal/shop/:code/home',
    name: 'portal-shop-home',
    component: () => import('@/views/portal/ShopHomeView.vue'),
    meta: { public: true, title: '我的店铺' },
  },
  {
    path: '/portal/shop/:code/notices/:id',
    name: 'portal-shop-notice',
    component: () => import('@/views/portal/ShopNoticeView.vue'),
    meta: { public: true, title: '通知与整改' },
    beforeEnter: (to) => (portalToken() ? true : { name: 'portal-shop', params: { code: to.params.code } }),
  },
  {
    path: '/portal/shop/:code/report',
    name: 'portal-shop-report',
    component: () => import('@/views/portal/ShopReportView.vue'),
    meta: { public: true, title: '反映问题' },
    beforeEnter: (to) => (portalToken() ? true : { name: 'portal-shop', params: { code: to.params.code } }),
  },
  {
    path: '/portal/cases/:id',
    name: 'portal-case',
    component: () => import('@/views/portal/PortalCaseView.vue'),
    meta: { public: true, title: '陈述申辩与听证' },
    beforeEnter: () => (portalToken() ? true : { name: 'portal-login' }),
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { public: true, title: '页面不存在' },
  },
]

const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  // Public pages (verification, delivery links, the merchant portal) never ask for the staff login.
  if (to.meta.public || to.path === '/portal' || to.path.startsWith('/portal/')) return true
  if (!auth.token) return { name: 'login', query: { redirect: to.fullPath } }
  if (auth.idleExpired()) {
    auth.clear('长时间未操作，登录已超时，请重新登录')
    return { name: 'login', query: { redirect: to.fullPath } }
  }
  if (!auth.me) {
    try {
      await auth.loadMe()
    } catch (err) {
      if (err.status !== 401) auth.clear(err.detail || '无法获取当前用户信息')
      else auth.clear(err.detail)
      return { name: 'login', query: { redirect: to.fullPath } }
    }
  }
  if (auth.mustChangePassword && to.name !== 'password-change') {
    return { name: 'password-change', query: { redirect: to.fullPath } }
  }
  // The enum labels, fetched once per session before the first page (a page falls back to raw values if they fail).
  if (to.meta.labels !== false) await useLabelsStore().load()
  if (to.meta.perms && !auth.canAny(to.meta.perms)) {
    ElMessage.warning({ message: `无权访问「${to.meta.title}」`, grouping: true })
    return { name: 'dashboard' }
  }
  auth.touch()
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 城管综合执法平台` : '城管综合执法平台'
})

export default router
