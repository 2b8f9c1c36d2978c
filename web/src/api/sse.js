// Server-sent events with the Bearer header (EventSource cannot send one): fetch + ReadableStream, reconnecting with
// backoff after an error or the end of a stream (the server ends each stream after some minutes).
import { ApiError, TOKEN_KEY } from './http'

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
 * Follow `/api/v1${path}`. onEvent(name, payload) gets each event's parsed JSON; onOpen(reconnected) runs each time
 * the stream opens (true after a reconnection: the caller may have missed events and should reload its snapshot);
 * onStatus(s) gets 'connecting' | 'live' | 'reconnecting' | 'denied' (401/403: no retry). Returns stop().
 */
export function followStream(path, { onEvent, onOpen, onStatus } = {}) {
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
