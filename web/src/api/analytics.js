// 数据分析研判：多维统计、趋势（环比/同比）、热点网格、屡查屡犯、诉求与处罚吻合度、办结时长、今日指标、最新告警、
// 指标目录（统计口径）、月报；每张统计表可导出 Excel（format=xlsx，记入审计日志）。金额一律为「分」。
import http, { get } from './http'

const clean = (params) => Object.fromEntries(Object.entries(params || {}).filter(([, v]) => v !== undefined && v !== null && v !== ''))

/** { measure: sources|cases|fines, by: district|street|category|channel|hour|day|month|industry, from, to } → { rows, total, unit, engine, as_of } */
export const getCube = (params) => get('/analytics/cube', params)
/** { measure, from, to, by? } → { labels, current, previous, last_year, totals, change_pct, windows } */
export const getTrend = (params) => get('/analytics/trend', params)
export const getRankings = (params) => get('/analytics/rankings', params)
export const getHotspots = (params) => get('/analytics/hotspots', params)
export const getRepeatOffenders = (params) => get('/analytics/repeat-offenders', params)
/** { from, to, by: district|street|category } → { rows: [{ label, complaints, cases, complaint_share, case_share, gap }], match_pct } */
export const getMatch = (params) => get('/analytics/match', params)
export const getHandlingTimes = (params) => get('/analytics/handling-times', params)
export const getToday = () => get('/analytics/today')
export const getAlarms = (params) => get('/analytics/alarms', params)
export const getIndicators = () => get('/analytics/indicators')
export const getSnapshot = () => get('/analytics/snapshot')

function filename(res, fallback) {
  const header = res.headers?.['content-disposition'] || ''
  const m = /filename\*=UTF-8''([^;]+)/.exec(header)
  return m ? decodeURIComponent(m[1]) : fallback
}

/** Any GET download (Excel/PDF) with query params (arrays repeated: status=a&status=b) → { blob, name } */
export async function download(path, params, fallback) {
  const res = await http.get(path, { params: clean(params), paramsSerializer: { indexes: null }, responseType: 'blob', timeout: 300000 })
  return { blob: res.data, name: filename(res, fallback) }
}
/** 统计表导出：path 为 /analytics/cube 等，params 为页面当前条件 */
export const exportTable = (path, params) => download(path, { ...params, format: 'xlsx' }, '统计表.xlsx')
/** 月报：month YYYY-MM，format xlsx | pdf */
export const monthlyReport = (month, format) =>
  download('/analytics/monthly-report', { month, format }, `月度统计报表.${format}`)

/** 在岗执法人员：{ status?: available|busy, page, page_size } → { items, total } */
export const getOnDuty = (params) => get('/analytics/on-duty', params)
/** 大屏：一次取全（核心指标、30 日趋势、排名、热点、最新告警、地图点位与边界 outlines） */
export const getScreen = () => get('/analytics/screen')
