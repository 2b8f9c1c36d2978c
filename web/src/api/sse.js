// Server-sent events with the Bearer header (EventSource cannot send one): fetch + ReadableStream, reconnecting with
// backoff after an error or the end of a stream (the server ends each stream after some minutes).
import { ApiError, TOKEN_KEY } from './http'
import { createSseParser } from './dispatch'

/**
 * Follow `/api/v1${path}`. onEvent(name, payload) gets each event's parsed JSON; onStatus(s) gets
 * 'connecting' | 'live' | 'reconnecting' | 'denied' (401/403: no retry). Returns stop().
 */
export function followStream(path, { onEvent, onStatus } = {}) {
  let stopped = false
  let controller = null
  let timer = null
  let attempt = 0

  async function connect() {
    if (stopped) return
    controller = new AbortController()
    onStatus?.('connecting')
    try {
      const token = localStorage.getItem(TOKEN_KEY)
      const res = await fetch(`/api/v1${path}`, {
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
