// 商户端（当事人门户，公开）：签署电子送达确认书（《行政处罚法》第六十一条第二款）并选择「商户端」渠道的当事人，
// 以手机号 + 短信验证码登录，查看送达给自己的执法文书。独立的客户端：不带执法人员的令牌，也不会让执法人员退出登录。
import axios from 'axios'
import { ApiError } from './http'

export const PORTAL_TOKEN_KEY = 'cg-portal-token'

export const portalToken = () => localStorage.getItem(PORTAL_TOKEN_KEY) || ''
export const setPortalToken = (token) => (token ? localStorage.setItem(PORTAL_TOKEN_KEY, token) : localStorage.removeItem(PORTAL_TOKEN_KEY))
export const clearPortalToken = () => localStorage.removeItem(PORTAL_TOKEN_KEY)

const portal = axios.create({ baseURL: '/api/v1/portal', timeout: 30000 })

portal.interceptors.request.use((config) => {
  const token = portalToken()
  if (token) config.headers.Authorization = `Bearer ${token}`
  return config
})

function defaultDetail(status) {
  return (
    {
      401: '登录已失效，请重新登录',
      404: '请求的内容不存在',
      422: '填写的内容有误',
      429: '操作过于频繁，请稍后再试',
    }[status] || `请求失败（${status}）`
  )
}

/** Seconds to wait from a 429: the body's retry_after, else the Retry-After header. */
function retryAfterOf(body, headers) {
  const n = Number(body?.retry_after ?? headers?.['retry-after'])
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0
}

portal.interceptors.response.use(
  (r) => r,
  (error) => {
    if (!error.response) {
      const timeout = error.code === 'ECONNABORTED'
      return Promise.reject(
        new ApiError({
          status: 0,
          code: timeout ? 'network.timeout' : 'network.error',
          detail: timeout ? '请求超时，请稍后重试' : '无法连接服务器，请检查网络后重试',
        }),
      )
    }
    const { status, data, headers } = error.response
    const body = data && typeof data === 'object' ? data : {}
    const apiError = new ApiError({ status, code: body.code, title: body.title, detail: body.detail || defaultDetail(status), errors: body.errors })
    if (status === 429) apiError.retryAfter = retryAfterOf(body, headers)
    // A token the server no longer accepts is dropped (only from the signed-in calls, not from the login itself).
    const url = error.config?.url || ''
    const claiming = /\/claim(-code|-agent)?$/.test(url) // a wrong SMS code is 401 too: not a dead token
    const signedIn = ['/me', '/deliveries', '/cases', '/payments'].some((p) => url.startsWith(p)) || /^\/shops(\/[^/]+\/.+)?$/.test(url)
    if (status === 401 && signedIn && !claiming) clearPortalToken()
    return Promise.reject(apiError)
  },
)

/** 发送登录验证码 → { sent, expires_in, retry_after }；422 portal.phone，429 portal.too_soon（err.retryAfter 秒） */
export const sendLoginCode = (phone) => portal.post('/login-code', { phone }).then((r) => r.data)

/** 验证码登录 → { access_token, token_type, expires_at, account: { id, phone, display_name } }；成功即保存令牌。401 portal.code_invalid */
export async function portalLogin(phone, code) {
  const data = await portal.post('/login', { phone, code }).then((r) => r.data)
  setPortalToken(data.access_token)
  return data
}

/** 当前账号 → { id, phone, display_name }；401 时令牌已被清除 */
export const portalMe = () => portal.get('/me').then((r) => r.data)

/** 送达给本人的文书（新的在前）→ { items: [{ id, title, document_no, bureau, case_code, party_name, sent_at, opened_at, status, status_label, link }] } */
export const portalDeliveries = () => portal.get('/deliveries').then((r) => r.data)

/**
 * 我的罚款（码上付）→ { items: [{ case_id, case_code, decision_title, decision_no, delivery_id, bureau, served, payable, refusal,
 *   due: { fine_fen, paid_fen, late_fee_fen, late_fee_days, amount_due_fen, payment_due_on, overdue, basis },
 *   open_order, receipts: [{ receipt_no, amount_fen, paid_at, receipt_url, verify_url }], paid }] }（加处罚款实时计算到今天）
 */
export const portalPayables = () => portal.get('/payments').then((r) => r.data)

/** 去缴款：生成（或沿用未过期的）缴款单 → { order_no, amount_fen, pay_url, expires_at, … } */
export const portalCreateOrder = (caseId) => portal.post(`/payments/${caseId}/orders`).then((r) => r.data)

