// 统一的错误提示与表单字段错误映射（problem+json 的 errors[].field → el-form-item 的 error）。
import { ElMessage, ElMessageBox } from 'element-plus'

export function showError(err, fallback = '操作失败') {
  ElMessage.error({ message: err?.detail || err?.message || fallback, grouping: true })
}

export function showSuccess(message) {
  ElMessage.success({ message, grouping: true })
}

export function confirmDanger(message, title = '确认操作', confirmButtonText = '确定') {
  return ElMessageBox.confirm(message, title, {
    type: 'warning',
    confirmButtonText,
    cancelButtonText: '取消',
    confirmButtonClass: 'el-button--danger',
  })
    .then(() => true)
    .catch(() => false)
}

/**
 * Field name of a problem error: accepts "name", "body.name", "body → name", or ["body","name"];
 * returns the last path segment that is not an array index.
 */
export function fieldKey(field) {
  const parts = Array.isArray(field) ? field.map(String) : String(field || '').split(/\s*(?:\.|→|\/)\s*/)
  const named = parts.filter((p) => p && !/^\d+$/.test(p) && p !== 'body' && p !== 'query')
  return named.length ? named[named.length - 1] : ''
}

/**
 * Copy a problem's field errors into a reactive object bound to `:error` of el-form-items.
 * Returns true when at least one error was attached to a field shown on the form.
 */
export function applyFieldErrors(err, target, knownFields) {
  for (const k of Object.keys(target)) delete target[k]
  let attached = false
  for (const e of err?.errors || []) {
    const key = fieldKey(e.field)
    if (!key) continue
    if (knownFields && !knownFields.includes(key)) continue
    target[key] = target[key] ? `${target[key]}；${e.message}` : e.message
    attached = true
  }
  return attached
}

/**
 * Show a failed save: field errors go onto the form fields; the toast then only points at them (the
 * problem's detail repeats them with raw field names). Without field errors the zh-CN detail is shown.
 */
export function handleSaveError(err, fieldErrors, knownFields) {
  const attached = fieldErrors ? applyFieldErrors(err, fieldErrors, knownFields) : false
  if (attached) ElMessage.error({ message: '保存失败，请按提示修改标红的项', grouping: true })
  else showError(err, '保存失败')
}
