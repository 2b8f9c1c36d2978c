// 平台字典：各枚举值的中文名称（GET /meta/labels，服务端按 ETag 校验缓存）。
import { get } from './http'

export const fetchLabels = () => get('/meta/labels')
