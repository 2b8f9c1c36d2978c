// 法律知识库的「适用地区」：各页面共用一个选择（本机记住）；未选过时取本人所在区，取不到时为青岛市南区。
import { ref, watch } from 'vue'
import { useAuthStore } from '@/stores/auth'
import { useOrgStore } from '@/stores/org'
import { REGION_OPTIONS } from '@/utils/law'

const STORAGE_KEY = 'chengguan.law.region'
const FALLBACK = '370202'
const NATIONAL = 'national' // stored value of 全国通用 (null in the API)

const stored = localStorage.getItem(STORAGE_KEY)
const region = ref(stored === NATIONAL ? null : stored || undefined)
let derived = false

watch(region, (v) => {
  if (v === undefined) return
  localStorage.setItem(STORAGE_KEY, v === null ? NATIONAL : v)
})

/** A division code (unit, street or district) → the district or province offered in the select. */
function toOption(code) {
  const c = String(code || '')
  if (c.length < 6) return null
  const exact = REGION_OPTIONS.find((o) => o.value === c.slice(0, 6))
  if (exact) return exact.value
  const province = REGION_OPTIONS.find((o) => o.value.endsWith('0000') && o.value.slice(0, 2) === c.slice(0, 2))
  return province ? province.value : null
}

async function userDistrict() {
  const auth = useAuthStore()
  const unit = auth.me?.unit
  if (!unit) return null
  // /auth/me names the unit but not its division code; the org tree (org:read) has it.
  if (unit.division_code) return toOption(unit.division_code)
  if (!auth.can('org:read')) return null
  try {
    const org = useOrgStore()
    await org.load()
    return toOption(org.byId[unit.id]?.division_code)
  } catch {
    return null
  }
}

export function useLawRegion() {
  if (region.value === undefined && !derived) {
    derived = true
    region.value = FALLBACK
    userDistrict().then((code) => {
      if (code && localStorage.getItem(STORAGE_KEY) === FALLBACK) region.value = code
    })
  }
  return region
}

/** Forget the remembered choice (a new user logs in on this browser). */
export function resetLawRegion() {
  localStorage.removeItem(STORAGE_KEY)
  region.value = undefined
  derived = false
}
