// The one HTTP client of the app: adds the Bearer token, turns problem+json into ApiError,
// and sends the user back to /login when the token is no longer accepted (401).
import axios from 'axios'

export const TOKEN_KEY = 'chengguan.token'

export class ApiError extends Error {
  constructor({ status, code, detail, title, errors }) {
    super(detail || title || `请求失败（${status}）`)
    this.status = status
    this.code = code || ''
    this.detail = detail || title || ''
    this.errors = Array.isArray(errors) ? errors : []
  }
}

const http = axios.create({ baseURL: '/api/v1', timeout: 30000 })

let onUnauthorized = null
/** Registered by the auth store: called once per 401 outside the login call. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

http.interceptors.request.use((config) => {
  const token = localStorage.getItem(TOKEN_KEY)
  if (token) config.headers.Authorization = `Bearer ${token}`
  return config
})

function networkError(error) {
  if (error.code === 'ECONNABORTED') return new ApiError({ status: 0, code: 'network.timeout', detail: '请求超时，请稍后重试' })
  return new ApiError({ status: 0, code: 'network.error', detail: '无法连接服务器，请检查网络' })
}

http.interceptors.response.use(
  (response) => response,
  (error) => {
    if (!error.response) return Promise.reject(networkError(error))
    const { status, data } = error.response
    const body = data && typeof data === 'object' ? data : {}
    const apiError = new ApiError({
      status,
      code: body.code,
      title: body.title,
      detail: body.detail || defaultDetail(status),
      errors: body.errors,
    })
    const isLogin = (error.config?.url || '').includes('/auth/login')
    if (status === 401 && !isLogin && onUnauthorized) onUnauthorized(apiError)
    return Promise.reject(apiError)
  },
)

function defaultDetail(status) {
  return (
    {
      400: '请求有误',
      401: '未登录或登录已失效',
      403: '无权限执行此操作',
      404: '记录不存在或不在数据权限范围内',
      409: '数据冲突，请刷新后重试',
      422: '参数校验失败',
      423: '账号已锁定',
      500: '服务器内部错误',
      502: '服务暂不可用',
      503: '服务暂不可用',
    }[status] || `请求失败（${status}）`
  )
}

/** Drop empty filter values so the backend does not receive `?q=&unit_id=`. */
export function cleanParams(params = {}) {
  const out = {}
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    out[k] = v
  }
  return out
}

export const get = (url, params) => http.get(url, { params: cleanParams(params) }).then((r) => r.data)
export const post = (url, body) => http.post(url, body).then((r) => r.data)
export const patch = (url, body) => http.patch(url, body).then((r) => r.data)
export const del = (url) => http.delete(url).then((r) => r.data)
export const put = (url, body) => http.put(url, body).then((r) => r.data)

export default http
