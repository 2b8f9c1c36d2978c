// 执法办案的显示格式：状态分组与颜色、动作对话框、期限、金额与时间、全过程记录的文字。
import { uuid4 } from '@/components/dispatch/sourceFormat'
import { label } from '@/stores/labels'

// The names of statuses, procedures and 法制审核 grounds come from GET /meta/labels (stores/labels.js).

const APPROVAL = ['filing_approval', 'decision_approval', 'closure_approval']
const EXITS = ['declined', 'withdrawn', 'transferred', 'suspended']
/** The tag colour of a case status: approvals wait, closed is done, exits are grey, an on-site decision is urgent. */
export function caseStatusTag(status) {
  if (APPROVAL.includes(status)) return 'warning'
  if (status === 'closed' || status === 'archived') return 'success'
  if (EXITS.includes(status)) return 'info'
  return status === 'on_site' ? 'danger' : 'primary'
}

// 第五十一条：当场罚款上限（公民 200 元，法人或者其他组织 3000 元）。
export const SIMPLE_CAP_FEN = { individual: 20000, organization: 300000 }

/** What each action asks for in its dialog (everything else is a plain confirmation). */
export const ACTION_INPUTS = {
  reject: { reason: '退回理由' },
  decline: { reason: '不予立案理由' },
  withdraw: { reason: '撤案理由' },
  transfer_out: { reason: '移送理由（移送机关及依据）' },
  suspend: { reason: '中止理由' },
  pass_legal_review: { opinion: '审核意见', opinionHint: '可填写审核意见（选填），将记入全过程记录' },
  fail_legal_review: { reason: '审核意见（退回补充调查的理由）', reasonHint: '审核未通过的，须写明审核意见（《行政处罚法》第五十八条）' },
  submit_no_penalty: { reason: '不予处罚的理由及依据' },
  extend: { reason: '延长理由', extensionDays: true },
  approve: { opinion: true },
  issue_notice: { penalty: true },
  serve_notice: { on: '送达日期' },
  serve_decision: { on: '送达日期' },
  serve_reminder: { on: '催告书送达日期' },
  start_remedy: { on: '申请复议或起诉日期' },
  end_remedy: { on: '复议或诉讼结束日期' },
  apply_enforcement: { on: '申请日期' },
  record_payment: { on: '缴款日期', amount: true },
  schedule_hearing: { hearing: true },
  record_hearing: { hearingHeld: true },
  deliver_on_site: { signed: true },
  record_statement: { note: '陈述、申辩要点' },
  record_discussion: { note: '集体讨论结论' },
  waive_statement: { note: '放弃方式（可选，如“当事人书面放弃”）', noteOptional: true },
}

/** One line shown in the dialog of an action that takes no input (what it does, in words). */
export const ACTION_HINTS = {
  start_check: '开始对案件来源进行初步核实。',
  submit_filing: '将案件提交立案审批（须两名以上持证执法人员，且未超过追责时效）。',
  end_investigation: '调查终结，进入案件审核。',
  send_legal_review: '提交法制审核（《行政处罚法》第五十八条）。',
  pass_legal_review: '法制审核通过，案件回到提交审核前的环节。',
  send_discussion: '提请负责人集体讨论（《行政处罚法》第五十七条）。',
  request_hearing: '登记当事人在法定期限内提出的听证要求。',
  submit_decision: '将拟作出的处罚决定提交审批。',
  submit_closure: '执行完毕，提请结案。',
  archive: '结案材料整理完毕，归档。',
  resume: '中止情形消失，恢复办理。',
}

const DANGER = ['reject', 'decline', 'withdraw', 'transfer_out', 'suspend', 'fail_legal_review']
const PRIMARY = [
  'start_check',
  'submit_filing',
  'approve',
  'end_investigation',
  'pass_legal_review',
  'issue_notice',
  'serve_notice',
  'submit_decision',
  'serve_decision',
  'deliver_on_site',
  'record_payment',
  'submit_closure',
  'archive',
]
export const actionButtonType = (a) => (DANGER.includes(a) ? 'danger' : PRIMARY.includes(a) ? 'primary' : 'default')

/** Fen → "1,234.56 元" (always two decimals: the amounts of a penalty decision). */
export function yuan2(fen) {
  if (fen === null || fen === undefined || fen === '') return '—'
  return `${(Number(fen) / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`
}

/** Yuan typed into a form → integer fen; empty → null. */
export function yuanToFen(v) {
  if (v === null || v === undefined || v === '' || Number.isNaN(Number(v))) return null
  return Math.round(Number(v) * 100)
}

