// 一张图的底图：离线底图（本平台的区、街道、社区、网格边界与名称，场所名称）与设置中配置的在线底图
// （天地图、GCJ-02 的高德/腾讯、内网 XYZ/WMTS）。GCJ-02 底图显示时地图换用 GCJ02_CRS：所有以 WGS-84 存储的
// 叠加图层在投影时偏移到 GCJ-02，点击取回的坐标反算回 WGS-84（两个方向都在投影里完成）。
import L from 'leaflet'
import './baseLayers.css'
import { gcj02ToWgs84, wgs84ToGcj02 } from './gcj02'
import { escapeHtml } from '@/components/dispatch/sourceFormat'
import { offlineBase } from '@/api/map'

const MERCATOR = L.Projection.SphericalMercator
export const GCJ02_CRS = L.extend({}, L.CRS.EPSG3857, {
  code: 'GCJ02',
  projection: {
    bounds: MERCATOR.bounds,
    project(latlng) {
      const [lng, lat] = wgs84ToGcj02(latlng.lng, latlng.lat)
      return MERCATOR.project(L.latLng(lat, lng))
    },
    unproject(point) {
      const ll = MERCATOR.unproject(point)
      const [lng, lat] = gcj02ToWgs84(ll.lng, ll.lat)
      return L.latLng(lat, lng)
    },
  },
})

// Which names show at which zoom: districts when the city is in view, streets across a district, communities and
// grids when a street fills the screen; the bureau and squad offices once a district is in view; other places by
// name only close in (a shop front at street level).
export const LABEL_ZOOMS = {
  district: [9, 13],
  street: [11.5, 16],
  community: [13.5, 15.4],
  grid: [15.5, 20],
  office: [13, 20],
  site: [15, 20],
  shop: [16.5, 20],
  camera: [17, 20],
}
const AREA_STYLE = {
  district: { color: '#5a6b85', weight: 2.4, opacity: 0.9, fill: false, dashArray: null },
  street: { color: '#6f86aa', weight: 1.6, opacity: 0.9, fillColor: '#f4f1e8', fillOpacity: 0.55 },
  community: { color: '#9aabc4', weight: 1, opacity: 0.8, fill: false, dashArray: '5 4' },
  grid: { color: '#b7c3d6', weight: 0.6, opacity: 0.8, fill: false },
}
const AREA_ORDER = ['street', 'grid', 'community', 'district']

// The offline base draws in panes of its own: its areas under every overlay, its names above the areas but under
// the markers and routes (Leaflet: tiles 200, overlays 400, markers 600).
export function ensureBasePanes(map) {
  if (!map.getPane('cgBase')) map.createPane('cgBase').style.zIndex = 250
  if (!map.getPane('cgBaseLabels')) {
    const pane = map.createPane('cgBaseLabels')
    pane.style.zIndex = 380
    pane.style.pointerEvents = 'none'
  }
}

function labelIcon(kind, name) {
  return L.divIcon({
    className: 'cg-map-label-icon',
    iconSize: null,
    html: `<span class="cg-map-label ${kind}" data-testid="map-label-${kind}">${escapeHtml(name)}</span>`,
  })
}

