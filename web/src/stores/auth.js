// 登录状态：令牌（localStorage）、当前用户（/auth/me）、权限判断与空闲超时。
import { defineStore } from 'pinia'
import { TOKEN_KEY } from '@/api/http'
import * as authApi from '@/api/auth'
import { useOrgStore } from './org'
import { resetLawRegion } from '@/composables/useLawRegion'

const IDLE_KEY = 'chengguan.idle_timeout'
const ACTIVITY_KEY = 'chengguan.last_activity'

export const useAuthStore = defineStore('auth', {
  state: () => ({
    token: localStorage.getItem(TOKEN_KEY) || '',
    me: null,
    idleTimeoutSeconds: Number(localStorage.getItem(IDLE_KEY)) || 0,
    // Why the user was sent back to the login page (shown there once).
    logoutReason: '',
  }),
  getters: {
    isLoggedIn: (s) => !!s.token,
    permissions: (s) => new Set(s.me?.permissions || []),
    unitIsSquad: (s) => s.me?.unit?.level === 'squad',
    // 管理员重置了密码：修改前服务端只接受 /auth/me、/auth/password 与退出（403 auth.password_change_required）。
    mustChangePassword: (s) => !!s.me?.must_change_password,
  },
  actions: {
    can(permission) {
      return this.permissions.has(permission)
    },
    canAny(list) {
      if (!list || list.length === 0) return true
      return list.some((p) => this.permissions.has(p))
    },
    async login(username, password) {
      const res = await authApi.login(username, password)
      useOrgStore().reset()
      resetLawRegion()
      this.token = res.access_token
      localStorage.setItem(TOKEN_KEY, res.access_token)
      this.idleTimeoutSeconds = Number(res.idle_timeout_seconds) || 0
      localStorage.setItem(IDLE_KEY, String(this.idleTimeoutSeconds))
      this.touch(true)
      this.logoutReason = ''
      this.me = res.user || (await authApi.fetchMe())
      return this.me
    },
    async loadMe() {
      this.me = await authApi.fetchMe()
      return this.me
    },
    /** After the password was changed (forced or not): the server no longer asks for it. */
    passwordChanged() {
      if (this.me) this.me = { ...this.me, must_change_password: false }
    },
    async logout() {
      if (this.token) {
        try {
          await authApi.logout()
        } catch {
          /* the token may already be gone server-side; local logout still proceeds */
        }
      }
      this.clear()
    },
    clear(reason = '') {
      // Cached data belongs to the previous user's data scope.
      useOrgStore().reset()
      resetLawRegion()
      this.token = ''
      this.me = null
      this.logoutReason = reason
      localStorage.removeItem(TOKEN_KEY)
      localStorage.removeItem(ACTIVITY_KEY)
    },
    /** Record user activity (throttled) for the client-side idle timeout. */
    touch(force = false) {
      const now = Date.now()
      const last = Number(localStorage.getItem(ACTIVITY_KEY)) || 0
      if (force || now - last > 15000) localStorage.setItem(ACTIVITY_KEY, String(now))
    },
    idleExpired() {
      if (!this.token || !this.idleTimeoutSeconds) return false
      const last = Number(localStorage.getItem(ACTIVITY_KEY)) || 0
      return last > 0 && Date.now() - last > this.idleTimeoutSeconds * 1000
    },
  },
})
