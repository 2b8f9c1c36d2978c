// 执法办案：案件列表、详情（时限、可办操作、审批、全过程记录）、立案 / 当场处罚、办理操作（金额一律为「分」）。
import http, { get, post } from './http'

/** Axios would send status as status[]=a; the API takes a repeated query parameter (status=a&status=b). */
const listParams = (params) => ({
  params: Object.fromEntries(
    Object.entries(params || {}).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false && !(Array.isArray(v) && !v.length)),
  ),
  paramsSerializer: { indexes: null },
})

/** filters: status[], procedure, unit_id, q, overdue, mine, awaiting_me, page, page_size → { items, total } */
export const listCases = (params) => http.get('/cases', listParams(params)).then((r) => r.data)
export const getCase = (id) => get(`/cases/${id}`)
// 承办人候选：本人单位在岗执法人员（持证者可承办，《行政处罚法》第四十二条）
export const caseColleagues = () => get('/cases/colleagues')
export const caseActions = (id) => get(`/cases/${id}/actions`)
/** body: CaseCreate (procedure, matter_code, party, act_on, officer_ids, penalty?, …) → CaseDetail */
export const createCase = (body) => post('/cases', body)
/** body: CaseActionIn { version, idempotency_key, reason?, on?, penalty?, … } → CaseDetail */
export const actOnCase = (id, action, body) => post(`/cases/${id}/actions/${action}`, body)
/** 撤回已公开的处罚决定（第四十八条第二款）：body { reason, changed_on? } → CaseDetail（需 case:approve） */
export const withdrawDisclosure = (id, body) => post(`/cases/${id}/disclosure:withdraw`, body)