// The offline base as one layer group: areas drawn once, names re-placed on each zoom/move (only those in view
// and in their zoom band, so a city of thousands of grids stays light).
export function offlineBaseLayer(data) {
  const group = L.layerGroup()
  const labels = L.layerGroup()
  const areas = (data?.areas?.features || []).slice()
  areas.sort((a, b) => AREA_ORDER.indexOf(a.properties.kind) - AREA_ORDER.indexOf(b.properties.kind))
  for (const f of areas) {
    L.geoJSON(f, { style: () => AREA_STYLE[f.properties.kind] || AREA_STYLE.grid, interactive: false, pane: 'cgBase' }).addTo(group)
  }
  const named = areas.map((f) => ({ kind: f.properties.kind, name: f.properties.name, lng: f.properties.label[0], lat: f.properties.label[1] }))
  for (const p of data?.places?.features || []) {
    const kind = p.properties.kind
    if (!(kind in LABEL_ZOOMS)) continue
    const [lng, lat] = p.geometry.coordinates
    named.push({ kind, name: p.properties.name, lng, lat, dot: true })
  }
  let map = null
  function place() {
    if (!map) return
    labels.clearLayers()
    const zoom = map.getZoom()
    const view = map.getBounds().pad(0.1)
    for (const n of named) {
      const [lo, hi] = LABEL_ZOOMS[n.kind] || [99, 99]
      if (zoom < lo || zoom > hi || !view.contains([n.lat, n.lng])) continue
      if (n.dot) L.circleMarker([n.lat, n.lng], { radius: 2.5, color: '#7a869a', weight: 1, fillOpacity: 0.9, interactive: false, pane: 'cgBaseLabels' }).addTo(labels)
      L.marker([n.lat, n.lng], { icon: labelIcon(n.kind, n.name), interactive: false, keyboard: false, pane: 'cgBaseLabels' }).addTo(labels)
    }
  }
  group.on('add', (e) => {
    map = e.target._map
    ensureBasePanes(map)
    labels.addTo(map)
    map.on('zoomend moveend', place)
    place()
  })
  group.on('remove', () => {
    map?.off('zoomend moveend', place)
    labels.remove()
    map = null
  })
  group.whereIs = (latlng) => whereIs(areas, latlng)
  group.bounds = data?.bounds ? L.latLngBounds([data.bounds[1], data.bounds[0]], [data.bounds[3], data.bounds[2]]) : null
  return group
}

// Ray casting over one ring of [lng, lat] pairs.
function inRing(ring, x, y) {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function inGeometry(geometry, x, y) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : []
  return polygons.some(([outer, ...holes]) => inRing(outer, x, y) && !holes.some((h) => inRing(h, x, y)))
}

// The names of the areas around a point (district, street, community, grid): shown when zoomed in so far that no
// name is in view.
export function whereIs(areas, latlng) {
  const found = {}
  for (const f of areas) {
    const kind = f.properties.kind
    if (!found[kind] && inGeometry(f.geometry, latlng.lng, latlng.lat)) found[kind] = f.properties.name
  }
  return found
}

function tileLayer(layer) {
  // Beyond the server's last zoom its tiles are scaled up rather than missing (the command map goes to 19).
  const options = { maxNativeZoom: layer.max_zoom || 18, maxZoom: 20, subdomains: layer.subdomains || 'abc', attribution: layer.attribution || '' }
  const base = L.tileLayer(layer.url, options)
  if (!layer.labels_url) return base
  return L.layerGroup([base, L.tileLayer(layer.labels_url, options)])
}

// The base-layer switcher's state: which layer shows, and the map's CRS following it (GCJ-02 providers).
export function baseLayerSwitcher(map, config, offline) {
  ensureBasePanes(map)
  const layers = new Map()
  layers.set('offline', offline)
  for (const l of config?.layers || []) if (l.kind !== 'offline' && l.url) layers.set(l.key, tileLayer(l))
  let active = null
  function use(key) {
    const next = layers.get(key) || offline
    if (active === next) return
    active?.remove()
    const spec = (config?.layers || []).find((l) => l.key === key)
    const crs = spec?.crs === 'gcj02' ? GCJ02_CRS : L.CRS.EPSG3857
    if (map.options.crs !== crs) {
      const center = map.getCenter()
      const zoom = map.getZoom()
      map.options.crs = crs
      map._resetView(center, zoom, true) // every overlay is re-projected through the new CRS
    }
    // The offline names stay over an online base only when it has no labels of its own.
    next.addTo(map)
    active = next
  }
  return {
    keys: () => (config?.layers || []).filter((l) => l.kind === 'offline' || layers.has(l.key)),
    use,
  }
}

// The offline base under another page's map (the grid register, the IoT device map): names orient the user there too.
// No base is drawn when it cannot be loaded (the page's own layers still show).
export async function attachOfflineBase(map) {
  const data = await offlineBase().catch(() => null)
  if (!data || !map.getContainer()?.isConnected) return null
  ensureBasePanes(map)
  return offlineBaseLayer(data).addTo(map)
}
