// 温馨提醒与责令（限期）整改通知（商户整改）、首违不罚研判、店铺认领审核、商户上报（执法人员一侧）。
import http, { get, post } from './http'

/** filters: status, kind, merchant_id, unit_id, awaiting（待确认）, overdue（逾期）, q, page, page_size → { items, total } */
export const listNotices = (params) => get('/notices', params)
/** → NoticeDetail { …NoticeRead, events, submissions: [{ photos: [{ url, captured_at, lng, lat, ledger_seq }] }], actions, decision } */
export const getNotice = (id) => get(`/notices/${id}`)
/** body: { kind, merchant_id, matter_code, facts, requirement, due_date, origin?, source_id?, case_id?, decision_id? } */
export const sendNotice = (body) => post('/notices', body)
/** action: confirm | reject | schedule_reinspection | withdraw; body: { version, reason?, reinspection_on? } */
export const actOnNotice = (id, action, body) => post(`/notices/${id}/actions/${action}`, body)
/** 通知书 PDF（已签章）：Blob */
export const noticePdf = (id) => http.get(`/notices/${id}/pdf`, { responseType: 'blob' }).then((r) => r.data)
/** 整改照片：Blob（需登录令牌，故不能直接作为 <img src>） */
export const noticePhoto = (url) => http.get(url.replace(/^\/api\/v1/, ''), { responseType: 'blob' }).then((r) => r.data)

/** 首违不罚研判 body: { matter_code, merchant_id?, party_id_no?, harm, source_id? } → { outcome, outcome_label, rule, rule_label, reason, basis, facts } */
export const decideWarning = (body) => post('/warning-first/decisions', body)
export const listWarningRules = () => get('/warning-first/rules')
export const putWarningRule = (matterCode, body) => http.put(`/warning-first/rules/${encodeURIComponent(matterCode)}`, body).then((r) => r.data)

/** 店铺认领：status（pending 待审核）, merchant_id → [ClaimRead] */
export const listClaims = (params) => get('/shop-claims', params)
export const decideClaim = (id, body) => post(`/shop-claims/${id}/decision`, body)
export const claimLetter = (id) => http.get(`/shop-claims/${id}/letter`, { responseType: 'blob' }).then((r) => r.data)

/** 商户反映的问题：merchant_id → [ReportRead] */
export const listMerchantReports = (params) => get('/merchant-reports', params)
