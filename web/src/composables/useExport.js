// 列表导出（Excel）：以列表当前的筛选条件请求 path（服务端按同样的筛选、排序与数据权限流式生成，并记入审计日志），
// 下载并保存；exporting 供按钮显示加载状态。path 可为函数（如所选裁量基准的导出地址）。
import { ref } from 'vue'
import { download } from '@/api/analytics'
import { saveBlob } from '@/api/documents'
import { showError } from '@/utils/feedback'

export function useExport(path, fallbackName, paramsOf) {
  const exporting = ref(false)
  async function exportList() {
    exporting.value = true
    try {
      const { page: _p, page_size: _s, ...params } = paramsOf()
      const { blob, name } = await download(typeof path === 'function' ? path() : path, params, fallbackName)
      saveBlob(blob, name)
    } catch (err) {
      showError(err, '导出失败')
    } finally {
      exporting.value = false
    }
  }
  return { exporting, exportList }
}
