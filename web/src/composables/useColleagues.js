// 承办人候选：本人所在单位在岗的执法人员（持证者可选，协管员无执法资格，《行政处罚法》第四十二条）。
// 名单来自 GET /cases/colleagues（承办案件的人即可查看本单位名单，无需执法人员管理权限）。
import { computed, ref } from 'vue'
import { caseColleagues } from '@/api/cases'
import { useAuthStore } from '@/stores/auth'

export function useColleagues() {
  const auth = useAuthStore()
  const officers = ref([])
  const loading = ref(false)
  const error = ref('')

  const me = computed(() => auth.me?.officer || null)

  async function load() {
    const unitId = auth.me?.unit?.id
    error.value = ''
    if (!unitId) {
      error.value = '当前账号未归属单位，无法选择承办人'
      return
    }
    loading.value = true
    try {
      officers.value = (await caseColleagues()) || []
    } catch (err) {
      error.value = err.detail || '执法人员名单加载失败'
    } finally {
      loading.value = false
    }
  }

  /** [{ id, name, certified, label, disabled, isMe, hasLogin }] — me first, certified before auxiliary. */
  const options = computed(() => {
    const out = []
    const seen = new Set()
    const push = (o, isMe) => {
      if (!o || seen.has(o.id)) return
      seen.add(o.id)
      const certified = o.kind === 'certified' && !!o.certificate_no
      out.push({
        id: o.id,
        name: o.name,
        certified,
        isMe,
        hasLogin: !!o.user_id,
        certificate: o.certificate_no || '',
        rank: o.rank || '',
        label: `${o.name}${isMe ? '（本人）' : ''}`,
        disabled: !certified,
      })
    }
    push(me.value, true)
    const sorted = [...officers.value].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'certified' ? -1 : 1))
    for (const o of sorted) push(o, o.id === me.value?.id)
    return out
  })

  return { options, loading, error, load, me }
}
