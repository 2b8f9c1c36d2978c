// 按中队着色：同一中队的网格颜色稳定（由 id 散列到调色板）。
const PALETTE = [
  '#1d5fbf', '#e6753a', '#2e9e5b', '#c23c7e', '#8a5cd1', '#d4a017', '#168f9c', '#b8442f',
  '#4f7a28', '#5470c6', '#d05a9b', '#2f6f8f', '#a0672e', '#6b4fbb', '#3a9d8f', '#c9752e',
]

export function colorFor(key) {
  const s = String(key ?? '')
  let h = 0
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0
  return PALETTE[h % PALETTE.length]
}
