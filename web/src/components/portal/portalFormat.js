// 商户端的显示约定：整改状态的标签颜色、剩余天数。
export const RECT_TAG = {
  pending: 'warning',
  submitted: 'primary',
  reinspection: 'primary',
  rejected: 'danger',
  confirmed: 'success',
  escalated: 'danger',
  withdrawn: 'info',
}
export const KIND_TAG = { warning: 'success', rectification_order: 'danger' }

/** "还剩 3 天" / "今天到期" / "已逾期 2 天" */
export function daysLeft(n) {
  if (n === null || n === undefined) return ''
  if (n > 0) return `还剩 ${n} 天`
  if (n === 0) return '今天到期'
  return `已逾期 ${-n} 天`
}

/** A blob as an object URL that the caller must revoke. */
export const blobUrl = (blob) => URL.createObjectURL(blob)
