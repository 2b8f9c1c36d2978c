// 组织机构与执法人员
import { get, post, patch, del } from './http'

export const orgUnitTree = () => get('/org-units/tree')
export const listOrgUnits = (params) => get('/org-units', params)
export const getOrgUnit = (id) => get(`/org-units/${id}`)
export const createOrgUnit = (body) => post('/org-units', body)
export const updateOrgUnit = (id, body) => patch(`/org-units/${id}`, body)
export const deleteOrgUnit = (id) => del(`/org-units/${id}`)

export const listOfficers = (params) => get('/officers', params)
export const getOfficer = (id) => get(`/officers/${id}`)
export const createOfficer = (body) => post('/officers', body)
export const updateOfficer = (id, body) => patch(`/officers/${id}`, body)
export const deleteOfficer = (id) => del(`/officers/${id}`)
