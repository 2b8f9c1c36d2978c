"""Each demo role logs in through the real UI and sees exactly its menu; phones get the 执法通 shell."""

from __future__ import annotations

import uuid

import httpx
import pytest

from chengguan.demo.loader import DEMO_LOGINS

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}
COMMAND = ["dispatch-map", "sources", "supervisions", "source-rules"]  # dispatch:read, source:read, source:manage
VIDEO = ["video-patrol", "video-alarms", "video-cameras"]  # device:read or dispatch:read; source:read; device:read
CASES = ["cases", "case-inbox"]  # case:read; 审批待办 with case:approve or legal:review
CASE_CONFIG = [*CASES, "case-chains"]  # 审批流程配置 with case:configure (admin only)
REGISTRY = ["org-units", "officers", "equipment", "grids"]
LAW_READ = ["law-library", "law-matters", "law-assess"]  # law:read
LAW = [*LAW_READ, "law-admin"]  # law:write
SYSTEM = ["users", "roles", "audit", "sms"]  # audit:read also opens 短信发件箱 (as sms:read does)
MERCHANTS = ["merchants", "notices", "shop-claims"]  # merchant:read (商户档案、整改通知、店铺认领审核)
IOT = ["iot-devices", "iot-alarms"]  # device:read
PAYMENTS = ["payment-reconciliation", "payment-cash"]  # payment:read or payment:manage (缴款管理)
HOME = ["dashboard", "analytics"]  # 数据分析 follows 工作台 for whoever reads sources or cases

# The menu each role must see (from the built-in roles' permissions; a change there must change this table). 三员分立:
# the system administrator has no 审计日志, the security administrator only users, roles and the unit tree it
# assigns scopes on, the audit administrator only the log (and the SMS outbox it may audit).
EXPECTED_MENUS = {
    "admin": [*HOME, *COMMAND, *VIDEO, *CASE_CONFIG, *PAYMENTS, *IOT, *MERCHANTS, *REGISTRY, *LAW, "users", "roles",
              "sms"],
    "secadmin": ["dashboard", "org-units", "users", "roles"],
    "auditor": ["dashboard", "audit", "sms"],
    "shinan_leader": [*HOME, *COMMAND, *VIDEO, *CASES, *PAYMENTS, *IOT, *MERCHANTS, *REGISTRY, *LAW_READ, *SYSTEM],
    "bdg_leader": [*HOME, *COMMAND, *VIDEO, *CASES, *PAYMENTS, *IOT, *MERCHANTS, *REGISTRY, *LAW_READ],
    "bdg_officer": [*HOME, "sources", "supervisions", "video-alarms", "cases", *MERCHANTS, "grids", *LAW_READ],
    "shinan_legal": [*HOME, *CASES, *MERCHANTS, "org-units", "officers", *LAW],
    "command": [*HOME, *COMMAND, *VIDEO, *IOT, *MERCHANTS, *REGISTRY, *LAW_READ],
}


def _login(page, base: str, username: str, password: str | None = None) -> None:
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").locator("input").or_(page.get_by_test_id("login-username")).first.fill(
        username
    )
    page.get_by_test_id("login-password").locator("input").or_(page.get_by_test_id("login-password")).first.fill(
        password or PASSWORDS[username]
    )
    page.get_by_test_id("login-submit").click()


@pytest.mark.e2e
@pytest.mark.parametrize("username", sorted(EXPECTED_MENUS))
def test_role_sees_its_menu(browser, live_server, username, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, live_server, username)
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-dashboard").wait_for(timeout=15_000)
        shown = page.locator("[data-testid^='menu-']").evaluate_all("els => els.map(e => e.dataset.testid)")
        assert [s.removeprefix("menu-") for s in shown] == EXPECTED_MENUS[username]
        assert page.get_by_test_id("header-user").inner_text().strip()
    finally:
        page.screenshot(path=str(tmp_path / f"{username}.png"))
        context.close()


@pytest.mark.e2e
def test_auditor_reads_audit_and_verifies_chain(browser, live_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, live_server, "auditor")
        page.get_by_test_id("menu-audit").click()
        page.locator("[data-testid='audit-table'] .el-table__row").first.wait_for(timeout=15_000)
        text = page.get_by_test_id("audit-table").inner_text()
        assert "登录" in text or "auth.login" in text
        page.get_by_test_id("audit-verify").click()
        result = page.get_by_test_id("audit-verify-result")
        result.wait_for(timeout=15_000)
        assert "完整" in result.inner_text()
    finally:
        context.close()


@pytest.mark.e2e
def test_wrong_password_shows_chinese_error(browser, live_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, live_server, "command", "Wrong#Pass1")
        page.get_by_test_id("login-error").wait_for(timeout=10_000)
        assert "用户名或密码错误" in page.get_by_test_id("login-error").inner_text()
    finally:
        context.close()


