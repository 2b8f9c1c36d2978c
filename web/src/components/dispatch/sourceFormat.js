// 案源与调度的显示格式：状态配色、倒计时、距离与预计到达、上报用的唯一键（名称来自 GET /meta/labels）。
import { onBeforeUnmount, onMounted, ref } from 'vue'
import { label } from '@/stores/labels'

export const SOURCE_STATUS_COLORS = {
  pending: '#fa541c',
  accepted: '#d48806',
  routed: '#722ed1',
  dispatched: '#1677ff',
  handling: '#08979c',
  verifying: '#389e0d',
  closed: '#8c8c8c',
  voided: '#bfbfbf',
}
export const OPEN_STATUSES = ['pending', 'accepted', 'routed', 'dispatched', 'handling', 'verifying']
export const SOURCE_STATUS_TAG = {
  pending: 'danger',
  accepted: 'warning',
  routed: 'warning',
  dispatched: 'primary',
  handling: 'primary',
  verifying: 'success',
  closed: 'info',
  voided: 'info',
}

export const DUTY_COLORS = { available: '#2ba84a', busy: '#fa8c16', off_duty: '#a0a7b4', stale: '#a0a7b4' }
/** A position's duty on the map: the server's duty status, or 定位过期 (stale: the map's own judgement of its age). */
export const dutyText = (duty) => (duty === 'stale' ? '定位过期' : label('duty_status', duty))

export const TASK_STATUS_TAG = {
  dispatched: 'danger',
  acknowledged: 'warning',
  arrived: 'primary',
  completed: 'success',
  timed_out: 'info',
  cancelled: 'info',
}

/** "850 米" / "1.2 公里". */
export function formatDistance(m) {
  if (m === null || m === undefined || m === '') return '—'
  const n = Number(m)
  if (n < 1000) return `${Math.round(n)} 米`
  return `${(n / 1000).toFixed(n < 10000 ? 1 : 0)} 公里`
}

/** "约 4 分钟" / "约 1 小时 5 分钟". */
export function formatEta(s) {
  if (s === null || s === undefined || s === '') return '—'
  const min = Math.max(1, Math.round(Number(s) / 60))
  if (min < 60) return `约 ${min} 分钟`
  return `约 ${Math.floor(min / 60)} 小时${min % 60 ? ` ${min % 60} 分钟` : ''}`
}

/** A duration in seconds as "2 天 3 小时" / "1 小时 5 分" / "12 分 30 秒" / "45 秒". */
export function formatDuration(sec) {
  const s = Math.abs(Math.round(sec))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d) return `${d} 天${h ? ` ${h} 小时` : ''}`
  if (h) return `${h} 小时${m ? ` ${m} 分` : ''}`
  if (m) return `${m} 分 ${s % 60} 秒`
  return `${s} 秒`
}

/**
 * Seconds left on the item's stage clock at `now`: from remaining_s (server-computed, so the browser's clock skew
 * does not matter) counted down since the item was loaded (_t0), else from due_at. null = no clock.
 */
export function remainingAt(item, now = Date.now()) {
  if (!item) return null
  if (item.remaining_s !== null && item.remaining_s !== undefined && item._t0) {
    return item.remaining_s - (now - item._t0) / 1000
  }
  if (item.due_at) return (new Date(item.due_at).getTime() - now) / 1000
  return null
}

/** { level: overdue|warning|normal|none, text } of a source's countdown. */
export function countdown(item, now = Date.now()) {
  const rem = remainingAt(item, now)
  if (rem === null || ['closed', 'voided'].includes(item?.status)) return { level: 'none', text: '—' }
  if (rem < 0) return { level: 'overdue', text: `超期 ${formatDuration(rem)}` }
  const warnAt = item.warn_at ? new Date(item.warn_at).getTime() : null
  const warning = item.warning || (warnAt !== null && now >= warnAt - (item._skew || 0)) || rem < 15 * 60
  return { level: warning ? 'warning' : 'normal', text: `剩余 ${formatDuration(rem)}` }
}

/** Mark items with the moment they were loaded, so countdowns tick from the server's remaining_s. */
export function stamp(items) {
  const t0 = Date.now()
  for (const it of items || []) {
    it._t0 = t0
    if (it.due_at && it.remaining_s !== null && it.remaining_s !== undefined) {
      it._skew = new Date(it.due_at).getTime() - t0 - it.remaining_s * 1000
    }
  }
  return items
}

/** A ref holding Date.now(), updated every `ms` while the component is mounted. */
export function useNow(ms = 1000) {
  const now = ref(Date.now())
  let timer = null
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), ms)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}

/** A v4 UUID, also outside secure contexts (crypto.randomUUID needs HTTPS; getRandomValues does not). */
export function uuid4() {
  if (window.crypto?.randomUUID && window.isSecureContext) return window.crypto.randomUUID()
  const b = window.crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export function escapeHtml(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
}

/** A stale version (409 source.version_conflict) gets one fixed hint; other errors keep the server's zh-CN detail. */
export function conflictMessage(err, fallback = '操作失败') {
  if (err?.status === 409 && err.code === 'source.version_conflict') return '已被他人更新，请刷新'
  return err?.detail || err?.message || fallback
}
