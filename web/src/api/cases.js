// 执法办案：案件列表、详情（时限、可办操作、审批、全过程记录）、立案 / 当场处罚、办理操作（金额一律为「分」）。
import http, { del, get, patch, post } from './http'

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
/** 补正案件信息（调查终结、案件审核前，第五十四条）：body CaseParticularsIn { version, reason, facts?, address?, act_at?, party? } */
export const amendCase = (id, body) => patch(`/cases/${id}`, body)
// 个人信息默认脱敏显示（身份证号 370202********1234、电话 138****5678、地址只到区县街道）；有 personal_data:view
// 权限者可查看完整信息，每次查看都记入审计日志（personal_data.read）。
/** → { id_no, phone, address, masked: false } */
export const revealParty = (id) => post(`/cases/${id}/party:reveal`)
/** 导出案件台账（Excel，GET /cases/export.xlsx）：params 为列表筛选条件 + reveal（完整个人信息，须权限并记入审计）→ { blob, name } */
export async function exportCases(params) {
  const res = await http.get('/cases/export.xlsx', { ...listParams(params), responseType: 'blob', timeout: 300000 })
  return { blob: res.data, name: '案件台账.xlsx' }
}
/** body: CaseActionIn { version, idempotency_key, reason?, on?, penalty?, … } → CaseDetail */
export const actOnCase = (id, action, body) => post(`/cases/${id}/actions/${action}`, body)
/** 撤回已公开的处罚决定（第四十八条第二款）：body { reason, changed_on? } → CaseDetail（需 case:approve） */
export const withdrawDisclosure = (id, body) => post(`/cases/${id}/disclosure:withdraw`, body)

// 审批流程配置（需 case:configure）：按单位（含下级）或全平台、按程序与审批环节设置审批链。
/** → [{ id|null, unit_id|null, unit_name|null, procedure, stage, stage_label, steps: [{ role, label }], default }] */
export const listChains = () => get('/approval-chains')
/** body: { unit_id?, procedure: 'ordinary', stage, steps: [{ role, label }] }（0–6 步，空表示无需审批）→ 新建或覆盖 */
export const putChain = (body) => http.put('/approval-chains', body).then((r) => r.data)
/** 删除后回到上级单位、全平台或默认审批链 */
export const deleteChain = (id) => del(`/approval-chains/${id}`)
