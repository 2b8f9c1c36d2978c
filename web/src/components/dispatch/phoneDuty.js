// 执法通的上班/下班与定位上报（全局一份）：上班期间每 30 秒上报本机定位（浏览器允许定位时），下班即停止上报；
// 到场前取一次最新定位并上报，服务器据此判断是否在到场范围内。
import { reactive, readonly } from 'vue'
import { myDuty, reportMyPosition, setMyDuty } from '@/api/dispatch'

const REPORT_EVERY_MS = 30000
const GEO_ERRORS = { 1: '未获得定位授权', 2: '无法获取位置信号', 3: '定位超时' }

const state = reactive({
  officerId: null,
  loaded: false,
  onDuty: true,
  since: null, // when the last switch happened
  by: '',
  switching: false,
  gps: { state: 'idle', at: null, error: '' }, // idle | ok | denied | unsupported | off
  fix: null, // { lng, lat, accuracy, at } — the latest fix this phone took
})
let timer = null

function geolocationUsable() {
  return 'geolocation' in navigator && window.isSecureContext
}

/** One fresh GPS fix from the browser (rejects with a zh-CN message). */
function currentFix({ maximumAge = 20000, timeout = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!geolocationUsable()) {
      reject(new Error('当前环境无法定位'))
      return
    }
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        resolve({
          lng: pos.coords.longitude,
          lat: pos.coords.latitude,
          accuracy: pos.coords.accuracy ?? null,
          at: new Date(pos.timestamp || Date.now()),
        }),
      (err) => reject(new Error(GEO_ERRORS[err.code] || '暂时无法获取位置')),
      { enableHighAccuracy: true, timeout, maximumAge },
    )
  })
}

async function send(fix) {
  await reportMyPosition({
    subject_kind: 'officer',
    subject_id: state.officerId,
    lng: fix.lng,
    lat: fix.lat,
    crs: 'wgs84',
    at: fix.at.toISOString(),
    accuracy_m: fix.accuracy,
  })
  state.fix = fix
  state.gps = { state: 'ok', at: new Date(), error: '' }
}

/** Take a fix and report it (only on duty); errors end up in state.gps, never thrown. */
async function reportOnce(options) {
  if (!state.officerId || !state.onDuty) return null
  if (!geolocationUsable()) {
    state.gps = { state: 'unsupported', at: null, error: '当前环境无法定位' }
    return null
  }
  try {
    const fix = await currentFix(options)
    if (!state.onDuty) return null // switched off while the GPS was working
    await send(fix)
    return fix
  } catch (err) {
    if (err.code === 'dispatch.off_duty') {
      state.onDuty = false
      stopReporting()
    }
    state.gps = { state: 'denied', at: null, error: err.detail || err.message || '定位上报失败' }
    return null
  }
}

function startReporting() {
  if (timer || !state.officerId || !state.onDuty) return
  reportOnce()
  timer = setInterval(reportOnce, REPORT_EVERY_MS)
}

function stopReporting() {
  clearInterval(timer)
  timer = null
  state.gps = { state: 'off', at: null, error: '' }
}

function apply(duty) {
  state.onDuty = !!duty.on_duty
  state.since = duty.since
  state.by = duty.by || ''
  state.loaded = true
}

/** Called by the mobile shell once the user is known: read the duty state and report while on duty. */
async function init(officerId) {
  if (!officerId) return
  state.officerId = officerId
  try {
    apply(await myDuty())
  } catch {
    state.loaded = true // the server will say so on the first report
  }
  if (state.onDuty) startReporting()
  else stopReporting()
}

/** 上班 / 下班; rejects with the ApiError (e.g. 409 dispatch.task_active). */
async function switchDuty(onDuty) {
  state.switching = true
  try {
    apply(await setMyDuty(onDuty))
    if (state.onDuty) startReporting()
    else stopReporting()
  } finally {
    state.switching = false
  }
}

/** 到场: a fresh fix (never a cached one) reported before the server judges the distance. */
function reportForArrival() {
  return reportOnce({ maximumAge: 0, timeout: 10000 })
}

function shutdown() {
  clearInterval(timer)
  timer = null
  state.officerId = null
  state.loaded = false
}

/** Metres between two WGS-84 points (great circle). */
export function metresBetween(a, b) {
  const R = 6371008.8
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)))
}

export function usePhoneDuty() {
  return { duty: readonly(state), init, switchDuty, reportForArrival, shutdown }
}
