import { get, post } from './http'

export const login = (username, password) => post('/auth/login', { username, password })
export const logout = () => post('/auth/logout')
export const fetchMe = () => get('/auth/me')
export const changePassword = (old_password, new_password) => post('/auth/password', { old_password, new_password })
export const fetchHealth = () => fetch('/api/health').then((r) => (r.ok ? r.json() : null))
