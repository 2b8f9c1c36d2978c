// 分页列表的通用状态：过滤条件、页码、加载与错误。
import { reactive, ref } from 'vue'
import { showError } from '@/utils/feedback'

export function useList(fetcher, initialFilters = {}, { pageSize = 20 } = {}) {
  const filters = reactive({ ...initialFilters })
  const items = ref([])
  const total = ref(0)
  const page = ref(1)
  const size = ref(pageSize)
  const loading = ref(false)
  const error = ref(null)

  async function load() {
    loading.value = true
    error.value = null
    try {
      const res = await fetcher({ ...filters, page: page.value, page_size: size.value })
      items.value = res?.items || []
      total.value = res?.total ?? items.value.length
    } catch (err) {
      error.value = err
      items.value = []
      total.value = 0
      if (err.status !== 401) showError(err, '加载失败')
    } finally {
      loading.value = false
    }
  }

  function search() {
    page.value = 1
    return load()
  }

  function reset() {
    for (const k of Object.keys(filters)) filters[k] = initialFilters[k] ?? null
    return search()
  }

  return { filters, items, total, page, pageSize: size, loading, error, load, search, reset }
}
