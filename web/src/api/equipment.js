// 车辆装备：执法车辆与设备（执法记录仪、视频探头、物联感知设备）
import { get, post, patch, del } from './http'

export const listVehicles = (params) => get('/vehicles', params)
export const createVehicle = (body) => post('/vehicles', body)
export const updateVehicle = (id, body) => patch(`/vehicles/${id}`, body)
export const deleteVehicle = (id) => del(`/vehicles/${id}`)

export const listDevices = (params) => get('/devices', params)
export const createDevice = (body) => post('/devices', body)
export const updateDevice = (id, body) => patch(`/devices/${id}`, body)
export const deleteDevice = (id) => del(`/devices/${id}`)
