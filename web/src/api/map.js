// 一张图：底图配置、离线底图、地名查找、轨迹回放
import { get } from './http'

export const mapConfig = () => get('/map/config')
export const offlineBase = () => get('/map/base')
export const searchPlaces = (q, limit = 20) => get('/map/search', { q, limit })
export const trackPlayback = (kind, id, from, to) => get('/map/tracks', { kind, id, from, to })
