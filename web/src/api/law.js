// 法律知识库：法律法规、全文检索、执法事项、案由推荐、裁量计算与维护（金额一律为「分」）。
import http, { ApiError, get, post, patch } from './http'
import { regionApplies } from '@/utils/law'

export const listLaws = (params) => get('/law/laws', params)
export const getLaw = (id) => get(`/law/laws/${id}`)
export const importLaw = (body) => post('/law/laws', body)
export const updateLaw = (id, body) => patch(`/law/laws/${id}`, body)

export const searchLaw = (params) => get('/law/search', params)

export const listCategories = () => get('/law/categories')
export const listMatters = (params) => get('/law/matters', params)
export const getMatter = (code, region) => get(`/law/matters/${encodeURIComponent(code)}`, { region })
export const matterVersions = (code) => get(`/law/matters/${encodeURIComponent(code)}/versions`)
export const createMatter = (body) => post('/law/matters', body)
export const updateMatter = (code, body) => patch(`/law/matters/${encodeURIComponent(code)}`, body)

export const recommendMatters = (body) => post('/law/recommend', body)
export const assessPenalty = (body) => post('/law/assess', body)

export const listStandards = () => get('/law/standards')
export const getStandard = (code) => get(`/law/standards/${encodeURIComponent(code)}`)
export const replaceStandardTiers = (code, tiers) =>
  http.put(`/law/standards/${encodeURIComponent(code)}/tiers`, { tiers }).then((r) => r.data)

export const listHearingThresholds = () => get('/law/hearing-thresholds')
/** region: a province code such as 370000, or null for the nationwide default. */
export const putHearingThreshold = (region, body) =>
  http.put(`/law/hearing-thresholds/${region || 'default'}`, body).then((r) => r.data)

export function importMattersXlsx(file) {
  const form = new FormData()
  form.append('file', file)
  return http.post('/law/matters:import', form).then((r) => r.data)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
let codeIndex = null
/** A law by its id or by its code (matters cite laws by code, e.g. daqi). */
export async function getLawByIdOrCode(idOrCode) {
  if (UUID.test(idOrCode)) return getLaw(idOrCode)
  if (!codeIndex || !codeIndex[idOrCode]) {
    const res = await listLaws({ page_size: 200, region: 'all' }) // a matter may cite another region's text
    codeIndex = Object.fromEntries((res.items || []).map((l) => [l.code, l.id]))
  }
  const id = codeIndex[idOrCode]
  if (!id) throw new ApiError({ status: 404, code: 'law.not_found', detail: `法律法规「${idOrCode}」不存在` })
  return getLaw(id)
}

/**
 * A matter with the discretion standard of `region` (absent: the caller's unit's region, `mine` when the page knows
 * it); the server shows a local matter looked up from outside its region with its own region's standard, the only
 * place it applies. Returns { matter, region: the region applied, outside: whether that is not the one asked for }.
 */
export async function getMatterForRegion(code, region, mine = null) {
  const matter = await getMatter(code, region || undefined)
  const asked = region || mine
  const outside = !!(matter.region_code && asked && !regionApplies(matter.region_code, asked))
  return { matter, region: outside ? matter.region_code : asked || matter.region_code || null, outside }
}
