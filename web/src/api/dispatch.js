// 指挥调度：一张图（快照 + 实时推送）、最近可派人员、派遣任务、执法通定位上报。
import http, { ApiError, TOKEN_KEY, get, post } from './http'

export const dispatchMap = () => get('/dispatch/map')
export const nearestOfficers = (sourceId, limit = 5) => get('/dispatch/nearest', { source_id: sourceId, limit })
/** Dispatch a source to an officer (the server turns it into a reassignment when already dispatched). */
export const dispatchTask = (body) => post('/dispatch/tasks', body)
export const listTasks = (params = { mine: true, active: true }) => get('/dispatch/tasks', params)
export const acknowledgeTask = (id) => post(`/dispatch/tasks/${id}/acknowledge`)
/** 到场; body { reason } when the officer is not within the arrival radius (422 dispatch.not_on_site otherwise). */
export const arriveTask = (id, body) => post(`/dispatch/tasks/${id}/arrive`, body)
/** body: { outcome, rectification_due?, note?, media? } */
export const completeTask = (id, body) => post(`/dispatch/tasks/${id}/complete`, body)
export const reportMyPosition = (body) => post('/dispatch/me/position', body)
/** 上班/下班: { officer_id, on_duty, since, by, status }. */
export const myDuty = () => get('/dispatch/me/duty')
export const setMyDuty = (onDuty) => http.put('/dispatch/me/duty', { on_duty: onDuty }).then((r) => r.data)

/**
 * Parse a text/event-stream incrementally. feed(chunk) returns the complete events found so far as
 * [{ event, data }]; comments (": keep-alive") and retry lines are skipped.
 */
export function createSseParser() {
  let buffer = ''
  let event = ''
  let data = []
  return {
    feed(chunk) {
      buffer += chunk
      const out = []
      let nl
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + (buffer[nl] === '\r' && buffer[nl + 1] === '\n' ? 2 : 1))
        if (line === '') {
          if (data.length) out.push({ event: event || 'message', data: data.join('\n') })
          event = ''
          data = []
        } else if (line.startsWith(':')) {
          continue
        } else {
          const i = line.indexOf(':')
          const field = i < 0 ? line : line.slice(0, i)
          let value = i < 0 ? '' : line.slice(i + 1)
          if (value.startsWith(' ')) value = value.slice(1)
          if (field === 'event') event = value
          else if (field === 'data') data.push(value)
        }
      }
      return out
    },
  }
}

/**
 * Follow /dispatch/stream with the Bearer header (EventSource cannot send it): fetch + ReadableStream, reconnecting
 * with backoff after an error or the end of a stream (the server closes each stream after a few minutes).
 * onEvent(name, payload) gets 'positions' / 'sources' with the parsed JSON; onOpen(reconnected) runs on each
 * connection (a reconnect should reload the snapshot: changes between two streams are not replayed).
 * Returns stop().
 */
export function followDispatchStream({ onEvent, onOpen, onStatus } = {}) {
  let stopped = false
  let controller = null
  let timer = null
  let attempt = 0
  let connections = 0

  async function connect() {
    if (stopped) return
    controller = new AbortController()
    onStatus?.('connecting')
    try {
      const token = localStorage.getItem(TOKEN_KEY)
      const res = await fetch('/api/v1/dispatch/stream', {
        headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        signal: controller.signal,
        cache: 'no-store',
      })
      if (!res.ok || !res.body) {
        const body = await res.json().catch(() => ({}))
        throw new ApiError({ status: res.status, code: body.code, detail: body.detail })
      }
      attempt = 0
      onStatus?.('live')
      onOpen?.(connections++ > 0)
      const reader = res.body.getReader()
      const decoder = new TextDecoder()
      const parser = createSseParser()
      for (;;) {
        const { value, done } = await reader.read()
        if (done || stopped) break
        for (const ev of parser.feed(decoder.decode(value, { stream: true }))) {
          let payload
          try {
            payload = JSON.parse(ev.data)
          } catch {
            continue
          }
          onEvent?.(ev.event, payload)
        }
      }
    } catch (err) {
      if (stopped || err?.name === 'AbortError') return
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        onStatus?.('denied')
        return
      }
    }
    if (stopped) return
    onStatus?.('reconnecting')
    const delay = Math.min(30000, 1000 * 2 ** attempt++) + Math.random() * 500
    timer = setTimeout(connect, delay)
  }

  connect()
  return function stop() {
    stopped = true
    clearTimeout(timer)
    controller?.abort()
  }
}
