// 执法文书与送达的显示：字段名称（接口未给出 field_labels 时的后备）、送达方式与状态、签章算法。

export const FIELD_LABELS = {
  source_note: '来源情况',
  filing_reason: '立案理由',
  decline_reason: '不予立案理由',
  record: '笔录内容',
  inquiry_place: '询问地点',
  items: '登记保存物品',
  order: '责令改正内容',
  findings: '调查结论',
  opinion: '意见',
  hearing_place: '听证地点',
  reason: '理由',
  summary: '结案情况',
}

export const fieldLabel = (doc, key) => doc?.field_labels?.[key] || FIELD_LABELS[key] || key

export const DELIVERY_METHODS = [
  { value: 'electronic', label: '电子送达', hint: '短信发送查看链接；当事人打开链接的时间为送达时间（须当事人事先签署电子送达确认书）' },
  { value: 'on_site', label: '当场交付', hint: '当场交付当事人，由当事人签收；拒绝签收的注明情况' },
  { value: 'paper', label: '直接送达', hint: '将纸质文书直接送交受送达人，以送达回证上的签收日期为送达日期' },
]
export const METHOD_LABELS = Object.fromEntries(DELIVERY_METHODS.map((m) => [m.value, m.label]))
export const DELIVERY_STATUS_TAG = { sent: 'warning', served: 'success', failed: 'danger' }
export const DELIVERY_STATUS_LABELS = { sent: '已发送', served: '已送达', failed: '送达失败' }

export const SIGNER_ROLES = { officer: '执法人员', party: '当事人' }
/** Who has signed a document by hand, e.g. "执法人员 李强；当事人 张伟" ('' when no one). */
export const signedText = (doc) =>
  ['officer', 'party']
    .map((r) => [r, (doc?.signatures || []).filter((s) => s.role === r).map((s) => s.signer_name)])
    .filter(([, names]) => names.length)
    .map(([r, names]) => `${SIGNER_ROLES[r]} ${names.join('、')}`)
    .join('；')
export const CHANNELS = { sms: '手机短信', portal: '商户端' }

export const SEAL_ALGORITHMS = [
  { value: 'rsa', label: '标准签名（RSA）', hint: 'PAdES 数字签名，通用 PDF 阅读器可直接验证签名' },
  { value: 'sm2', label: '国密 SM2', hint: '在标准签名之外另附 SM2/SM3 国产密码算法签名，适用于要求使用商用密码的单位' },
]
export const ALGORITHM_LABELS = { rsa: 'RSA', ecdsa: 'ECDSA', sm2: '国密 SM2' }

/** Absolute address of a path the API returns ("/s/…", "/verify/…"), for copying into an SMS or a chat. */
export const absoluteUrl = (path) => (path ? new URL(path, window.location.origin).href : '')

/** Copy text; navigator.clipboard needs a secure context (intranet http addresses are not), so fall back. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    /* fall back below */
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  area.remove()
  return ok
}
