"""The big screen's bundle (GET /analytics/screen) and its stream: figures equal the lists', the caller's scope,
one computation shared by the screens of a scope, a first event then updates, 401 without a login."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from chengguan.analytics import screen
from chengguan.core.config import Settings


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    screen.CACHE.clear()  # a bundle of another test's data must not be served
    yield
    screen.CACHE.clear()


def bundle(client: TestClient, who: dict[str, str]) -> dict:
    response = client.get("/api/v1/analytics/screen", headers=who)
    assert response.status_code == 200, response.text
    return response.json()


def test_needs_a_login(client: TestClient) -> None:
    assert client.get("/api/v1/analytics/screen").status_code == 401
    assert client.get("/api/v1/analytics/screen/stream").status_code == 401


def test_figures_equal_the_lists(client: TestClient, login: Callable[..., dict[str, str]]) -> None:
    who = login("admin")
    got = bundle(client, who)
    assert [f["key"] for f in got["figures"]][:3] == ["sources_today", "sources_open", "sources_overdue"]
    paths = {"case-sources": "/api/v1/case-sources", "cases": "/api/v1/cases", "on-duty": "/api/v1/analytics/on-duty"}
    for f in got["figures"]:
        total = client.get(paths[f["list"]], params={**f["filters"], "page_size": 1}, headers=who).json()["total"]
        assert total == (f["count"] if f["unit"] == "分" else f["value"]), f
    window = {"created_from": got["window"]["from"], "created_to": got["window"]["to"], "page_size": 1}
    sources = client.get("/api/v1/case-sources", params=window, headers=who).json()["total"]
    assert sources > 0
    assert sum(got["trend"]["sources"]) == sources == got["rankings"]["areas"]["total"]
    assert len(got["trend"]["days"]) == len(got["trend"]["sources"]) == len(got["trend"]["cases"]) == 30
    assert got["rankings"]["areas"]["by"] == "district" and got["rankings"]["categories"]["rows"]
    opened = client.get("/api/v1/case-sources", params={"open": True, "page_size": 1}, headers=who).json()["total"]
    assert len(got["map"]["sources"]) == min(opened, 2000)
    assert got["map"]["cameras"] and got["alarms"] and got["hotspots"]
    districts = {f["properties"]["name"] for f in got["outlines"]["districts"]["features"]}
    assert {"市南区", "李沧区"} <= districts and got["outlines"]["streets"]["features"]


def test_district_user_sees_only_their_district(client: TestClient, login: Callable[..., dict[str, str]]) -> None:
    who = login("shinan_leader")
    got = bundle(client, who)
    assert [f["properties"]["name"] for f in got["outlines"]["districts"]["features"]] == ["市南区"]
    assert got["rankings"]["areas"]["by"] == "street"  # a district ranks its streets
    assert {a["district"] for a in got["alarms"]} <= {"市南区综合行政执法局"}
    readable = client.get("/api/v1/case-sources", params={"open": True, "page_size": 1}, headers=who).json()["total"]
    assert len(got["map"]["sources"]) == readable
    admin = bundle(client, login("admin"))
    assert len(admin["map"]["sources"]) > len(got["map"]["sources"])
    assert sum(got["trend"]["sources"]) < sum(admin["trend"]["sources"])


def test_one_computation_per_scope(client: TestClient, login: Callable[..., dict[str, str]]) -> None:
    first = bundle(client, login("admin"))
    computed = screen.CACHE.computed
    again = bundle(client, login("admin"))  # another session of the same scope, within the interval
    assert screen.CACHE.computed == computed and again["seq"] == first["seq"] and again["at"] == first["at"]
    bundle(client, login("shinan_leader"))  # another scope: its own
    assert screen.CACHE.computed > computed


def test_stream_sends_a_bundle_then_updates(client: TestClient, login: Callable[..., dict[str, str]],
                                            settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(settings, "analytics_screen_s", 0.5)
    who = login("shinan_leader")
    with client.stream("GET", "/api/v1/analytics/screen/stream", params={"max_s": 3}, headers=who) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    assert text.startswith("retry: 3000")
    events = [json.loads(m) for m in re.findall(r"event: bundle\ndata: (.*)\n\n", text)]
    assert len(events) >= 2, text[:500]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs))  # each event a newer computation
    assert "outlines" not in events[0] and events[0]["figures"] and events[0]["interval_s"] == 0.5
