// 用户、角色与权限
import http, { get, post, patch, del } from './http'

export const listUsers = (params) => get('/users', params)
export const createUser = (body) => post('/users', body)
export const updateUser = (id, body) => patch(`/users/${id}`, body)
export const deactivateUser = (id) => del(`/users/${id}`)
export const unlockUser = (id) => post(`/users/${id}/unlock`)
// 分配角色：安全管理员的职责（三员分立）
export const assignRoles = (id, roleIds) => http.put(`/users/${id}/roles`, { role_ids: roleIds }).then((r) => r.data)

export const listRoles = (params) => get('/roles', params)
export const createRole = (body) => post('/roles', body)
export const updateRole = (id, body) => patch(`/roles/${id}`, body)
export const deleteRole = (id) => del(`/roles/${id}`)

export const listPermissions = () => get('/permissions')
