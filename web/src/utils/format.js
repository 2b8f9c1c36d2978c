// 时间、面积、坐标的显示格式（时间统一按北京时间显示）。

const dtf = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
})

export function formatDateTime(value) {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  const p = Object.fromEntries(dtf.formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}:${p.second}`
}

export function formatArea(m2) {
  if (m2 === null || m2 === undefined || m2 === '') return '—'
  const n = Number(m2)
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} km²`
  if (n >= 1e4) return `${(n / 1e4).toFixed(2)} 万m²`
  return `${Math.round(n).toLocaleString('zh-CN')} m²`
}

export function formatCoord(lng, lat, digits = 6) {
  if (lng === null || lng === undefined || lat === null || lat === undefined) return '—'
  return `${Number(lng).toFixed(digits)}, ${Number(lat).toFixed(digits)}`
}

/** The remaining time until an ISO timestamp, e.g. "12 分钟"; '' when past. */
export function remaining(until) {
  if (!until) return ''
  const ms = new Date(until).getTime() - Date.now()
  if (!(ms > 0)) return ''
  const min = Math.ceil(ms / 60000)
  if (min < 60) return `${min} 分钟`
  return `${Math.floor(min / 60)} 小时 ${min % 60} 分钟`
}

export const isLocked = (user) => !!user?.locked_until && new Date(user.locked_until).getTime() > Date.now()

/** Avatar text in the DingTalk style: a person's given name ("王小明" → "小明"), else the first two characters. */
export function avatarText(name) {
  const s = String(name || '?').trim()
  return s.length <= 3 ? s.slice(-2) : s.slice(0, 2)
}
