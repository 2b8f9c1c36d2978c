// 商户档案（一店一码）：列表、详情（含违法记录）、登记、修改、删除（已有案件的商户不能删除，409 merchant.has_cases）。
import { del, get, patch, post } from './http'

/** filters: q（名称/一店一码/信用代码/经营者/证件号）, kind, status, unit_id, business_type, page, page_size → { items, total } */
export const listMerchants = (params) => get('/merchants', params)
/** → MerchantRead + { cases: [PartyCase], cases_hidden, penalties }（数据权限内的该商户及其经营者的案件，最近的在前；其余仅计数） */
export const getMerchant = (id) => get(`/merchants/${id}`)
/** body: MerchantCreate { name, kind, uscc?, operator_name, operator_id_no?, phone?, business_type, address, lng?, lat?, unit_id?, status } */
export const createMerchant = (body) => post('/merchants', body)
export const updateMerchant = (id, body) => patch(`/merchants/${id}`, body)
export const deleteMerchant = (id) => del(`/merchants/${id}`)
/** 经营者完整身份证号与电话（须 personal_data:view，记入审计日志）→ { operator_id_no, phone, masked: false } */
export const revealMerchant = (id) => post(`/merchants/${id}/personal:reveal`)
