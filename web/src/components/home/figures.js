// 工作台数字：每个数字链接到它的列表（GET /analytics/today 给出 list 与 filters，与列表的查询参数一致）。

const LIST_ROUTES = {
  'case-sources': 'sources',
  cases: 'cases',
  'case-inbox': 'case-inbox',
  'on-duty': 'on-duty',
}

/** The route query of a figure's filters (booleans and numbers as strings, arrays kept: status=a&status=b). */
function asQuery(filters) {
  const out = {}
  for (const [k, v] of Object.entries(filters || {})) {
    if (v === null || v === undefined) continue
    out[k] = Array.isArray(v) ? v.map(String) : String(v)
  }
  return out
}

/** Where a figure links to: its list with the figure's filters (the inbox by its tab; my tasks on 执法通). */
export function figureRoute(f) {
  if (f.list === 'tasks') return { path: '/m/tasks' }
  if (f.list === 'case-inbox') return { name: 'case-inbox', query: f.tab ? { tab: f.tab } : {} }
  const name = LIST_ROUTES[f.list]
  return name ? { name, query: asQuery(f.filters) } : null
}

/** The number as shown: money (fen) in 元 with two decimals, counts with thousands separators. */
export function figureValue(f) {
  if (f.unit === '分') return (f.value / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  return Number(f.value).toLocaleString('zh-CN')
}
export const figureUnit = (f) => (f.unit === '分' ? '元' : f.unit)

// Figures that are bad news when not zero are drawn in red/orange.
export const ALERT_KEYS = new Set(['sources_overdue', 'cases_overdue'])
export const WARN_KEYS = new Set(['cases_due_week', 'approvals_mine', 'legal_review_pending', 'tasks_mine'])
