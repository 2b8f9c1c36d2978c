// 视频智能巡查：设备第四十一条审核、识别区域、告警确认/排除、误报率、视频轮巡。
import http, { get, post } from './http'

export const listCameras = (params) => get('/video/cameras', params)
export const getCamera = (id) => get(`/video/cameras/${id}`)
/** which: legal（法制审核）| technical（技术审核，含 calibrated_on） */
export const reviewCamera = (id, which, body) => http.put(`/video/cameras/${id}/review/${which}`, body).then((r) => r.data)
export const publishSite = (id, body) => http.put(`/video/cameras/${id}/site`, body).then((r) => r.data)
export const getZones = (id) => get(`/video/cameras/${id}/zones`)
export const putZones = (id, zones) => http.put(`/video/cameras/${id}/zones`, zones).then((r) => r.data)
export const listAlarms = (params) => get('/video/alarms', params)
export const getAlarm = (id) => get(`/video/alarms/${id}`)
export const alarmAccuracy = () => get('/video/alarms/accuracy')
export const confirmAlarm = (id) => post(`/video/alarms/${id}/confirm`)
export const dismissAlarm = (id, reason) => post(`/video/alarms/${id}/dismiss`, { reason })
export const patrolWall = () => get('/video/patrol')
/** 案源上固定的证据（告警抓拍、视频片段、无人机等设备记录）→ { items: [EvidenceItem] } */
export const sourceEvidence = (sourceId) => get(`/sources/${sourceId}/evidence`)
