"""The knowledge-base API: contract fields, search with highlights, versions kept on edit, audit, permissions,
Excel round trip and bad input as problem+json."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from chengguan.law.jurisdiction import region_applies

LAW = "/api/v1/law"


@pytest.fixture
def officer(login):
    return login("bdg_officer")


def test_recommend_contract(client, officer):
    response = client.post(
        f"{LAW}/recommend", json={"text": "大货车一路掉泥", "region": "370202", "limit": 3}, headers=officer
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert 1 <= len(items) <= 3
    assert "06014-QG-01" in [i["matter_code"] for i in items]
    first = items[0]
    assert set(first) >= {"matter_code", "name", "score", "matched_terms", "violated_articles", "penalty_articles"}
    assert first["score"] >= items[-1]["score"]
    article = next(i for i in items if i["matter_code"] == "06014-QG-01")["penalty_articles"][0]
    assert article == {**article, "law": "中华人民共和国大气污染防治法", "article": "第一百一十六条", "clause": None}


@pytest.mark.parametrize(
    ("text", "code"),
    [("门口摆桌子卖烧烤", "06029-QG-01"), ("工地晚上十二点还在打桩", "08001-QG-01"), ("大货车一路掉泥", "06014-QG-01")],
)
def test_the_issue_examples_are_in_the_top_three(client, officer, text, code):
    items = client.post(f"{LAW}/recommend", json={"text": text}, headers=officer).json()["items"]
    assert code in [i["matter_code"] for i in items[:3]]


def test_region_decides_which_local_matters_apply(client, officer):
    body = {"text": "路边摆摊卖水果占了人行道", "limit": 10}
    beijing = client.post(f"{LAW}/recommend", json={**body, "region": "110105"}, headers=officer).json()["items"]
    qingdao = client.post(f"{LAW}/recommend", json={**body, "region": "370202"}, headers=officer).json()["items"]
    assert beijing[0]["matter_code"] == "09006-BJ-01"
    assert all(not i["matter_code"].endswith(("BJ-01", "BJ-02", "BJ-03")) for i in qingdao)


def test_assess_contract(client, officer):
    body = {"matter_code": "06029-QG-01", "party_type": "individual", "circumstances": {"repeat_count": 1}}
    response = client.post(f"{LAW}/assess", json=body, headers=officer)
    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result) >= {
        "tier",
        "fine_min_fen",
        "fine_max_fen",
        "suggested_fen",
        "exempt",
        "simple_procedure_allowed",
        "hearing_right",
        "legal_review_required",
        "reasoning",
    }
    assert result["tier"] == "serious" and result["fine_min_fen"] <= result["suggested_fen"] <= result["fine_max_fen"]
    assert result["matter_version"] >= 1 and result["standard"]["code"] == "qingdao"  # the caller's region: Qingdao
    assert "第一百一十八条第三款" in result["reasoning"]


def test_assess_uses_the_beijing_standard_in_beijing(client, officer):
    body = {"matter_code": "09006-BJ-01", "party_type": "individual", "region": "110105"}
    result = client.post(f"{LAW}/assess", json=body, headers=officer).json()
    assert (result["fine_min_fen"], result["fine_max_fen"]) == (500_00, 1_850_00)
    assert result["standard"]["code"] == "beijing"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"matter_code": "08016-QG-01", "party_type": "organization"}, "circumstances.base_amount_fen"),
        ({"matter_code": "09006-BJ-01", "party_type": "individual", "region": "370202"}, "region"),
        ({"matter_code": "06029-QG-01", "party_type": "robot"}, "party_type"),
        (
            {"matter_code": "06029-QG-01", "party_type": "individual", "circumstances": {"harm": "huge"}},
            "circumstances.harm",
        ),
    ],
)
def test_assess_bad_input_is_a_422_problem(client, officer, body, field):
    response = client.post(f"{LAW}/assess", json=body, headers=officer)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]


def test_unknown_matter_is_404(client, officer):
    response = client.post(f"{LAW}/assess", json={"matter_code": "NOPE-1", "party_type": "individual"}, headers=officer)
    assert response.status_code == 404 and response.json()["code"] == "law.matter_not_found"


def test_search_highlights_and_filters(client, officer):
    result = client.get(f"{LAW}/search", params={"q": "露天烧烤", "kind": "article"}, headers=officer).json()
    titles = [i["title"] for i in result["items"]]
    assert "《中华人民共和国大气污染防治法》第一百一十八条" in titles
    assert all(i["kind"] == "article" for i in result["items"])
    assert "<mark>露天烧烤</mark>" in result["items"][0]["snippet"]
    beijing_only = client.get(f"{LAW}/search", params={"q": "摆摊设点", "region": "370202"}, headers=officer).json()
    assert all(region_applies(i["region_code"], "370202") for i in beijing_only["items"])
    local = client.get(f"{LAW}/laws", params={"level": "local_regulation", "region": "all"}, headers=officer).json()
    assert {law["code"] for law in local["items"]} >= {"beijing-srhw", "shanghai-cgzf", "qingdao-srhw", "shandong-daqi"}
    mine = client.get(f"{LAW}/laws", params={"level": "local_regulation"}, headers=officer).json()["items"]
    assert mine and all(region_applies(law["region_code"], "370202") for law in mine)  # the caller's region


def test_matters_filters(client, officer):
    matters = client.get(f"{LAW}/matters", params={"page_size": 200}, headers=officer).json()
    assert matters["total"] >= 40
    qingdao = client.get(f"{LAW}/matters", params={"region": "370202", "page_size": 200}, headers=officer).json()
    assert {m["region_code"] for m in qingdao["items"]} == {None, "370000", "370200"}
    ads = client.get(f"{LAW}/matters", params={"category": "07"}, headers=officer).json()
    assert ads["total"] > 0 and all(m["category_code"].startswith("07") for m in ads["items"])
    fumes = client.get(f"{LAW}/matters", params={"q": "油烟"}, headers=officer).json()
    assert fumes["items"][0]["code"].startswith("06027")


def test_matter_detail_has_articles_discretion_and_checklist(client, officer):
    detail = client.get(f"{LAW}/matters/09006-BJ-01", headers=officer).json()
    assert detail["penalty_articles"][0]["law"] == "北京市市容环境卫生条例"
    assert "五百元以上五千元以下" in detail["penalty_articles"][0]["text"]
    assert [t["tier"] for t in detail["discretion"]] == ["minor", "general", "serious", "severe"]
    assert detail["checklist"]["items"]
    elsewhere = client.get(f"{LAW}/matters/09006-BJ-01", params={"region": "370202"}, headers=officer).json()
    assert elsewhere["standard"]["code"] == "beijing", "a Beijing matter keeps the Beijing standard"
    checklists = client.get(f"{LAW}/checklists", headers=officer).json()
    assert len(checklists) == 12 and detail["checklist"]["code"] in {c["code"] for c in checklists}


def test_matter_detail_applies_the_callers_regional_standard(client, officer):
    """Like assess, the detail defaults to the caller's region: a Qingdao squad sees the Qingdao discretion tiers."""
    mine = client.get(f"{LAW}/matters/06029-QG-01", headers=officer).json()
    assert mine["standard"]["code"] == "qingdao"
    beijing = client.get(f"{LAW}/matters/06029-QG-01", params={"region": "110105"}, headers=officer).json()
    assert beijing["standard"]["code"] == "beijing"


