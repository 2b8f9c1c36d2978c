// 法律知识库的中文标签与计算（与后端 src/chengguan/law/enums.py、assess.py 保持一致）。
import { yuan, yuanNumber, yuanRange } from './money'

export const LAW_LEVELS = {
  law: '法律',
  administrative_regulation: '行政法规',
  local_regulation: '地方性法规',
  rule: '规章',
}
export const LAW_LEVEL_TAG = { law: 'danger', administrative_regulation: 'warning', local_regulation: 'success', rule: 'info' }

export const SEARCH_KINDS = { law: '法律法规', article: '条文', matter: '执法事项' }
export const SEARCH_KIND_TAG = { law: 'primary', article: 'success', matter: 'warning' }

export const PENALTY_KINDS = {
  order_correct: '责令改正',
  warning: '警告',
  fine: '罚款',
  confiscation: '没收',
  suspension: '暂扣或吊销许可证件',
  restriction: '责令停业整治或关闭',
  detention: '行政拘留',
}

export const TIERS = { minor: '轻微', general: '一般', serious: '较重', severe: '严重' }
export const TIER_ORDER = ['minor', 'general', 'serious', 'severe']
export const TIER_TAG = { minor: 'success', general: 'primary', serious: 'warning', severe: 'danger' }

export const PARTY_TYPES = { individual: '公民', organization: '法人或其他组织' }
export const PARTY_SHORT = { individual: '公民', organization: '单位' }

export const MATTER_STATUS = { active: '有效', retired: '已停用' }
export const MATTER_STATUS_TAG = { active: 'success', retired: 'info' }

export const HARM_LEVELS = { none: '无危害后果', minor: '轻微', general: '一般', serious: '严重' }

// 行政处罚法第三十条至第三十二条（应当从轻或者减轻）与第三十一条（可以从轻或者减轻）
export const MITIGATING = {
  minor_14_to_18: '已满十四周岁不满十八周岁（第三十条）',
  eliminated_harm: '主动消除或者减轻违法行为危害后果（第三十二条第（一）项）',
  coerced_or_induced: '受他人胁迫或者诱骗实施违法行为（第三十二条第（二）项）',
  confessed_unknown: '主动供述行政机关尚未掌握的违法行为（第三十二条第（三）项）',
  meritorious: '配合行政机关查处违法行为有立功表现（第三十二条第（四）项）',
  other_mitigating_by_law: '法律、法规、规章规定的其他应当从轻或者减轻情形（第三十二条第（五）项）',
  partial_incapacity: '尚未完全丧失辨认或者控制自己行为能力（第三十一条）',
}
export const AGGRAVATING = {
  refused_correction: '拒不改正或者整改不到位',
  obstructed_enforcement: '阻碍、抗拒执法或者隐匿、销毁证据',
  major_event_period: '在重大活动保障期间或者重点区域实施',
  public_complaints: '造成恶劣社会影响或者被群众多次投诉',
  vulnerable_victims: '危害未成年人、老年人等群体',
}

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

/** Tiers in the order 轻微 → 严重, party-specific rows after the common one. */
export const sortTiers = (tiers) =>
  [...(tiers || [])].sort(
    (a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || String(a.party_type || '').localeCompare(String(b.party_type || '')),
  )
