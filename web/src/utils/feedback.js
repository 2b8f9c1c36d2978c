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

/** Ask for a required line of text (a reason, a slip number): the trimmed text, or null when cancelled. */
export function askText(message, title, { placeholder = '', required = '请填写内容', confirmButtonText = '确认' } = {}) {
  return ElMessageBox.prompt(message, title, {
    inputPlaceholder: placeholder,
    inputValidator: (v) => Boolean(v && v.trim()) || required,
    confirmButtonText,
    cancelButtonText: '取消',
  })
    .then(({ value }) => value.trim())
    .catch(() => null)
}

/** Run a change, say it succeeded and reload the page's data; a refusal is shown (with ``failure`` as fallback). */
export async function runAndReload(change, success, failure, reload) {
  try {
    await change()
    showSuccess(success)
    await reload()
  } catch (err) {
    showError(err, failure)
  }
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

/**
 * 确认后删除一条记录：确认框 → 调用删除接口 → 提示 → 刷新。用户取消时返回 false，删除成功返回 true。
 * @param {string} noun 记录的名称（如「车辆」）  @param {string} label 该条记录的显示名
 */
export async function confirmAndDelete(noun, label, deleter, onDone) {
  if (!(await confirmDanger(`确定删除${noun}「${label}」吗？`, `删除${noun}`, '删除'))) return false
  try {
    await deleter()
    showSuccess('已删除')
    onDone?.()
    return true
  } catch (err) {
    showError(err, '删除失败')
    return false
  }
}
