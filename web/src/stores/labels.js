// 枚举值的中文名称：登录后从 GET /meta/labels 取一次（名称由后端各业务域在枚举旁定义，界面不再自留副本）。
// 名称到达之前（或取不到时）显示原值，页面不会出现 undefined。
import { defineStore } from 'pinia'
import { fetchLabels } from '@/api/meta'

export const useLabelsStore = defineStore('labels', {
  state: () => ({ dicts: {}, loaded: false }),
  getters: {
    /** { dict: { value: entry } } for lookups (values as strings: JSON numbers become object keys). */
    index: (s) =>
      Object.fromEntries(Object.entries(s.dicts).map(([name, list]) => [name, Object.fromEntries(list.map((e) => [String(e.value), e]))])),
  },
  actions: {
    /** Fetch the dictionaries once; a failure is retried on the next call (labels fall back to raw values meanwhile). */
    load() {
      if (this.loaded) return Promise.resolve(this.dicts)
      if (!pending) {
        pending = fetchLabels()
          .then((dicts) => {
            this.dicts = dicts && typeof dicts === 'object' ? dicts : {}
            this.loaded = true
            return this.dicts
          })
          .catch(() => this.dicts)
          .finally(() => {
            pending = null
          })
      }
      return pending
    },
  },
})
let pending = null

/** The entry { value, label, …extra fields } of a value, or null. */
export function entryOf(dict, value) {
  if (value === null || value === undefined) return null
  return useLabelsStore().index[dict]?.[String(value)] || null
}

/** The Chinese label of a value; the raw value until the labels are loaded or when the value is unknown. */
export function label(dict, value) {
  const e = entryOf(dict, value)
  if (e) return e.label
  return value === null || value === undefined ? '' : String(value)
}

/** [{ value, label, …}] in the server's order, for selects, radios and checkboxes ([] until loaded). */
export const options = (dict) => useLabelsStore().dicts[dict] || []

/** { value: label } of a dictionary. */
export const labelMap = (dict) => Object.fromEntries(options(dict).map((e) => [e.value, e.label]))

/** Whether a value belongs to a dictionary (true until the dictionaries are loaded: nothing to check against yet). */
export const isKnown = (dict, value) => !useLabelsStore().loaded || entryOf(dict, value) !== null

/** [{ label: group, options: [entry…] }] of a dictionary whose entries carry a group, in the server's order. */
export function groupedOptions(dict) {
  const groups = new Map()
  for (const e of options(dict)) {
    if (!groups.has(e.group)) groups.set(e.group, [])
    groups.get(e.group).push(e)
  }
  return [...groups.entries()].map(([name, entries]) => ({ label: name, options: entries }))
}
