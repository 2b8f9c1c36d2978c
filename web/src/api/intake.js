// 案源管理：案源列表与详情、动作、督办、规则（环节时限 / 合并 / 静默）、上报与现场照片。
import http, { get, post, del } from './http'

/** Axios would send status as status=a,b; the API takes a repeated query parameter. */
const listParams = (params) => ({
  params: Object.fromEntries(Object.entries(params || {}).filter(([, v]) => v !== undefined && v !== null && v !== '')),
  paramsSerializer: { indexes: null },
})
export const listSources = (params) => http.get('/case-sources', listParams(params)).then((r) => r.data)
export const getSource = (id) => get(`/case-sources/${id}`)
/** action: accept | route | dispatch | arrive | record_outcome | verify | reject_verification | send_back | reassign | void | reopen */
export const actOnSource = (id, action, body) => post(`/case-sources/${id}/actions/${action}`, body)

export const reportSignal = (body) => post('/signals', body)

/** Upload one photo; returns { url, sha256 } (the url is usable in <img> without a token). */
export function uploadMedia(file) {
  const form = new FormData()
  form.append('file', file)
  return http.post('/media', form).then((r) => r.data)
}

export const listSupervisions = (params) => get('/supervisions', params)
export const sweepSupervisions = () => post('/supervisions:sweep')

export const listTimeLimits = () => get('/time-limits')
export const putTimeLimit = (body) => http.put('/time-limits', body).then((r) => r.data)
export const deleteTimeLimit = (id) => del(`/time-limits/${id}`)

export const listDedupRules = () => get('/dedup-rules')
export const putDedupRule = (body) => http.put('/dedup-rules', body).then((r) => r.data)
export const deleteDedupRule = (id) => del(`/dedup-rules/${id}`)

export const listSnoozeRules = (params) => get('/snooze-rules', params)
export const createSnoozeRule = (body) => post('/snooze-rules', body)
export const deactivateSnoozeRule = (id) => post(`/snooze-rules/${id}/deactivate`)
