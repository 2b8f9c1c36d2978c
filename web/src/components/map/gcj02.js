// WGS-84 ⇄ GCJ-02 in the browser, the same formulas and constants as src/chengguan/core/geo.py (legal-facts §7):
// the community implementation on the Krasovsky 1940 ellipsoid. Used only while a GCJ-02 base map (AMap, Tencent)
// shows: overlays stored in WGS-84 are shifted to GCJ-02 to sit on its streets, and a clicked point is shifted
// back. tests/mapping/test_gcj_parity.py runs this file under node against the Python values.
// Every function takes and returns [lng, lat].

const KRASOVSKY_A = 6378245.0
const KRASOVSKY_EE = 0.00669342162296594323
const PI = Math.PI
// The inverse iterates until the step is below this (degrees, ~0.1 mm), as geo.py does.
const INVERSE_TOL = 1e-9
const INVERSE_MAX_ITER = 30

export function outOfChina(lng, lat) {
  return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271)
}

function transformLat(x, y) {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0
  ret += ((160.0 * Math.sin((y / 12.0) * PI) + 320.0 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0
  return ret
}

function transformLng(x, y) {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0
  ret += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0
  ret += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0
  return ret
}

export function wgs84ToGcj02(lng, lat) {
  if (outOfChina(lng, lat)) return [lng, lat]
  let dlat = transformLat(lng - 105.0, lat - 35.0)
  let dlng = transformLng(lng - 105.0, lat - 35.0)
  const radlat = lat * (PI / 180.0)
  const magic = 1.0 - KRASOVSKY_EE * Math.sin(radlat) ** 2
  const sqrtmagic = Math.sqrt(magic)
  dlat = (dlat * 180.0) / (((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrtmagic)) * PI)
  dlng = (dlng * 180.0) / ((KRASOVSKY_A / sqrtmagic) * Math.cos(radlat) * PI)
  return [lng + dlng, lat + dlat]
}

// Fixed-point iteration x ← x − (f(x) − target): the one-step subtraction leaves metre-level errors.
export function gcj02ToWgs84(lng, lat) {
  if (outOfChina(lng, lat)) return [lng, lat]
  let x = lng
  let y = lat
  for (let i = 0; i < INVERSE_MAX_ITER; i++) {
    const [fx, fy] = wgs84ToGcj02(x, y)
    const dx = fx - lng
    const dy = fy - lat
    x -= dx
    y -= dy
    if (Math.abs(dx) < INVERSE_TOL && Math.abs(dy) < INVERSE_TOL) break
  }
  return [x, y]
}