/** { level: overdue|warning|normal|none, text } of a case's 办案期限 (remaining_days from the server). */
export function deadlineBadge(item) {
  const d = item?.remaining_days
  if (item?.overdue) return { level: 'overdue', text: d !== null && d !== undefined ? `已超期 ${Math.abs(d)} 天` : '已超期' }
  if (d === null || d === undefined) return { level: 'none', text: '—' }
  if (d <= 10) return { level: 'warning', text: d === 0 ? '今日到期' : `剩 ${d} 天` }
  return { level: 'normal', text: `剩 ${d} 天` }
}

/** A clock card's level from the server's warning/overdue flags. */
export const clockLevel = (c) => (c.overdue ? 'overdue' : c.warning ? 'warning' : 'normal')

/** "剩 3 天" / "今日届满" / "已超期 2 天". */
export function remainingText(days, overdue) {
  if (overdue || days < 0) return `已超期 ${Math.abs(days)} 天`
  if (days === 0) return '今日届满'
  return `剩 ${days} 天`
}

/** Today as YYYY-MM-DD in Beijing time (legal days are counted in Asia/Shanghai). */
export function todayLocal() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
}

const MINUTE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/**
 * Beijing wall time "YYYY-MM-DD HH:mm" of an instant (now by default): the 违法时间 a decision states is to the
 * minute (《行政处罚法》第五十二条), whatever time zone the browser is set to.
 */
export function localMinute(value = new Date()) {
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  const p = Object.fromEntries(MINUTE.formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** "YYYY-MM-DD HH:mm" Beijing wall time → ISO 8601 with its offset (what act_at takes); '' → null. */
export const minuteToIso = (v) => (v ? `${v.replace(' ', 'T')}:00+08:00` : null)

/** Whether a Beijing wall time lies after the current minute (the act cannot be in the future). */
export const isFutureMinute = (v) => !!v && v > localMinute()

/** The particulars a decision states, by the field names of the server's errors (cases/particulars.py). */
export const PARTICULAR_LABELS = {
  facts: '违法事实',
  address: '违法地点',
  act_at: '违法时间',
  'party.name': '当事人姓名或名称',
  'party.id_no': '当事人证件号码',
  'party.address': '当事人地址',
}

// 第五十四条: facts, time, place and party may be corrected until the case goes to review (cases/amend.py).
export const AMENDABLE_STATUSES = ['registered', 'preliminary_check', 'investigation', 'case_review']

/** A fresh idempotency key (crypto.randomUUID where the browser has it). */
export const newKey = () => (window.crypto?.randomUUID ? window.crypto.randomUUID() : uuid4())

// Keys of a timeline entry's data and how they read.
const DATA_LABELS = {
  note: '记录',
  step: '审批环节',
  statement_ends: '陈述申辩期届满',
  decision_due_on: '办案期限',
  payment_due_on: '缴款期限',
  paid_on: '缴款日期',
  procedure: '程序',
  matter: '执法事项版本',
}
// What a correction (补正案件信息) changed: data.changes = { column: [before, after] }.
const CHANGE_LABELS = {
  facts: '违法事实',
  address: '违法地点',
  act_at: '违法时间',
  party_type: '当事人类型',
  party_name: '当事人',
  party_id_no: '证件号码',
  party_phone: '联系电话',
  party_address: '当事人地址',
  party_representative: '法定代表人',
}
const changeValue = (k, v) => {
  if (v === null || v === undefined || v === '') return '（空）'
  if (k === 'act_at') return localMinute(v) || v
  if (k === 'party_type') return label('party_type', v)
  const s = String(v)
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}

/** "违法地点：（空） → 八大关…；证件号码：… → …" for an amend entry of the timeline. */
export function changesText(changes) {
  return Object.entries(changes || {})
    .map(([k, [before, after]]) => `${CHANGE_LABELS[k] || k}：${changeValue(k, before)} → ${changeValue(k, after)}`)
    .join('；')
}

export function eventDataText(e) {
  const d = e?.data || {}
  if (e?.action === 'amend') return changesText(d.changes)
  const out = []
  for (const [k, v] of Object.entries(d)) {
    if (k === 'signature' || v === null || v === undefined || v === '') continue
    const name = DATA_LABELS[k]
    if (!name) continue
    out.push(`${name}：${k === 'procedure' ? label('case_procedure', v) : v}`)
  }
  return out.join('；')
}
