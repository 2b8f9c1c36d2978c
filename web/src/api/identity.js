// 用户、角色与权限
import { get, post, patch, del } from './http'

export const listUsers = (params) => get('/users', params)
export const createUser = (body) => post('/users', body)
export const updateUser = (id, body) => patch(`/users/${id}`, body)
export const deactivateUser = (id) => del(`/users/${id}`)
export const unlockUser = (id) => post(`/users/${id}/unlock`)

export const listRoles = (params) => get('/roles', params)
export const createRole = (body) => post('/roles', body)
export const updateRole = (id, body) => patch(`/roles/${id}`, body)
export const deleteRole = (id) => del(`/roles/${id}`)

export const listPermissions = () => get('/permissions')
