// 证据的显示：审核状态的标签颜色、文件大小，以及按令牌取回的文件（缩略图、播放）的对象 URL 缓存。
// 来源、审核级别等名称来自 GET /meta/labels（stores/labels.js）。
import { onBeforeUnmount, reactive } from 'vue'
import { fetchEvidenceBlob } from '@/api/evidence'

export const REVIEW_TAG = {
  not_required: 'info',
  pending: 'warning',
  first_passed: 'warning',
  passed: 'success',
  rejected: 'danger',
}

export function formatSize(bytes) {
  const n = Number(bytes || 0)
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GB`
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${n} B`
}

export const isPlayable = (item) => item?.kind === 'video' || item?.kind === 'audio'

/**
 * Object URLs of evidence files fetched with the token, one per item id, revoked when the component goes away.
 * `urls[id]` is the URL once loaded; `failed[id]` the error text when the file could not be fetched.
 */
export function useEvidenceBlobs() {
  const urls = reactive({})
  const failed = reactive({})
  const pending = new Map()

  function load(item) {
    if (!item || urls[item.id]) return Promise.resolve(urls[item?.id])
    if (pending.has(item.id)) return pending.get(item.id)
    const p = fetchEvidenceBlob(item)
      .then((blob) => {
        const typed = blob.type ? blob : new Blob([blob], { type: item.mime })
        urls[item.id] = URL.createObjectURL(typed)
        delete failed[item.id]
        return urls[item.id]
      })
      .catch((err) => {
        failed[item.id] = err.detail || '文件加载失败'
        return null
      })
      .finally(() => pending.delete(item.id))
    pending.set(item.id, p)
    return p
  }

  onBeforeUnmount(() => {
    for (const url of Object.values(urls)) URL.revokeObjectURL(url)
  })
  return { urls, failed, load }
}
