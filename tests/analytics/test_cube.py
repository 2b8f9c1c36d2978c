"""Every analytics figure equals the same count from the lists' filters — live and over the DuckDB snapshot — and
the contract's refusals (422 naming the parameter) and the caller's scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chengguan.cases.enums import DecisionKind
from chengguan.cases.models import Case
from chengguan.core.db import Database

DIMS = ("district", "street", "category", "channel", "hour", "day", "month", "industry")


def list_total(client: TestClient, who: dict[str, str], path: str, **filters: object) -> int:
    response = client.get(path, params={**filters, "page_size": 1}, headers=who)
    assert response.status_code == 200, response.text
    return response.json()["total"]


def cube(client: TestClient, who: dict[str, str], **params: object) -> dict:
    response = client.get("/api/v1/analytics/cube", params=params, headers=who)
    assert response.status_code == 200, response.text
    return response.json()


def check_sums(client: TestClient, who: dict[str, str], span: dict[str, str], engine: str) -> None:
    window = {"created_from": span["from"], "created_to": span["to"]}
    sources = list_total(client, who, "/api/v1/case-sources", **window)
    cases = list_total(client, who, "/api/v1/cases", **window)
    assert sources > 0 and cases > 0
    for by in DIMS:
        got = cube(client, who, measure="sources", by=by, engine=engine, **span)
        assert got["total"] == sum(r["value"] for r in got["rows"]) == sources, by
        assert got["engine"] == engine
        got = cube(client, who, measure="cases", by=by, engine=engine, **span)
        assert got["total"] == sum(r["value"] for r in got["rows"]) == cases, by


@pytest.mark.parametrize("engine", ["live", "snapshot"])
def test_sums_equal_list_totals(client: TestClient, admin: dict[str, str], span: dict[str, str], engine: str,
                                request: pytest.FixtureRequest) -> None:  # fmt: skip
    if engine == "snapshot":
        request.getfixturevalue("snapshot_taken")
    check_sums(client, admin, span, engine)


@pytest.mark.parametrize("engine", ["live", "snapshot"])
def test_scope_district_leader(client: TestClient, admin: dict[str, str], login: Callable[..., dict[str, str]],
                               span: dict[str, str], engine: str, request: pytest.FixtureRequest) -> None:  # fmt: skip
    if engine == "snapshot":
        request.getfixturevalue("snapshot_taken")
    leader = login("shinan_leader")
    check_sums(client, leader, span, engine)
    mine = cube(client, leader, measure="sources", by="district", engine=engine, **span)
    everyone = cube(client, admin, measure="sources", by="district", engine=engine, **span)
    assert mine["total"] < everyone["total"]
    assert {r["label"] for r in mine["rows"] if r["value"]} <= {"市南区综合行政执法局", "未分办"} | {
        r["label"] for r in mine["rows"] if "市南" in r["label"]}
    officer = login("bdg_officer")  # scope self: own sources and handled cases only
    check_sums_officer = cube(client, officer, measure="cases", by="street", engine=engine, **span)
    window = {"created_from": span["from"], "created_to": span["to"]}
    assert check_sums_officer["total"] == list_total(client, officer, "/api/v1/cases", **window)


@pytest.mark.parametrize("engine", ["live", "snapshot"])
def test_fines_equal_decided_fines(client: TestClient, admin: dict[str, str], db: Database, span: dict[str, str],
                                   engine: str, request: pytest.FixtureRequest) -> None:  # fmt: skip
    if engine == "snapshot":
        request.getfixturevalue("snapshot_taken")
    with db.session(write=False) as session:
        expected = session.scalar(select(func.coalesce(func.sum(Case.fine_fen), 0)).where(
            Case.decision_kind == DecisionKind.penalty, Case.fine_fen > 0,
            Case.decided_on >= date.fromisoformat(span["from"]), Case.decided_on <= date.fromisoformat(span["to"])))
    assert expected > 0
    for by in ("district", "category", "month", "industry", "channel", "hour"):
        got = cube(client, admin, measure="fines", by=by, engine=engine, **span)
        assert got["total"] == expected and got["unit"] == "分", by


def test_live_and_snapshot_agree(client: TestClient, admin: dict[str, str], span: dict[str, str],
                                 snapshot_taken: object) -> None:  # fmt: skip
    for path, params in (
        ("/api/v1/analytics/hotspots", {"limit": 50}),
        ("/api/v1/analytics/repeat-offenders", {}),
        ("/api/v1/analytics/match", {"by": "district"}),
        ("/api/v1/analytics/match", {"by": "street"}),
        ("/api/v1/analytics/handling-times", {"measure": "sources", "by": "district"}),
        ("/api/v1/analytics/handling-times", {"measure": "cases", "by": "month"}),
        ("/api/v1/analytics/trend", {"measure": "sources"}),
    ):
        answers = []
        for engine in ("live", "snapshot"):
            response = client.get(path, params={**span, **params, "engine": engine}, headers=admin)
            assert response.status_code == 200, (path, response.text)
            body = response.json()
            body.pop("engine"), body.pop("as_of")
            answers.append(body)
        if "handling" in path:  # floating point: the same spans, summed in another order
            for a, b in zip(answers[0]["rows"], answers[1]["rows"], strict=True):
                assert a["key"] == b["key"] and a["closed"] == b["closed"]
                assert abs(a["median_days"] - b["median_days"]) < 0.01
        else:
            assert answers[0] == answers[1], path


def test_auto_adds_snapshot_and_live_days(client: TestClient, admin: dict[str, str], span: dict[str, str],
                                          snapshot_taken: object) -> None:  # fmt: skip
    live = cube(client, admin, measure="sources", by="day", engine="live", **span)
    auto = cube(client, admin, measure="sources", by="day", **span)
    assert auto["engine"] == "snapshot+live" and auto["rows"] == live["rows"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"measure": "signals", "by": "district"}, "measure"),
        ({"measure": "sources", "by": "weekday"}, "by"),
        ({"measure": "sources", "by": "district", "from": "2026-05-02", "to": "2026-05-01"}, "from"),
        ({"measure": "sources", "by": "district", "from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"measure": "sources", "by": "district", "from": "2026-13-01"}, "from"),
    ],
)
def test_refusals_name_the_parameter(client: TestClient, admin: dict[str, str], params: dict, field: str) -> None:
    response = client.get("/api/v1/analytics/cube", params=params, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]


def test_permission_per_measure(client: TestClient, login: Callable[..., dict[str, str]]) -> None:
    command = login("command")  # 指挥中心值班员: sources yes, cases no
    assert client.get("/api/v1/analytics/cube", params={"measure": "sources", "by": "district"},
                      headers=command).status_code == 200  # fmt: skip
    refused = client.get("/api/v1/analytics/cube", params={"measure": "cases", "by": "district"}, headers=command)
    assert refused.status_code == 403 and refused.json()["code"] == "analytics.forbidden"
    auditor = login("auditor")
    assert client.get("/api/v1/analytics/indicators", headers=auditor).status_code == 403


def test_indicator_catalogue(client: TestClient, admin: dict[str, str]) -> None:
    body = client.get("/api/v1/analytics/indicators", headers=admin).json()
    keys = {i["key"] for i in body["items"]}
    assert {"sources", "cases", "fines", "match_pct", "hotspots", "repeat_offenders", "handling_days"} <= keys
    for item in body["items"]:
        assert item["definition"] and item["source"] and item["formula"] and item["time_basis"]
    assert "北京时间" in body["common"]


def test_today_figures_equal_their_lists(client: TestClient, admin: dict[str, str]) -> None:
    items = client.get("/api/v1/analytics/today", headers=admin).json()["items"]
    assert {"sources_today", "cases_running", "fines_paid_today"} <= {i["key"] for i in items}
    for item in items:  # every role's figures: tests/analytics/test_home_figures.py
        if item["list"] in ("case-sources", "cases"):
            path = "/api/v1/case-sources" if item["list"] == "case-sources" else "/api/v1/cases"
            expected = item["count"] if item["unit"] == "分" else item["value"]
            assert expected == list_total(client, admin, path, **item["filters"]), item["key"]
    alarms = client.get("/api/v1/analytics/alarms", params={"all": True, "limit": 5}, headers=admin).json()["items"]
    assert len(alarms) == 5 and alarms[0]["created_at"] >= alarms[-1]["created_at"]


def test_scoped_rollups_add_the_callers_own_rows_outside_its_units(
    client: TestClient, admin: dict[str, str], login: Callable[..., dict[str, str]], db: Database,
    span: dict[str, str], request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    """A district bureau's figures come from the unit-keyed rollups plus its own sources elsewhere, which its list
    shows too: a source of another district reported by the 市南 leader counts in the leader's figures."""
    from chengguan.identity.models import User
    from chengguan.intake.models import CaseSource
    from chengguan.org.models import OrgUnit

    leader = login("shinan_leader")
    with db.session() as session:
        leader_id = session.scalar(select(User.id).where(User.username == "shinan_leader"))
        shinan = session.scalar(select(OrgUnit.id).where(OrgUnit.name == "市南区综合行政执法局"))
        elsewhere = session.scalars(select(CaseSource).where(CaseSource.district_id != shinan,
                                                             CaseSource.district_id.is_not(None)).limit(3)).all()
        assert len(elsewhere) == 3
        for source in elsewhere:
            source.reported_by_id = leader_id
        session.commit()
    request.getfixturevalue("snapshot_taken")
    officer = login("bdg_officer")  # scope self: every readable source is "own", none counted by unit
    for who in (leader, officer):
        window = {"created_from": span["from"], "created_to": span["to"]}
        total = list_total(client, who, "/api/v1/case-sources", **window)
        assert total > 0
        for by in ("district", "street", "category", "channel", "hour", "day", "month"):
            answers = [cube(client, who, measure="sources", by=by, engine=e, **span) for e in ("live", "snapshot")]
            assert answers[0]["rows"] == answers[1]["rows"] and answers[1]["total"] == total, by
        hot = [client.get("/api/v1/analytics/hotspots", params={**span, "limit": 50, "engine": engine}, headers=who)
               .json() for engine in ("live", "snapshot")]  # fmt: skip
        assert hot[0]["rows"] == hot[1]["rows"] and hot[0]["total"] == hot[1]["total"] > 0
    others = cube(client, leader, measure="sources", by="district", engine="snapshot", **span)
    assert any(r["value"] and "市南" not in r["label"] for r in others["rows"]), "the leader's own rows elsewhere count"
