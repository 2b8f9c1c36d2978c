// 中队配色：同屏的中队按顺序取色（相邻中队颜色区分明显）；单独显示时按 id 散列取色。
export const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf',
  '#bcbd22', '#3949ab', '#00897b', '#c0ca33', '#6d4c41', '#f06292', '#5e35b1', '#43a047',
]

export function colorFor(key) {
  const s = String(key ?? '')
  let h = 0
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0
  return PALETTE[h % PALETTE.length]
}

/** Colours for a set of squads shown together: ordered by their smallest grid code, one palette entry each. */
export function assignColors(entries) {
  // entries: [{ squadId, code }]
  const first = new Map()
  for (const { squadId, code } of entries) {
    const k = String(squadId ?? '')
    if (!first.has(k) || String(code) < first.get(k)) first.set(k, String(code ?? ''))
  }
  const ordered = [...first.entries()].sort((a, b) => a[1].localeCompare(b[1])).map(([k]) => k)
  return Object.fromEntries(ordered.map((k, i) => [k, PALETTE[i % PALETTE.length]]))
}
