// 证据存证：案件的证据（上传、列表、详情、原件）、电子技术监控设备记录的两级审核（《行政处罚法》第四十一条）、
// 单件证据的存证证明（账本记录、批次、Merkle 审计路径与校验结果）、整个证据账本的校验（需 audit:read）。
import http, { get, post } from './http'

const API = '/api/v1'
/** The API returns full paths ("/api/v1/evidence/…/file"); the shared client already has /api/v1 as its base. */
const rel = (url) => (url.startsWith(API) ? url.slice(API.length) : url)

/** → { items: [EvidenceItem] }（按采集时间） */
export const listEvidence = (caseId) => get(`/cases/${caseId}/evidence`)
export const getEvidence = (id) => get(`/evidence/${id}`)
/** body: { passed, opinion }；级别由服务端按状态确定（技术审核 → 法制审核）→ EvidenceItem */
export const reviewEvidence = (id, body) => post(`/evidence/${id}/reviews`, body)
/** → { entry, batch|null, proof|null, verified, reasons: [{ seq, item_id, reason, message_zh }] } */
export const evidenceProof = (id) => get(`/evidence/${id}/proof`)
/** → { ok, checked, files_checked, batches_checked, head_seq, first_break, seconds } */
export const verifyLedger = () => get('/evidence/verify', undefined)

/**
 * 上传一件证据（multipart）。fields: { title, origin, captured_at(ISO), lng, lat, address, device, description, kind }；
 * 空值不发送。onProgress(percent) 报告上传进度。→ EvidenceItem（201）
 */
export function uploadEvidence(caseId, file, fields = {}, onProgress) {
  const form = new FormData()
  form.append('file', file, file.name || 'evidence')
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || v === '') continue
    form.append(k, String(v))
  }
  return http
    .post(`/cases/${caseId}/evidence`, form, {
      timeout: 10 * 60 * 1000, // body-camera video over a mobile network
      onUploadProgress: (e) => onProgress?.(e.total ? Math.round((e.loaded / e.total) * 100) : 0),
    })
    .then((r) => r.data)
}

/** The evidence file fetched with the bearer token → Blob (for thumbnails, players and download). */
export async function fetchEvidenceBlob(item) {
  const res = await http.get(rel(item.file_url), { responseType: 'blob', timeout: 5 * 60 * 1000 })
  return res.data
}
