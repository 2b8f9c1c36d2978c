// 决定书的法定载明事项（与后端 src/chengguan/cases/particulars.py 同一规则，表单据此提前提示；是否接受由服务端决定）：
// 当场处罚《行政处罚法》第五十二条第二款（违法行为、时间、地点……），其他决定第五十九条（当事人姓名或者名称、地址，违法事实……）。
import { watch } from 'vue'
import { idNumberProblem } from '@/utils/idnumbers'

export const MIN_FACTS_CHARS = 10 // a 违法事实 says who did what where; a few characters cannot

const blank = (v) => !String(v || '').trim()

/**
 * The particulars a decision would lack, as [{ field, message }] with the server's field names
 * (facts, act_at, address, party.name, party.id_no, party.address).
 * p: { facts, address, act_at, party: { type, name, id_no, address } }.
 */
export function missingParticulars(p, { onTheSpot = false } = {}) {
  const party = p.party || {}
  const out = []
  const facts = String(p.facts || '').trim()
  if (facts.length < MIN_FACTS_CHARS) {
    out.push({ field: 'facts', message: facts ? `违法事实至少 ${MIN_FACTS_CHARS} 个字：写明当事人实施了什么违法行为` : '请填写违法事实' })
  }
  if (onTheSpot && !p.act_at) out.push({ field: 'act_at', message: '请填写违法时间（年月日时分）' })
  if (blank(p.address)) out.push({ field: 'address', message: '请填写违法地点' })
  if (blank(party.name)) out.push({ field: 'party.name', message: '请填写当事人姓名或者名称' })
  // A masked number (370202********1234) is on record in full: the server checks it, not the form.
  const id = String(party.id_no || '').includes('*') ? '' : idNumberProblem(party.id_no, party.type)
  if (id) out.push({ field: 'party.id_no', message: id })
  if (!onTheSpot && blank(party.address)) out.push({ field: 'party.address', message: '请填写当事人地址' })
  return out
}

/** The particulars of a case as the detail returns it. */
export const particularsOfCase = (d) => ({
  facts: d.facts,
  address: d.address,
  act_at: d.act_at,
  party: { type: d.party_type, name: d.party_name, id_no: d.party_id_no, address: d.party_address },
})

/** The form fields a message is shown next to, by their error paths (getters of what the officer edits). */
export const particularGetters = (form) => ({
  facts: () => form.facts,
  address: () => form.address,
  act_at: () => form.act_at,
  ...Object.fromEntries(['name', 'id_no', 'phone', 'address'].map((f) => [`party.${f}`, () => form.party?.[f]])),
})

/** A field's message goes once the officer edits that field (then `after`, e.g. to drop the summary). */
export function clearOnEdit(errors, getters, after = () => {}) {
  for (const [field, value] of Object.entries(getters)) {
    watch(value, () => {
      delete errors[field]
      after()
    })
  }
}
