// 审计日志
import { get } from './http'

export const listAudit = (params) => get('/audit', params)
export const verifyAudit = () => get('/audit/verify')
