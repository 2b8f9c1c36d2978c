// 公众服务（无需登录）：公众随手拍（上传照片、提交、凭查询码查进度）、执法公示（监控设备设置地点、裁量基准、处罚决定公开）。
// 独立的客户端：从不携带执法人员的令牌，也不会让执法人员退出登录。
import axios from 'axios'
import { ApiError } from './http'

const pub = axios.create({ baseURL: '/api/v1/public', timeout: 60000 })
pub.interceptors.response.use(
  (r) => r,
  (error) => {
    if (!error.response) {
      return Promise.reject(new ApiError({ status: 0, code: 'network.error', detail: '无法连接服务器，请检查网络后重试' }))
    }
    const { status, data } = error.response
    const body = data && typeof data === 'object' ? data : {}
    const fallback = { 404: '查询的内容不存在', 413: '文件太大', 415: '文件类型不支持', 429: '操作过于频繁，请稍后再试' }[status]
    return Promise.reject(
      new ApiError({ status, code: body.code, title: body.title, detail: body.detail || fallback || `请求失败（${status}）`, errors: body.errors }),
    )
  },
)

const data = (r) => r.data

export const reportCategories = () => pub.get('/report-categories').then(data)
export const findPlaces = (q) => pub.get('/places', { params: { q } }).then(data)
export const gridOutlines = () => pub.get('/grids.geojson').then(data)
/** → { url, sha256 } */
export function uploadPhoto(file) {
  const form = new FormData()
  form.append('file', file)
  return pub.post('/media', form).then(data)
}
/** → { tracking_code, status_url } */
export const submitReport = (body) => pub.post('/reports', body).then(data)
export const reportStatus = (code) => pub.get(`/reports/${encodeURIComponent(code)}`).then(data)
export const monitoringSites = () => pub.get('/monitoring-sites').then(data)
export const discretionStandards = () => pub.get('/discretion-standards').then(data)
export const disclosures = (page = 1, pageSize = 20) => pub.get('/disclosures', { params: { page, page_size: pageSize } }).then(data)
