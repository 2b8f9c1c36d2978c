// 单元网格
import { get, post, patch, del } from './http'

export const listGrids = (params) => get('/grids', params)
export const getGrid = (id) => get(`/grids/${id}`)
export const gridsGeojson = (params) => get('/grids/geojson', params)
export const locateGrid = (lng, lat, crs = 'wgs84') => get('/grids/locate', { lng, lat, crs })
export const createGrid = (body) => post('/grids', body)
export const updateGrid = (id, body) => patch(`/grids/${id}`, body)
export const deleteGrid = (id) => del(`/grids/${id}`)
