// 口令策略（与后端一致）：至少 8 位，且包含大写字母、小写字母、数字、符号中的至少 3 类。
export const PASSWORD_HINT = '至少 8 位，且包含大写字母、小写字母、数字、符号中的至少 3 类'

export function passwordProblems(pw) {
  if (!pw) return '请输入密码'
  if (pw.length < 8) return '密码长度至少 8 位'
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length
  if (classes < 3) return '需包含大写字母、小写字母、数字、符号中的至少 3 类'
  return ''
}

/** An el-form validator for the policy. */
export const passwordRule = {
  validator: (_rule, value, callback) => {
    const p = passwordProblems(value)
    if (p) callback(new Error(p))
    else callback()
  },
  trigger: 'blur',
}
