// 商户档案的显示：状态颜色、常见经营类别、商户所代表的当事人（类型与状态的名称来自 GET /meta/labels）。

export const MERCHANT_STATUS_TAG = { operating: 'success', suspended: 'warning', closed: 'info' }

// 经营类别是自由文本；这里只是常见类别的候选（过滤与登记时可输入其他类别）。
export const BUSINESS_TYPES = ['餐饮', '零售', '建材装饰', '汽车服务', '广告', '物流', '住宿', '美容美发', '农贸', '维修']

/** A 个体工商户 answers as its operator (a citizen); an enterprise or other organisation as itself. */
export const isIndividualBusiness = (m) => m?.kind === 'individual_business'

/** A masked rendering (370202********1234, 138****5678) is not a value to copy into a form. */
const unmasked = (v) => (v && !String(v).includes('*') ? v : '')

/** The case party a shop stands for: an individual business by its operator and ID number, a company by its name,
 * credit code and legal representative. ``full``: the operator's ID number and phone revealed (POST
 * /merchants/{id}/personal:reveal); without it the masked ones are left blank. */
export function partyOfMerchant(m, full = null) {
  const individual = isIndividualBusiness(m)
  return {
    type: individual ? 'individual' : 'organization',
    name: individual ? m.operator_name : m.name,
    id_no: (individual ? unmasked(full?.operator_id_no ?? m.operator_id_no) : m.uscc) || '',
    phone: unmasked(full?.phone ?? m.phone),
    address: m.address || '',
    representative: individual ? '' : m.operator_name || '',
  }
}
