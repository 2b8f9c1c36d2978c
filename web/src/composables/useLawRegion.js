// 法律知识库的「适用地区」：各页面共用一个选择（本机记住）。地方性法规只在制定机关的行政区域内适用
// （《立法法》第八十条、第八十一条），服务端不带 region 时按本人所在单位的地区筛选，所以：
//   null  —— 本单位所在地区：请求不带 region（推荐、裁量计算、事项选择的默认）；
//   'all' —— 不限地区：只有法规库、执法事项列表与全文检索这类「查阅」页面提供，发送 region=all；
//   六位行政区划代码 —— 所选地区。
import { computed, ref, watch } from 'vue'
import { useAuthStore } from '@/stores/auth'

const STORAGE_KEY = 'chengguan.law.region'
const MINE = 'mine' // stored value of null
export const ALL_REGIONS = 'all'

function restore() {
  const v = localStorage.getItem(STORAGE_KEY)
  if (v === ALL_REGIONS || /^[0-9]{6}$/.test(v || '')) return v
  return null // 'mine', nothing stored, or an older version's value ('national': null meant national rules then)
}

const region = ref(restore())
watch(region, (v) => localStorage.setItem(STORAGE_KEY, v || MINE))

export function useLawRegion() {
  return region
}

/** The region of the caller's unit (the first six digits of its division code in /auth/me), null when unknown. */
export function useMyRegion() {
  const auth = useAuthStore()
  return computed(() => {
    const code = String(auth.me?.unit?.division_code || '')
    return code.length >= 6 ? code.slice(0, 6) : null
  })
}

/**
 * The `region` a request sends for a chosen value: undefined (the server takes the caller's region) for null, and
 * for 'all' where the endpoint cannot mean every region (recommendation, calculator, a matter's detail).
 */
export function regionParam(value, { library = false } = {}) {
  if (value === ALL_REGIONS) return library ? ALL_REGIONS : undefined
  return value || undefined
}

/** Forget the remembered choice (a new user logs in on this browser). */
export function resetLawRegion() {
  localStorage.removeItem(STORAGE_KEY)
  region.value = null
}
