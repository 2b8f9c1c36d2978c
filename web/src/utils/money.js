// 金额：接口一律用整数「分」，界面一律显示「元」（¥1,850 / 1,850元）。

const nf = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 })

const isNum = (v) => v !== null && v !== undefined && v !== '' && !Number.isNaN(Number(v))

/** 185000 → "1,850"（不带单位；有角分时保留两位小数） */
export function yuanNumber(fen) {
  if (!isNum(fen)) return '—'
  const y = Number(fen) / 100
  return Number.isInteger(y) ? nf.format(y) : y.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

/** 185000 → "1,850元"；symbol=true → "¥1,850" */
export function yuan(fen, { symbol = false } = {}) {
  if (!isNum(fen)) return '—'
  return symbol ? `¥${yuanNumber(fen)}` : `${yuanNumber(fen)}元`
}

/** A fine range in fen → "500 ~ 20,000元"；下限为 0 → "20,000元以下"；上下限相同 → "50元" */
export function yuanRange(min, max) {
  if (!isNum(min) && !isNum(max)) return '—'
  if (!isNum(min)) return `${yuanNumber(max)}元以下`
  if (!isNum(max)) return `${yuanNumber(min)}元以上`
  if (Number(min) === Number(max)) return yuan(min)
  if (Number(min) === 0) return `${yuanNumber(max)}元以下`
  return `${yuanNumber(min)} ~ ${yuanNumber(max)}元`
}

/** Yuan typed by a user (number or string) → integer fen; empty → null. */
export function toFen(yuanValue) {
  if (!isNum(yuanValue)) return null
  return Math.round(Number(yuanValue) * 100)
}

/** Fen → yuan as a number for el-input-number; null stays null. */
export function toYuan(fen) {
  return isNum(fen) ? Number(fen) / 100 : null
}
