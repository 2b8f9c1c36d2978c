// 短信发件箱：平台发出的短信（文书送达链接、商户端登录验证码），供审计查看
import { get } from './http'

export const listSms = ({ phone, limit } = {}) => get('/sms-messages', { phone, limit })
