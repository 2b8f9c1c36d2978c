// 热力图（案源密度），不依赖 leaflet.heat：每个点在离屏画布上叠一个径向渐变的灰度斑，再按透明度查色带上色
// （与 simpleheat 同一做法）。半径随缩放变化，约等于地面 250 m，放大后仍能看出聚集处。
import L from 'leaflet'

const RADIUS_M = 250
const GRADIENT = { 0.25: '#2c7bb6', 0.45: '#00a6ca', 0.6: '#90eb9d', 0.75: '#f9d057', 0.9: '#f29e2e', 1.0: '#d7191c' }

function palette() {
  const c = document.createElement('canvas')
  c.width = 1
  c.height = 256
  const ctx = c.getContext('2d')
  const g = ctx.createLinearGradient(0, 0, 0, 256)
  for (const [stop, color] of Object.entries(GRADIENT)) g.addColorStop(Number(stop), color)
  ctx.fillStyle = g
  ctx.fillRect(0, 0, 1, 256)
  return ctx.getImageData(0, 0, 1, 256).data
}

export const HeatLayer = L.Layer.extend({
  initialize(points = []) {
    this._points = points // [[lat, lng], ...]
  },
  setPoints(points) {
    this._points = points
    if (this._map) this._draw()
    return this
  },
  onAdd(map) {
    this._canvas = L.DomUtil.create('canvas', 'cg-heat leaflet-zoom-hide')
    this._canvas.style.pointerEvents = 'none'
    this._canvas.dataset.testid = 'map-heat'
    map.getPanes().overlayPane.appendChild(this._canvas)
    map.on('moveend zoomend resize', this._draw, this)
    this._palette = this._palette || palette()
    this._draw()
  },
  onRemove(map) {
    map.off('moveend zoomend resize', this._draw, this)
    this._canvas.remove()
  },
  _draw() {
    const map = this._map
    const size = map.getSize()
    const canvas = this._canvas
    canvas.width = size.x
    canvas.height = size.y
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]))
    const ctx = canvas.getContext('2d')
    const center = map.getCenter()
    const east = map.latLngToContainerPoint(L.latLng(center.lat, center.lng + RADIUS_M / (111320 * Math.cos((center.lat * Math.PI) / 180))))
    const r = Math.max(8, Math.min(80, Math.abs(east.x - map.latLngToContainerPoint(center).x)))
    const alpha = Math.min(1, 0.12 + 6 / Math.max(1, this._points.length ** 0.5))
    for (const [lat, lng] of this._points) {
      const p = map.latLngToContainerPoint([lat, lng])
      if (p.x < -r || p.y < -r || p.x > size.x + r || p.y > size.y + r) continue
      const g = ctx.createRadialGradient(p.x, p.y, 0, p.x, p.y, r)
      g.addColorStop(0, `rgba(0,0,0,${alpha})`)
      g.addColorStop(1, 'rgba(0,0,0,0)')
      ctx.fillStyle = g
      ctx.fillRect(p.x - r, p.y - r, 2 * r, 2 * r)
    }
    const image = ctx.getImageData(0, 0, size.x, size.y)
    const px = image.data
    for (let i = 3; i < px.length; i += 4) {
      const a = px[i]
      if (!a) continue
      const j = a * 4
      px[i - 3] = this._palette[j]
      px[i - 2] = this._palette[j + 1]
      px[i - 1] = this._palette[j + 2]
      px[i] = Math.min(220, a * 1.6)
    }
    ctx.putImageData(image, 0, 0)
  },
})
