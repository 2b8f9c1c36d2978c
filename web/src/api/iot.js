// 物联感知：设备登记、告警规则、读数、告警与设备健康
import { get, post, put } from './http'

export const listDevices = (params = {}) => get('/iot/devices', params)
export const createDevice = (body) => post('/iot/devices', body)
export const deviceRules = (code) => get(`/iot/devices/${encodeURIComponent(code)}/rules`)
export const saveDeviceRules = (code, rules) => put(`/iot/devices/${encodeURIComponent(code)}/rules`, rules)
export const deviceReadings = (code, limit = 50) => get(`/iot/devices/${encodeURIComponent(code)}/readings`, { limit })
export const deviceSeries = (code, metric, hours = 24) =>
  get(`/iot/devices/${encodeURIComponent(code)}/series`, { metric, hours })
export const listAlarms = (params = {}) => get('/iot/alarms', params)
export const iotHealth = () => get('/iot/health')