def test_edit_keeps_the_old_version_and_is_audited(client, admin, officer):
    before = client.get(f"{LAW}/matters/06007-BJ-01", headers=officer).json()
    patch = {"description": before["description"] + "（修订）", "keywords": [*before["keywords"], "晾被单"]}
    response = client.patch(f"{LAW}/matters/06007-BJ-01", json=patch, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == before["version"] + 1
    old = client.get(f"{LAW}/matters/06007-BJ-01/versions/{before['version']}", headers=officer).json()
    assert old["content"]["description"] == before["description"]
    auditor = client.post("/api/v1/auth/login", json={"username": "auditor", "password": "Audit@2026"}).json()
    headers = {"Authorization": f"Bearer {auditor['access_token']}"}  # 三员分立: the audit administrator reads
    audit = client.get("/api/v1/audit", params={"action": "law_matter.update"}, headers=headers).json()
    assert any(e["target_label"].startswith("06007-BJ-01") for e in audit["items"])
    same = client.patch(f"{LAW}/matters/06007-BJ-01", json=patch, headers=admin).json()
    assert same["version"] == before["version"] + 1, "no change, no new version"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"penalty": [{"law": "daqi", "article": "第九百条"}]}, "penalty[0].article"),
        ({"penalty": [{"law": "daqi", "article": "第一百一十八条", "clause": "第九款"}]}, "penalty[0].clause"),
        ({"penalty": [{"law": "nope", "article": "第一条"}]}, "penalty[0].law"),
        ({"individual_min_fen": 900_00, "individual_max_fen": 100_00}, "individual_max_fen"),
        ({"category_code": "99999"}, "category_code"),
        ({"name": None}, "name"),
    ],
)
def test_invalid_matter_edits_are_refused(client, admin, patch, field):
    response = client.patch(f"{LAW}/matters/06007-BJ-01", json=patch, headers=admin)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_officer_cannot_maintain_the_knowledge_base(client, officer):
    response = client.patch(f"{LAW}/matters/06007-BJ-01", json={"description": "x"}, headers=officer)
    assert response.status_code == 403


