"""法律知识库 through the real UI: full-text search into the reader, recommendation into the penalty calculator,
a maintainer's edit that versions a matter, the 法规 tab of 执法通 on a phone, and the library's region filter (the
caller's region by default, every region only when 不限地区 is chosen: 立法法 第八十条、第八十一条)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_support import DESKTOP, PHONE
from browser_support import field as _field
from browser_support import login as _login


@pytest.mark.e2e
def test_officer_searches_and_reads_the_article(browser, live_server, tmp_path):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-law-library").click()
        search = _field(page, "law-search-input")
        search.fill("露天烧烤")
        search.press("Enter")
        hit = page.get_by_test_id("law-search-result").filter(has_text="第一百一十八条").first
        hit.wait_for(timeout=15_000)
        assert "露天烧烤" in hit.locator("mark").first.inner_text()
        hit.click()

        page.wait_for_url(re.compile(r"/console/law/laws/[^?]+\?article=118"), timeout=15_000)
        article = page.locator("#article-118")
        expect(article).to_have_class(re.compile(r"\bis-highlighted\b"), timeout=15_000)
        expect(article).to_be_in_viewport()
        assert article.get_attribute("data-testid") == "law-article"
        assert "露天烧烤" in article.inner_text()
        assert page.locator("[data-testid='law-article'].is-highlighted").count() == 1
        assert "大气污染防治法" in page.get_by_test_id("law-title").inner_text()
    finally:
        page.screenshot(path=str(tmp_path / "reader.png"))
        context.close()


@pytest.mark.e2e
def test_calculator_from_a_described_scene(browser, live_server, tmp_path):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-law-assess").click()
        _field(page, "recommend-input", "textarea").fill("门口摆桌子卖烧烤")
        page.get_by_test_id("recommend-button").click()
        items = page.get_by_test_id("recommend-item")
        items.first.wait_for(timeout=15_000)
        # In Qingdao 门口摆桌子 is first 店外经营 (a local matter), 露天烧烤 among the first three
        assert any("06029-QG-01" in text for text in items.all_inner_texts()[:3])
        items.filter(has_text="06029-QG-01").first.click()
        expect(page.get_by_test_id("assess-matter")).to_contain_text("06029-QG-01")

        page.get_by_text("个人（公民）").click()
        page.get_by_test_id("assess-repeat").locator(".el-input-number__increase").click()
        expect(page.get_by_test_id("assess-repeat").locator("input")).to_have_value("1")
        page.get_by_test_id("assess-button").click()

        result = page.get_by_test_id("assess-result")
        result.wait_for(timeout=15_000)
        assert page.get_by_test_id("assess-tier").inner_text().strip() == "较重"
        assert re.fullmatch(r"¥\d{1,3}(,\d{3})*", page.get_by_test_id("assess-suggested").inner_text().strip())
        assert "元" in page.get_by_test_id("assess-band").inner_text()
        assert "再次违法" in page.get_by_test_id("assess-reasoning").inner_text()
    finally:
        page.screenshot(path=str(tmp_path / "assess.png"))
        context.close()


@pytest.mark.e2e
def test_admin_edit_makes_a_new_matter_version(browser, live_server, tmp_path):
    code = "06007-QG-01"
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "admin")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.goto(f"{live_server}/console/law/matters/{code}")
        version = page.get_by_test_id("matter-version")
        version.wait_for(timeout=15_000)
        before = int(version.inner_text().strip().removeprefix("v"))

        page.get_by_test_id("menu-law-admin").click()
        _field(page, "admin-matter-search").fill(code)  # every region's matters: find it by its code
        _field(page, "admin-matter-search").press("Enter")
        page.get_by_test_id(f"matter-edit-{code}").click()
        name = _field(page, "matter-form-name")
        expect(name).not_to_have_value("", timeout=15_000)  # the dialog has loaded the matter
        description = "在规定街道的临街建筑物阳台和窗外堆放、吊挂有碍市容的物品（端到端测试修改）。"
        _field(page, "matter-form-description", "textarea").fill(description)
        page.get_by_test_id("matter-save").click()
        expect(page.locator(".el-message--success")).to_contain_text(f"第 {before + 1} 版", timeout=15_000)

        page.get_by_test_id("menu-law-matters").click()
        _field(page, "matter-search").fill(code)
        _field(page, "matter-search").press("Enter")
        page.get_by_test_id("matter-table").locator(".el-table__row", has_text=code).first.click()
        page.wait_for_url(f"**/console/law/matters/{code}", timeout=15_000)
        expect(page.get_by_test_id("matter-version")).to_have_text(f"v{before + 1}", timeout=15_000)
        expect(page.get_by_test_id("matter-description")).to_have_text(description)
    finally:
        page.screenshot(path=str(tmp_path / "matter.png"))
        context.close()


@pytest.mark.e2e
def test_phone_recommends_from_everyday_words(browser, live_server, tmp_path):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/m/**", timeout=15_000)
        page.get_by_test_id("tab-law").click()
        _field(page, "m-recommend-input", "textarea").fill("大货车一路掉泥")
        page.get_by_test_id("m-recommend-button").click()
        items = page.get_by_test_id("m-recommend-item")
        items.first.wait_for(timeout=15_000)
        assert any("06014-QG-01" in text for text in items.all_inner_texts())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows the phone

        items.filter(has_text="06014-QG-01").first.click()
        page.get_by_test_id("m-matter-detail").wait_for(timeout=15_000)
        expect(page.get_by_test_id("discretion-table")).to_contain_text("元")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.screenshot(path=str(tmp_path / "mobile-law.png"))
        context.close()


@pytest.mark.e2e
def test_library_shows_other_regions_laws_only_for_any_region(browser, live_server, tmp_path):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        _login(page, live_server, "bdg_officer")
        page.wait_for_url("**/console/**", timeout=15_000)
        page.get_by_test_id("menu-law-library").click()
        region = page.get_by_test_id("law-catalog-region")
        expect(region).to_contain_text("本单位地区（青岛市南区）", timeout=15_000)  # the unit's division code
        search = _field(page, "law-catalog-search")
        search.fill("北京")
        with page.expect_request(lambda r: "/api/v1/law/laws" in r.url and "region=" not in r.url):
            search.press("Enter")
        table = page.get_by_test_id("law-table")
        expect(table).to_contain_text("暂无法律法规", timeout=15_000)  # Beijing's texts do not govern Qingdao

        region.click()
        with page.expect_request(lambda r: "/api/v1/law/laws" in r.url and "region=all" in r.url):
            page.locator(".el-select-dropdown__item:visible", has_text="不限地区").click()
        expect(table).to_contain_text("北京市市容环境卫生条例", timeout=15_000)
        expect(table.locator(".el-table__row", has_text="北京市市容环境卫生条例")).to_contain_text("北京市")
    finally:
        page.screenshot(path=str(tmp_path / "library-regions.png"))
        context.close()
