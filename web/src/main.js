import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/dist/index.css'
import './styles/base.css'
import './styles/mobile.css'
import App from './App.vue'
import router from './router'
import { setUnauthorizedHandler } from './api/http'
import { useAuthStore } from './stores/auth'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)

// Any 401 (expired, idle-timed-out or revoked token) ends the session and returns to the login page.
setUnauthorizedHandler((err) => {
  const auth = useAuthStore(pinia)
  if (!auth.token) return
  auth.clear(err.detail || '登录已失效，请重新登录')
  const current = router.currentRoute.value
  if (current.name !== 'login') router.replace({ name: 'login', query: { redirect: current.fullPath } })
})

app.mount('#app')