def test_excel_round_trip_and_rejection(client, admin):
    exported = client.get(f"{LAW}/matters.xlsx", headers=admin)
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet.cell(1, 1).value == "事项编码" and sheet.max_row >= 41
    unchanged = client.post(f"{LAW}/matters:import", files={"file": ("m.xlsx", exported.content)}, headers=admin)
    assert unchanged.status_code == 200 and unchanged.json()["created"] == 0 and unchanged.json()["updated"] == 0
    sheet.cell(2, 8).value = "abc"  # 公民罚款下限
    sheet.cell(3, 6).value = "daqi 第九百条"
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    rejected = client.post(f"{LAW}/matters:import", files={"file": ("m.xlsx", buffer.getvalue())}, headers=admin)
    assert rejected.status_code == 422 and rejected.json()["code"] == "law.import_rejected"
    assert len(rejected.json()["errors"]) == 2
    garbage = client.post(f"{LAW}/matters:import", files={"file": ("m.xlsx", b"not excel")}, headers=admin)
    assert garbage.status_code == 422 and garbage.json()["code"] == "law.import_invalid_file"


def test_import_a_statute_and_find_it(client, admin):
    text = (
        "# 测试市容管理规定\n\n2026年1月1日 测试市人民代表大会常务委员会通过\n\n## 第一章 总则\n\n"
        "第一条 为了测试，制定本规定。\n\n第二条 禁止在桥梁上晾晒被褥。\n\n"
        "违反前款规定的，处五十元以上二百元以下罚款。\n"
    )
    body = {
        "code": "test-srgl",
        "short_title": "测试规定",
        "level": "local_regulation",
        "issuing_body": "测试市人大常委会",
        "region_code": "990000",
        "effective_date": "2026-01-01",
        "version": "2026年",
        "text": text,
    }
    response = client.post(f"{LAW}/laws", json=body, headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["article_count"] == 2
    hits = client.get(f"{LAW}/search", params={"q": "晾晒被褥", "region": "990100"}, headers=admin).json()
    assert hits["items"][0]["title"] == "《测试市容管理规定》第二条"
    gap = {**body, "code": "test-gap", "text": "# 缺条\n\n第一条 甲。\n\n第三条 丙。\n"}
    refused = client.post(f"{LAW}/laws", json=gap, headers=admin)
    assert refused.status_code == 422 and "应为第二条" in refused.json()["detail"]


def test_hearing_threshold_is_configurable_per_province(client, admin, officer):
    body = {"individual_fen": 5_000_00, "organization_fen": 50_000_00, "basis": "测试省规定"}
    assert client.put(f"{LAW}/hearing-thresholds/370000", json=body, headers=admin).status_code == 200
    assess = {
        "matter_code": "06029-QG-01",
        "party_type": "individual",
        "circumstances": {"harm": "general"},
        "region": "370202",
    }
    result = client.post(f"{LAW}/assess", json=assess, headers=officer).json()
    assert result["suggested_fen"] >= 5_000_00 and result["hearing_right"] and "测试省规定" in result["reasoning"]


def test_replacing_tiers_makes_a_new_standard_version(client, admin):
    detail = client.get(f"{LAW}/standards/beijing", headers=admin).json()
    tiers = [
        {
            k: t[k]
            for k in (
                "matter_code",
                "party_type",
                "tier",
                "circumstances",
                "lower_pct",
                "upper_pct",
                "min_fen",
                "max_fen",
            )
        }
        for t in detail["tiers"]
    ]
    response = client.put(f"{LAW}/standards/beijing/tiers", json={"tiers": tiers}, headers=admin)
    assert response.status_code == 200 and response.json()["version"] == detail["version"] + 1
    bad = [*tiers, {**tiers[0], "tier": tiers[0]["tier"]}]
    assert client.put(f"{LAW}/standards/beijing/tiers", json={"tiers": bad}, headers=admin).status_code == 422
