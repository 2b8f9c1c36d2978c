// 指挥调度：一张图（快照 + 实时推送）、最近可派人员、派遣任务、执法通定位上报。
import http, { get, post } from './http'
import { followStream } from './sse'

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
 * Follow /dispatch/stream (api/sse.js): onEvent(name, payload) gets 'positions' / 'sources' with the parsed JSON;
 * onOpen(reconnected) runs on each connection (a reconnect should reload the snapshot: changes between two streams
 * are not replayed). Returns stop().
 */
export const followDispatchStream = (handlers = {}) => followStream('/dispatch/stream', handlers)