/** 退出登录：无论服务器是否应答，本地令牌都会清除。 */
export async function portalLogout() {
  try {
    await portal.post('/logout')
  } finally {
    clearPortalToken()
  }
}


// ---- 一店一码（店铺二维码）：店铺公开页、认领、店铺信息、通知与整改、反映问题、陈述申辩与听证 ----

/** 店铺公开页（带令牌时返回 mine / pending_claim）→ { code, name, address, squad, bureau, claimed, mine, obligations: { frontage, frontage_summary, business_hours, matters } } */
export const shopPage = (code) => portal.get(`/shops/${encodeURIComponent(code)}`).then((r) => r.data)
/** 认领验证码 → { sent, expires_in, retry_after }；429 portal.too_soon */
export const sendClaimCode = (code, phone) => portal.post(`/shops/${encodeURIComponent(code)}/claim-code`, { phone }).then((r) => r.data)
/** 认领（证照核验）body: { phone, code, uscc? , operator_id_no? } → 成功即保存令牌；422 portal.claim_mismatch */
export async function claimShop(code, body) {
  const data = await portal.post(`/shops/${encodeURIComponent(code)}/claim`, body).then((r) => r.data)
  setPortalToken(data.access_token)
  return data
}
/** 委托代理人认领：FormData { phone, sms_code, agent_name, letter } → 待审核，令牌保存 */
export async function claimShopByAgent(code, form) {
  const data = await portal.post(`/shops/${encodeURIComponent(code)}/claim-agent`, form).then((r) => r.data)
  setPortalToken(data.access_token)
  return data
}
export const myShops = () => portal.get('/shops').then((r) => r.data)
export const shopDetails = (code) => portal.get(`/shops/${encodeURIComponent(code)}/details`).then((r) => r.data)
export const updateShopDetails = (code, body) => portal.patch(`/shops/${encodeURIComponent(code)}/details`, body).then((r) => r.data)
export const uploadStorefront = (code, form) => portal.post(`/shops/${encodeURIComponent(code)}/storefront`, form).then((r) => r.data)
/** → [{ notice: NoticeDetail, pdf_url, can_submit }] */
export const shopNotices = (code) => portal.get(`/shops/${encodeURIComponent(code)}/notices`).then((r) => r.data)
export const shopNotice = (code, id) => portal.get(`/shops/${encodeURIComponent(code)}/notices/${id}`).then((r) => r.data)
/** 提交整改：FormData { files[], note?, captured_at[], lng[], lat[] }；409 rectification.overdue（expired_on） */
export const submitRectification = (code, id, form) =>
  portal.post(`/shops/${encodeURIComponent(code)}/notices/${id}/rectification`, form, { timeout: 120000 }).then((r) => r.data)
/** 带令牌取文件（通知书 PDF、整改照片）→ Blob */
export const portalBlob = (url) => portal.get(url.replace(/^\/api\/v1\/portal/, ''), { responseType: 'blob' }).then((r) => r.data)
export const shopReports = (code) => portal.get(`/shops/${encodeURIComponent(code)}/reports`).then((r) => r.data)
/** 反映问题：FormData { category_code, description, address?, lng?, lat?, idempotency_key, photo? } */
export const reportProblem = (code, form) => portal.post(`/shops/${encodeURIComponent(code)}/reports`, form, { timeout: 60000 }).then((r) => r.data)
/** 与我有关的案件 → [{ id, code, matter_name, status_label, statement: { open, ends_on, basis }, hearing, submissions }] */
export const myCases = () => portal.get('/cases').then((r) => r.data)
export const myCase = (id) => portal.get(`/cases/${id}`).then((r) => r.data)
/** 在线陈述申辩：FormData { text, files[] }；409 portal.statement_late（expired_on） */
export const submitStatement = (id, form) => portal.post(`/cases/${id}/statements`, form, { timeout: 120000 }).then((r) => r.data)
export const requestHearing = (id, reason) => portal.post(`/cases/${id}/hearing-request`, { reason }).then((r) => r.data)
/** 可反映的问题类别 → [{ value, label }] */
export const reportCategories = () => portal.get('/report-categories').then((r) => r.data)
/** 本人店铺的物联监测设备告警（油烟超标、净化器未开、设备离线等），最新在前 → [{ shop_code, device_code, device_name, rule_label, state, value, raised_at, cleared_at }] */
export const shopIotAlarms = () => portal.get('/iot-alarms').then((r) => r.data)
