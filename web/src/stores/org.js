// 组织机构树缓存：供单位选择器、名称显示与各页面过滤条件共用。
import { defineStore } from 'pinia'
import { orgUnitTree } from '@/api/org'
import { useAuthStore } from './auth'

function flatten(nodes, parent = null, depth = 0, out = []) {
  for (const n of nodes || []) {
    out.push({ ...n, parent_id: parent, depth })
    flatten(n.children, n.id, depth + 1, out)
  }
  return out
}

export const useOrgStore = defineStore('org', {
  state: () => ({ tree: [], loaded: false, loading: null, error: null }),
  getters: {
    flat: (s) => flatten(s.tree),
    byId() {
      return Object.fromEntries(this.flat.map((u) => [u.id, u]))
    },
    squads() {
      return this.flat.filter((u) => u.level === 'squad')
    },
  },
  actions: {
    /** Load the readable tree once; pass force=true after an edit. */
    async load(force = false) {
      if (this.loaded && !force) return this.tree
      if (this.loading && !force) return this.loading
      // The tree is an org:read endpoint; without it there is nothing to ask for.
      if (!useAuthStore().can('org:read')) {
        this.error = { detail: '无组织机构查看权限' }
        return this.tree
      }
      this.loading = orgUnitTree()
        .then((tree) => {
          this.tree = Array.isArray(tree) ? tree : []
          this.loaded = true
          this.error = null
          return this.tree
        })
        .catch((err) => {
          this.error = err
          this.tree = []
          return this.tree
        })
        .finally(() => {
          this.loading = null
        })
      return this.loading
    },
    nameOf(id) {
      return this.byId[id]?.name || ''
    },
    reset() {
      this.tree = []
      this.loaded = false
      this.error = null
    },
  },
})
