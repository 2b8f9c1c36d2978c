// 码上付（缴款）：缴款单（罚款 + 加处罚款，实时计算）、缴款状态、当场收缴与上交、多缴退款、每日对账。金额一律为「分」。
import axios from 'axios'
import { ApiError, get, post } from './http'

/** 案件的缴款：{ due: { amount_due_fen, late_fee_fen, late_fee_days, overdue, payment_due_on, basis, … }, orders, receipts, cash, can_order, refusal } */
export const casePayments = (caseId) => get(`/cases/${caseId}/payments`)
/** 生成（或沿用）缴款单 → { order_no, amount_fen, fine_fen, late_fee_fen, pay_url, code_url, qr_svg, expires_at, reused } */
export const createPaymentOrder = (caseId) => post(`/cases/${caseId}/payment-orders`, {})
/** 缴款单状态 → { status, paid_fen, receipt_no, receipt_url, verify_url, … } */
export const paymentStatus = (orderNo) => get(`/payments/${encodeURIComponent(orderNo)}`)
/** 退还多缴款项（需 payment:manage） */
export const refundPayment = (orderNo, reason) => post(`/payments/${encodeURIComponent(orderNo)}/refund`, { reason })

/** 登记当场收缴：body { amount_fen, ground, reason?, party_requested, bill_no, collected_on?, on_water, landed_on?, version } */
export const collectCash = (caseId, body) => post(`/cases/${caseId}/cash-collections`, body)
/** 当场收缴记录：params { status?, overdue?, case_id? } → { items, total } */
export const listCash = (params) => get('/payments/cash-collections', params)
export const handInCash = (id, note) => post(`/payments/cash-collections/${id}/hand-in`, { note: note || null })
export const remitCash = (id, bankSlipNo) => post(`/payments/cash-collections/${id}/remit`, { bank_slip_no: bankSlipNo })

/** 每日对账 → { day, ok, totals, mismatches, orders, cash, stored_at } */
export const reconciliation = (day) => get('/payments/reconciliation', { day })
/** 立即对账并保存该日结果（需 payment:manage） */
export const runReconciliation = (day) => post(`/payments/reconciliation?day=${encodeURIComponent(day)}`, {})

// ---- 模拟支付渠道（开发测试）：支付页面调用，不带任何登录令牌 ----
const sim = axios.create({ baseURL: '/api/v1/sim-gateway', timeout: 30000 })
sim.interceptors.response.use(
  (r) => r,
  (error) => {
    if (!error.response) return Promise.reject(new ApiError({ status: 0, code: 'network.error', detail: '无法连接支付渠道，请检查网络后重试' }))
    const { status, data } = error.response
    const body = data && typeof data === 'object' ? data : {}
    return Promise.reject(new ApiError({ status, code: body.code, title: body.title, detail: body.detail || `支付渠道返回错误（${status}）` }))
  },
)
/** 支付页的订单 → { order_no, amount_fen, description, state: NOTPAY|SUCCESS|CLOSED|REFUND, state_label, merchant, expires_at, return_url } */
export const simOrder = (orderNo) => sim.get(`/orders/${encodeURIComponent(orderNo)}`).then((r) => r.data)
/** 确认支付：渠道随后自行向平台发送签名的支付通知 */
export const simPay = (orderNo) => sim.post(`/orders/${encodeURIComponent(orderNo)}/pay`, { deliver: 'gateway' }).then((r) => r.data)
