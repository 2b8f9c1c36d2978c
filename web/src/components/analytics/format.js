import { exportTable } from '@/api/analytics'
import { saveBlob } from '@/api/documents'
import { showError } from '@/utils/feedback'

// 统计数值的显示：罚款为「分」，显示为元；件数千分位。
export const MEASURES = [
  { value: 'sources', label: '案源数', perm: 'source:read' },
  { value: 'cases', label: '案件数', perm: 'case:read' },
  { value: 'fines', label: '罚款金额', perm: 'case:read' },
]
export const DIMS = [
  { value: 'district', label: '按区' },
  { value: 'street', label: '按街道中队' },
  { value: 'category', label: '按事项类别' },
  { value: 'channel', label: '按来源渠道' },
  { value: 'industry', label: '按行业' },
  { value: 'hour', label: '按小时' },
  { value: 'day', label: '按日' },
  { value: 'month', label: '按月' },
]
export const TIME_DIMS = ['hour', 'day', 'month']

export function formatValue(value, unit) {
  if (value === null || value === undefined) return '—'
  if (unit === '分') return `${(value / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`
  return `${Number(value).toLocaleString('zh-CN')} ${unit || ''}`.trim()
}
export const chartValue = (value, unit) => (unit === '分' ? Math.round(value) / 100 : value)
export const pct = (v) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${v}%`)

/** 统计表导出 Excel 并保存（失败时提示）。 */
export async function saveTable(path, params) {
  try {
    const { blob, name } = await exportTable(path, params)
    saveBlob(blob, name)
  } catch (err) {
    showError(err, '导出失败')
  }
}