@pytest.mark.e2e
def test_phone_gets_the_mobile_shell(browser, live_server, tmp_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN", device_scale_factor=2
    )
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/m/**", timeout=15_000)
        tabbar = page.get_by_test_id("mobile-tabbar")
        tabbar.wait_for(timeout=10_000)
        assert [t.strip() for t in tabbar.locator("[data-testid^='tab-']").all_inner_texts()] == [
            "我的任务",
            "上报",
            "法规",
            "我的",
        ]
        page.get_by_test_id("grid-card").first.wait_for(timeout=10_000)
        page.get_by_test_id("tab-me").click()
        page.get_by_test_id("me-certificate").wait_for(timeout=10_000)
        assert page.get_by_test_id("me-certificate").inner_text().strip()
    finally:
        page.screenshot(path=str(tmp_path / "mobile.png"))
        context.close()


CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def _csp_violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


@pytest.mark.e2e
def test_the_console_runs_under_the_content_security_policy(browser, live_server, tmp_path):
    """Login, dashboard, users, the command map with its markers and grids, a case list: nothing the CSP blocks."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        response = page.goto(f"{live_server}/login")
        assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
        _login(page, live_server, "admin")
        page.get_by_test_id("menu-dashboard").wait_for(timeout=15_000)
        for menu, ready in [
            ("menu-users", "[data-testid='user-table'] .el-table__row"),
            ("menu-cases", ".el-table__row"),
            ("menu-dispatch-map", ".leaflet-container [data-testid^='map-source-']"),
        ]:
            page.get_by_test_id(menu).click()
            page.locator(ready).first.wait_for(timeout=20_000)
        page.locator(".leaflet-overlay-pane path").first.wait_for(timeout=15_000)  # the grids
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / "command-map-under-csp.png"))
        assert _csp_violations(page) == [] and refused == []
    finally:
        context.close()


@pytest.mark.e2e
def test_a_reset_password_must_be_changed_before_the_console(browser, live_server, tmp_path):
    """The administrator resets a user's password in 用户管理; that user logs in, lands on 修改密码, cannot keep
    the password the administrator chose, sets a new one and reaches the console."""
    with httpx.Client(base_url=f"{live_server}/api/v1", timeout=30, trust_env=False) as api:
        token = api.post("/auth/login", json={"username": "admin", "password": PASSWORDS["admin"]}).json()
        admin_headers = {"Authorization": f"Bearer {token['access_token']}"}
        squad = api.get("/users", params={"q": "bdg_leader"}, headers=admin_headers).json()["items"][0]["unit_id"]
        username = f"e2e{uuid.uuid4().hex[:8]}"
        created = api.post("/users", json={"username": username, "display_name": "重置测试", "password": "Strong#Pass1",
                                           "unit_id": squad}, headers=admin_headers)  # fmt: skip
        assert created.status_code == 201, created.text
        # 三员分立: the security administrator assigns the role
        token = api.post("/auth/login", json={"username": "secadmin", "password": PASSWORDS["secadmin"]}).json()
        sec_headers = {"Authorization": f"Bearer {token['access_token']}"}
        roles = {r["code"]: r["id"] for r in api.get("/roles", headers=sec_headers).json()["items"]}
        assigned = api.put(f"/users/{created.json()['id']}/roles", json={"role_ids": [roles["squad_leader"]]},
                           headers=sec_headers)  # fmt: skip
        assert assigned.status_code == 200, assigned.text

    admin = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = admin.new_page()
    try:
        _login(page, live_server, "admin")
        page.get_by_test_id("menu-users").click()
        search = page.get_by_placeholder("用户名 / 姓名")
        search.fill(username)
        search.press("Enter")
        row = page.locator("[data-testid='user-table'] .el-table__row", has_text=username)
        row.get_by_role("button", name="编辑").click()
        page.get_by_test_id("user-password").locator("input").or_(page.get_by_test_id("user-password")).first.fill(
            "Reset#Pass2026"
        )
        page.get_by_test_id("user-save").click()
        page.get_by_test_id("user-form").wait_for(state="hidden", timeout=10_000)
    finally:
        page.screenshot(path=str(tmp_path / "admin-reset.png"))
        admin.close()

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, live_server, username, "Reset#Pass2026")
        page.wait_for_url("**/password**", timeout=15_000)
        page.get_by_test_id("password-change-notice").wait_for(timeout=10_000)
        page.goto(f"{live_server}/console/cases")  # the console stays closed until it is changed
        page.wait_for_url("**/password**", timeout=15_000)

        def change(new: str) -> None:
            for testid, value in (("pw-old", "Reset#Pass2026"), ("pw-new", new), ("pw-confirm", new)):
                page.get_by_test_id(testid).locator("input").or_(page.get_by_test_id(testid)).first.fill(value)
            page.get_by_test_id("pw-submit").click()

        change("Reset#Pass2026")
        refusal = page.locator(".el-form-item__error", has_text="不能使用当前密码或最近 5 次用过的密码")
        refusal.wait_for(timeout=10_000)
        assert "/password" in page.url
        page.screenshot(path=str(tmp_path / "forced-change-refused.png"))
        change("Chosen#ByMe-2026")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-dashboard").wait_for(timeout=15_000)
    finally:
        context.close()
