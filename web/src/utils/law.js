// 法律知识库的显示与计算：地区、条文号、罚款幅度与裁量阶次（计算规则与后端 src/chengguan/law/assess.py 一致）。
import { yuan, yuanNumber, yuanRange } from './money'
import { entryOf, label, options } from '@/stores/labels'

// 法律层级、处罚种类、裁量阶次、当事人类型与情节的中文名称来自 GET /meta/labels（stores/labels.js）；这里只有颜色。
export const LAW_LEVEL_TAG = { law: 'danger', administrative_regulation: 'warning', local_regulation: 'success', rule: 'info' }
export const SEARCH_KIND_TAG = { law: 'primary', article: 'success', matter: 'warning' }
export const TIER_TAG = { minor: 'success', general: 'primary', serious: 'warning', severe: 'danger' }
export const MATTER_STATUS_TAG = { active: 'success', retired: 'info' }

/** 公民 / 单位: the short party name of tables and column heads. */
export const partyShort = (party) => entryOf('party_type', party)?.short ?? label('party_type', party)

// 地区（GB/T 2260）：山东省、青岛市与演示城市的三个区，以及有地方性法规的北京市、上海市。
export const REGION_OPTIONS = [
  { value: '370000', label: '山东省' },
  { value: '370200', label: '青岛市' },
  { value: '370202', label: '青岛市南区' },
  { value: '370203', label: '青岛市北区' },
  { value: '370213', label: '青岛李沧区' },
  { value: '110000', label: '北京市' },
  { value: '310000', label: '上海市' },
]
const REGION_NAMES = {
  ...Object.fromEntries(REGION_OPTIONS.map((o) => [o.value, o.label])),
  310115: '上海浦东新区',
}
/** Same rule as the server: a national text applies everywhere, a provincial one within the province. */
export function regionApplies(docRegion, region) {
  if (!docRegion) return true
  if (!region) return false
  if (docRegion.endsWith('0000')) return region.startsWith(docRegion.slice(0, 2))
  if (docRegion.endsWith('00')) return region.startsWith(docRegion.slice(0, 4))
  return region === docRegion
}
export const regionName = (code) => (code ? REGION_NAMES[code] || code : '全国')

const DIGITS = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }
const UNITS = { 十: 10, 百: 100, 千: 1000 }

/** "一百一十八" → 118, "十" → 10, "118" → 118; null when it is not a number. */
export function chineseToInt(text) {
  const s = String(text || '').trim()
  if (!s) return null
  if (/^\d+$/.test(s)) return Number(s)
  let total = 0
  let digit = null
  for (const ch of s) {
    if (ch in DIGITS) digit = DIGITS[ch]
    else if (ch in UNITS) {
      total += (digit === null ? 1 : digit) * UNITS[ch]
      digit = null
    } else return null
  }
  return total + (digit || 0)
}

/** "第一百一十八条" (anywhere in the text, the last one wins) → 118. */
export function articleNumber(text) {
  const all = [...String(text || '').matchAll(/第([零〇一二两三四五六七八九十百千\d]+)条/g)]
  return all.length ? chineseToInt(all[all.length - 1][1]) : null
}

/** "……提供场地（06029-QG-01）" → "06029-QG-01" (search hits on matters carry the code in the title only). */
export function matterCodeFromTitle(title) {
  const m = /[（(]([0-9A-Za-z-]{3,20})[）)]\s*$/.exec(String(title || ''))
  return m ? m[1] : null
}

/** Where a provision is: 《全称》第X条第Y款. */
export const citation = (p) => `《${p.law}》${p.article}${p.clause || ''}`

/** Route of the reader at a provision (the reader accepts a law's id or its code). */
export function readerRoute(lawIdOrCode, article) {
  const n = typeof article === 'number' ? article : articleNumber(article)
  return { name: 'law-reader', params: { id: lawIdOrCode }, query: n ? { article: String(n) } : {} }
}

/** The statutory fine range of a party as text, or null when the matter has none for that party. */
export function fineRangeText(m, party) {
  const min = m?.[`${party}_min_fen`]
  const max = m?.[`${party}_max_fen`]
  if (min === null && max === null) return null
  if (min === undefined && max === undefined) return null
  return yuanRange(min, max)
}

/** Proportional fines: "工程造价 5% ~ 10%". */
export function ratioText(m) {
  if (m?.ratio_min_pct === null || m?.ratio_min_pct === undefined) return null
  const base = m.ratio_base || '基数'
  if (!m.ratio_min_pct) return `${base}的 ${m.ratio_max_pct}% 以下`
  return `${base}的 ${m.ratio_min_pct}% ~ ${m.ratio_max_pct}%`
}

export const hasFine = (m) =>
  ['individual', 'organization'].some((p) => fineRangeText(m, p) !== null) || ratioText(m) !== null

const pctNum = (x) => Math.round(x * 100) / 100

/**
 * A discretion tier's sub-range for one party, as text. Explicit fen bounds win (clipped to the statutory range);
 * else the percentages apply to the statutory range exactly as the calculator does (integer fen, floored).
 */
export function tierRangeText(t, m, party) {
  if (t.party_type && t.party_type !== party) return null
  const low = m?.[`${party}_min_fen`]
  const high = m?.[`${party}_max_fen`]
  const hasStatutory = low !== null && low !== undefined && high !== null && high !== undefined
  if (t.min_fen !== null && t.min_fen !== undefined && t.max_fen !== null && t.max_fen !== undefined) {
    return hasStatutory ? rangeBetween(Math.max(low, t.min_fen), Math.min(high, t.max_fen)) : rangeBetween(t.min_fen, t.max_fen)
  }
  const lo = t.lower_pct ?? 0
  const up = t.upper_pct ?? 100
  if (t.tier === 'minor' && lo === 0 && up === 0) return '不予处罚'
  if (hasStatutory) {
    const span = high - low
    const a = low + Math.floor((span * lo) / 100)
    const b = low + Math.floor((span * up) / 100)
    return rangeBetween(a, b)
  }
  if (m?.ratio_min_pct !== null && m?.ratio_min_pct !== undefined) {
    const span = m.ratio_max_pct - m.ratio_min_pct
    return `${m.ratio_base || '基数'}的 ${pctNum(m.ratio_min_pct + (span * lo) / 100)}% ~ ${pctNum(m.ratio_min_pct + (span * up) / 100)}%`
  }
  return `法定幅度的 ${lo}% ~ ${up}%`
}

// Sub-ranges are always written "a ~ b元" (a lower bound of 0 is a real bound inside a tier).
function rangeBetween(a, b) {
  return a === b ? yuan(a) : `${yuanNumber(a)} ~ ${yuan(b)}`
}

/** Tiers in the order 轻微 → 严重 (the server's order of the tier dictionary), party-specific rows after the common one. */
export function sortTiers(tiers) {
  const order = options('tier').map((e) => e.value)
  return [...(tiers || [])].sort(
    (a, b) => order.indexOf(a.tier) - order.indexOf(b.tier) || String(a.party_type || '').localeCompare(String(b.party_type || '')),
  )
}
