"""Correcting the facts, time, place and party while the case is investigated (行政处罚法 第五十四条), never after
the party was told them (第四十四条); each correction is on the timeline (第四十七条)."""

from __future__ import annotations

from cases.helpers import act, act_time, new_case, ric
from chengguan.core.masking import mask_id_no


def test_a_decision_lacking_particulars_names_them_and_a_correction_fills_them(client, login, setup):
    officer, squad, district = login("bdg_officer"), login("bdg_leader"), login("shinan_leader")
    case = new_case(client, officer, setup, address=None, party={"type": "individual", "name": "李某"})
    for who, action in (
        (officer, "start_check"),
        (officer, "submit_filing"),
        (squad, "approve"),
        (district, "approve"),
    ):
        case = act(client, who, case, action)
    case = act(client, officer, case, "end_investigation")  # the investigation may end; the decision may not
    notice = act(client, officer, case, "issue_notice")
    assert notice["status"] == "prior_notice"
    late = client.patch(f"/api/v1/cases/{case['id']}", json={"version": notice["version"], "address": "某处",
                                                             "reason": "补正"}, headers=officer)  # fmt: skip
    assert (
        late.status_code == 409
        and late.json()["code"] == "case.not_amendable"
        and "第四十四条" in late.json()["detail"]
    )
    for action in ("serve_notice", "waive_statement"):
        notice = act(client, officer, notice, action)
    missing = act(client, officer, notice, "submit_decision", expect=422)
    assert missing["code"] == "case.particulars_missing"
    assert {e["field"] for e in missing["errors"]} == {"address", "party.id_no", "party.address"}
    assert "第五十九条" in missing["detail"]


def test_corrections_are_recorded_on_the_timeline(client, login, setup):
    officer = login("bdg_officer")
    case = new_case(client, officer, setup, address=None)
    party = {"type": "individual", "name": "王某某", "id_no": ric(4242), "address": "青岛市市南区太平路3号"}
    body = {"version": case["version"], "address": "青岛市市南区太平路3号门前", "act_at": act_time(4, hour=20),
            "party": party, "reason": "现场复核后补正地点、时间和当事人身份"}  # fmt: skip
    amended = client.patch(f"/api/v1/cases/{case['id']}", json=body, headers=officer)
    assert amended.status_code == 200, amended.text
    detail = amended.json()
    assert detail["address"] == "青岛市市南区太平路3号门前" and detail["party_id_no"] == mask_id_no(ric(4242))
    shown = client.post(f"/api/v1/cases/{case['id']}/party:reveal", headers=officer).json()
    assert shown["id_no"] == ric(4242) and shown["address"] == "青岛市市南区太平路3号"
    event = detail["timeline"][-1]
    assert event["action"] == "amend" and event["reason"].startswith("现场复核")
    assert event["action_label"] == "补正案件信息"
    assert {"address", "act_at", "party_name", "party_id_no"} <= set(event["data"]["changes"])
    stale = client.patch(f"/api/v1/cases/{case['id']}", json=body, headers=officer)
    assert stale.status_code == 409 and stale.json()["code"] == "case.version_conflict"
    other = client.patch(f"/api/v1/cases/{case['id']}", json=body | {"version": detail["version"]},
                         headers=login("licun_officer"))  # fmt: skip
    assert other.status_code in (403, 404)
    bad = client.patch(f"/api/v1/cases/{case['id']}", json={"version": detail["version"], "reason": "补正",
                       "party": party | {"id_no": ric(4242)[:-1] + "X"}}, headers=officer)  # fmt: skip
    assert bad.status_code == 422
