// 执法文书、电子签章与送达：案件的文书（生成、填写、签章、下载）、电子送达确认书、送达记录；
// 以及不需登录的公开接口（文书真伪核验、当事人通过短信链接查看与签收）。
import axios from 'axios'
import http, { ApiError, get, post } from './http'

const API = '/api/v1'
/** The API returns full paths ("/api/v1/documents/…"); the shared client already has /api/v1 as its base. */
const rel = (url) => (url.startsWith(API) ? url.slice(API.length) : url)

/** → { items: [DocumentItem] }（按案卷顺序） */
export const listDocuments = (caseId) => get(`/cases/${caseId}/documents`)
/** → [{ kind, title, numbered, basis, editable, available, reason }] */
export const documentKinds = (caseId) => get(`/cases/${caseId}/document-kinds`)
/** 生成（或刷新）文书草稿 → DocumentItem */
export const generateDocument = (caseId, kind, fields) => post(`/cases/${caseId}/documents`, fields ? { kind, fields } : { kind })
export const getDocument = (id) => get(`/documents/${id}`)
/** 填写承办人撰写的内容（仅草稿；其他键 422 document.locked_field，已签章 409 document.sealed） */
export const writeFields = (id, fields) => http.put(`/documents/${id}/fields`, { fields }).then((r) => r.data)
/** 手写签名：body { role: 'officer'|'party', signature: PNG data URL, signer_name? } → DocumentItem（第五十二条） */
export const signDocument = (id, body) => post(`/documents/${id}/signatures`, body)
/** 电子签章：algorithm 'rsa'（标准签名）或 'sm2'（国密）→ DocumentItem */
export const sealDocument = (id, algorithm) => post(`/documents/${id}/seal`, { algorithm })

/** 电子送达确认书（第六十一条第二款）→ { items: [consent] } */
export const listConsents = (caseId) => get(`/cases/${caseId}/service-consents`)
/** body: { party_name, phone, channels: ['sms','portal'], signature: 'data:image/png;base64,…' } → consent */
export const createConsent = (caseId, body) => post(`/cases/${caseId}/service-consents`, body)
/** body: { method: 'electronic'|'on_site'|'paper', recipient?, served_on?, refused?, note? } → Delivery */
export const createDelivery = (documentId, body) => post(`/documents/${documentId}/deliveries`, body)
/** → { items: [Delivery] } */
export const listDeliveries = (caseId) => get(`/cases/${caseId}/deliveries`)

function fileNameOf(headers, fallback) {
  const cd = headers?.['content-disposition'] || ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      /* fall through */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd)
  return plain ? plain[1] : fallback
}

/** A protected file (PDF/DOCX) fetched with the bearer token → { blob, name }. */
export async function fetchFile(url, fallbackName = '文书') {
  const res = await http.get(rel(url), { responseType: 'blob', timeout: 60000 })
  return { blob: res.data, name: fileNameOf(res.headers, fallbackName) }
}

/** Save a blob as a file through a temporary object URL. */
export function saveBlob(blob, name) {
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10000)
}

// ---- Public (no login): a separate client that never sends the officer's token nor logs anyone out. ----

const pub = axios.create({ baseURL: `${API}/public`, timeout: 60000 })
pub.interceptors.response.use(
  (r) => r,
  (error) => {
    if (!error.response) {
      return Promise.reject(new ApiError({ status: 0, code: 'network.error', detail: '无法连接服务器，请检查网络后重试' }))
    }
    const { status, data } = error.response
    const body = data && typeof data === 'object' ? data : {}
    const fallback = status === 404 ? '链接无效或文书不存在' : `请求失败（${status}）`
    return Promise.reject(new ApiError({ status, code: body.code, title: body.title, detail: body.detail || fallback, errors: body.errors }))
  },
)

/** 文书核验 → { title, document_no, bureau, sealed, sealed_at, algorithm, sha256, signature, ok, message } */
export const publicVerify = (token) => pub.get(`/verify/${encodeURIComponent(token)}`).then((r) => r.data)
/** 上传文件与存档原件比对 → { matches, sha256, intact, valid, trusted, ok, message } */
export function publicVerifyFile(token, file) {
  const form = new FormData()
  form.append('file', file)
  return pub.post(`/verify/${encodeURIComponent(token)}`, form).then((r) => r.data)
}
/** 当事人打开送达链接（首次打开即记录送达时间）→ { title, document_no, bureau, party_name, sent_at, opened_at, … } */
export const publicDelivery = (token) => pub.get(`/deliveries/${encodeURIComponent(token)}`).then((r) => r.data)
/** 当事人签收：signature 为手写签名 PNG data URL */
export const publicReceipt = (token, signature) =>
  pub.post(`/deliveries/${encodeURIComponent(token)}/receipt`, { signature }).then((r) => r.data)

export const ALGORITHMS = { rsa: '标准数字签名（RSA）', ecdsa: '标准数字签名（ECDSA）', sm2: '国密 SM2' }
