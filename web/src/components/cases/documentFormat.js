// 执法文书与送达的显示：字段名称、送达方式与签章算法的说明、签名情况、送达状态颜色。
// 名称（字段、送达方式与状态、签名人、送达渠道、签章算法）来自 GET /meta/labels（stores/labels.js）。
import { label } from '@/stores/labels'

/** A writable field's name: the document's own field_labels first, else the server's dictionary. */
export const fieldLabel = (doc, key) => doc?.field_labels?.[key] || label('document_field', key)

/** [{ value, label, hint }] of the values a form offers, named by the dictionary, explained by `hints`. */
const explained = (dict, hints) => Object.entries(hints).map(([value, hint]) => ({ value, label: label(dict, value), hint }))

export const deliveryMethods = () =>
  explained('delivery_method', {
    electronic: '短信发送查看链接；当事人打开链接的时间为送达时间（须当事人事先签署电子送达确认书）',
    on_site: '当场交付当事人，由当事人签收；拒绝签收的注明情况',
    paper: '将纸质文书直接送交受送达人，以送达回证上的签收日期为送达日期',
  })
export const DELIVERY_STATUS_TAG = { sent: 'warning', served: 'success', failed: 'danger' }

/** Who has signed a document by hand, e.g. "执法人员 李强；当事人 张伟" ('' when no one). */
export const signedText = (doc) =>
  ['officer', 'party']
    .map((r) => [r, (doc?.signatures || []).filter((s) => s.role === r).map((s) => s.signer_name)])
    .filter(([, names]) => names.length)
    .map(([r, names]) => `${label('signer_role', r)} ${names.join('、')}`)
    .join('；')

/** The algorithms an officer may seal with (ECDSA is only verified, not offered). */
export const sealAlgorithms = () =>
  explained('sign_algorithm', {
    rsa: 'PAdES 数字签名，通用 PDF 阅读器可直接验证签名',
    sm2: '在标准签名之外另附 SM2/SM3 国产密码算法签名，适用于要求使用商用密码的单位',
  })

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
