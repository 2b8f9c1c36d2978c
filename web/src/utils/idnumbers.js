// 证件号码校验位（与后端 src/chengguan/core/idnumbers.py 相同的规则）：公民身份号码 GB 11643-1999（ISO 7064 MOD 11-2），
// 统一社会信用代码 GB 32100-2015（MOD 31）。表单只用来提示，是否接受由服务端决定。

const RIC_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const RIC_CHECK = '10X98765432'
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY' // no I, O, Z, S, V
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export const ricCheckDigit = (first17) => RIC_CHECK[[...first17].reduce((s, c, i) => s + Number(c) * RIC_WEIGHTS[i], 0) % 11]

export function usccCheckChar(first17) {
  const total = [...first17].reduce((s, c, i) => s + USCC_CHARS.indexOf(c) * USCC_WEIGHTS[i], 0)
  return USCC_CHARS[(31 - (total % 31)) % 31]
}

function realDate(y, m, d) {
  const t = new Date(Date.UTC(y, m - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

/**
 * What is wrong with an identity number, in words ('' when it is valid): a resident ID number for a citizen, a
 * unified social credit code for an organisation. Empty input says it is required.
 */
export function idNumberProblem(value, partyType) {
  const v = String(value || '').trim().toUpperCase()
  const individual = partyType !== 'organization'
  const name = individual ? '公民身份号码' : '统一社会信用代码'
  if (!v) return `请填写${name}`
  if (v.length !== 18) return `${name}应为 18 位（现为 ${v.length} 位）`
  if (individual) {
    if (!/^[0-9]{17}[0-9X]$/.test(v)) return '公民身份号码前 17 位为数字，末位为数字或 X'
    if (!realDate(Number(v.slice(6, 10)), Number(v.slice(10, 12)), Number(v.slice(12, 14)))) return '公民身份号码中的出生日期不存在'
    const want = ricCheckDigit(v.slice(0, 17))
    return want === v[17] ? '' : '校验位不符，请逐位核对公民身份号码（GB 11643）'
  }
  if (![...v].every((c) => USCC_CHARS.includes(c))) return '统一社会信用代码只含数字和大写字母（不含 I、O、Z、S、V）'
  const want = usccCheckChar(v.slice(0, 17))
  return want === v[17] ? '' : '校验位不符，请逐位核对统一社会信用代码（GB 32100）'
}
