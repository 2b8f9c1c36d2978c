// 界面自有的显示约定：新建下级单位的层级、状态标签颜色；审计动作名称由后端词表组合。

// The Chinese names of the backend's enums come from GET /meta/labels (stores/labels.js); what stays here is the
// web app's own: the level a new child unit takes and tag colours.
import { entryOf } from '@/stores/labels'

export const NEXT_LEVEL = { city: 'district', district: 'squad', squad: null }

export const STATUS_TAG = {
  active: 'success',
  inactive: 'info',
  in_service: 'success',
  maintenance: 'warning',
  retired: 'info',
  online: 'success',
  offline: 'danger',
}

// 审计动作：`<对象>.<动作>`。名称来自 GET /meta/labels（audit_action 完整动作表、audit_verb + audit_target 组合、
// 案件操作 case.<操作> 用 case_action）；未知的只显示原代码。
export function auditActionLabel(action) {
  if (!action) return ''
  const known = entryOf('audit_action', action)
  if (known) return known.label
  const i = String(action).lastIndexOf('.')
  if (i < 0) return ''
  const target = action.slice(0, i)
  const verb = action.slice(i + 1)
  if (target === 'case') {
    const caseAction = entryOf('case_action', verb)
    return caseAction ? `案件：${caseAction.label}` : `案件：${CASE_EVENTS[verb] || verb}`
  }
  const v = entryOf('audit_verb', verb)
  const t = entryOf('audit_target', target)
  return v && t ? `${v.label}${t.label}` : ''
}

// 案件全过程记录中不属于流程操作的条目（与后端 cases/timeline.py EVENT_LABELS 一致）。
const CASE_EVENTS = { create: '立案登记', amend: '补正案件信息', withdraw_disclosure: '撤回公开信息' }

/** 审计对象类型的中文名（未知的显示原代码）。 */
export const auditTargetLabel = (type) => entryOf('audit_target', type)?.label || type || ''
