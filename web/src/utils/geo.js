// GeoJSON 辅助函数。

/** Normalise a grid feature's properties (the FeatureCollection's property names are read defensively). */
export function featureInfo(f) {
  const p = f?.properties || {}
  return {
    id: String(p.id ?? p.grid_id ?? f?.id ?? ''),
    code: p.grid_code ?? p.code ?? '',
    name: p.name ?? p.grid_name ?? '',
    squadId: p.squad_id ?? p.squad?.id ?? '',
    squadName: p.squad_name ?? p.squad?.name ?? '',
  }
}

/**
 * Parse user-entered GeoJSON into a Polygon geometry: accepts a Polygon, a Feature, or a FeatureCollection
 * holding one polygon feature. Returns { geometry } or { error }.
 */
export function parsePolygon(text) {
  let obj
  try {
    obj = JSON.parse(text)
  } catch {
    return { error: 'GeoJSON 格式错误，无法解析' }
  }
  if (obj?.type === 'FeatureCollection') {
    if ((obj.features || []).length !== 1) return { error: '请只提供一个网格面' }
    obj = obj.features[0]
  }
  if (obj?.type === 'Feature') obj = obj.geometry
  if (obj?.type !== 'Polygon') return { error: '几何类型须为 Polygon（面）' }
  const ring = obj.coordinates?.[0]
  if (!Array.isArray(ring) || ring.length < 4) return { error: '面的外环至少需要 4 个点（首尾相同）' }
  for (const pt of ring) {
    if (!Array.isArray(pt) || pt.length < 2 || !pt.every((n) => typeof n === 'number' && Number.isFinite(n)))
      return { error: '坐标须为 [经度, 纬度] 数字' }
    if (pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90) return { error: '坐标超出经纬度范围' }
  }
  return { geometry: obj }
}
