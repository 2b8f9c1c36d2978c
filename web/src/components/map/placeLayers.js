// 商户与物联感知设备图层：取自离线底图的点位（本平台登记的坐标），放大后显示名称。
import L from 'leaflet'
import { escapeHtml } from '@/components/dispatch/sourceFormat'
import { label } from '@/stores/labels'

const STYLE = {
  shop: { radius: 4, color: '#ffffff', weight: 1, fillColor: '#8e5cd9', fillOpacity: 0.9 },
  device: { radius: 4.5, color: '#ffffff', weight: 1, fillColor: '#13a8a8', fillOpacity: 0.95 },
}

function tip(p) {
  const q = p.properties
  const lines = [`<b>${escapeHtml(q.name)}</b> · ${escapeHtml(label('map_place_kind', q.kind))}`]
  if (q.site) lines.push(escapeHtml(q.site))
  if (q.address) lines.push(escapeHtml(q.address))
  return lines.join('<br/>')
}

export function placeLayer(features, kind) {
  const group = L.layerGroup()
  for (const f of features || []) {
    if (f.properties.kind !== kind) continue
    const [lng, lat] = f.geometry.coordinates
    L.circleMarker([lat, lng], { ...STYLE[kind], className: `cg-place-${kind}` })
      .bindTooltip(tip(f), { direction: 'top', offset: [0, -4] })
      .addTo(group)
  }
  return group
}
