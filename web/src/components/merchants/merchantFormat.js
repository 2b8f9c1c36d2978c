// 商户档案的中文标签（与后端 src/chengguan/merchants/enums.py 保持一致）。

export const MERCHANT_KINDS = { individual_business: '个体工商户', enterprise: '企业', other_org: '其他组织' }
export const MERCHANT_STATUS = { operating: '营业中', suspended: '停业', closed: '已注销' }
export const MERCHANT_STATUS_TAG = { operating: 'success', suspended: 'warning', closed: 'info' }

// 经营类别是自由文本；这里只是常见类别的候选（过滤与登记时可输入其他类别）。
export const BUSINESS_TYPES = ['餐饮', '零售', '建材装饰', '汽车服务', '广告', '物流', '住宿', '美容美发', '农贸', '维修']

/** A 个体工商户 answers as its operator (a citizen); an enterprise or other organisation as itself. */
export const isIndividualBusiness = (m) => m?.kind === 'individual_business'

/** The case party a shop stands for: an individual business by its operator and ID number, a company by its name,
 * credit code and legal representative. */
export function partyOfMerchant(m) {
  const individual = isIndividualBusiness(m)
  return {
    type: individual ? 'individual' : 'organization',
    name: individual ? m.operator_name : m.name,
    id_no: (individual ? m.operator_id_no : m.uscc) || '',
    phone: m.phone || '',
    address: m.address || '',
    representative: individual ? '' : m.operator_name || '',
  }
}
