"""What several workers on one database rely on: run-once claims (core.lease), the data version that tells a cached
list page it is stale (core.versions, kit.readcache), /metrics and the JSON log (core.observe, core.logs)."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from chengguan.core import clock, lease, versions
from chengguan.core.db import Database
from chengguan.core.logs import REQUEST, JsonFormatter
from chengguan.core.routes import literal_prefix
from chengguan.kit import readcache
from support import signal


@pytest.mark.commits
def test_a_slot_is_claimed_once_across_processes(settings):
    one, two = Database(settings.database_url), Database(settings.database_url)  # two workers' engines
    try:
        assert lease.claim(one, "t", 100)
        assert not lease.claim(two, "t", 100) and not lease.claim(one, "t", 100)
        assert not lease.claim(two, "t", 99)  # an older slot is never run late
        lease.release(one, "t", 100)  # the holder failed: the slot may be run again
        assert lease.claim(two, "t", 100)
        assert lease.claim(one, "t", 101)
    finally:
        one.dispose()
        two.dispose()


@pytest.mark.commits
def test_the_data_version_moves_with_committed_writes_of_listed_tables_only(settings):
    db = Database(settings.database_url)
    try:
        with db.connect() as connection:
            before = versions.read(connection)
        with db.session() as session, session.begin():  # a table no list reads
            session.execute(text("UPDATE counter SET value = value WHERE key = 'nothing'"))
        with db.session() as session:  # a listed table, rolled back
            session.execute(text("UPDATE org_unit SET name = name WHERE 1 = 0"))
            session.rollback()
        with db.connect() as connection:
            assert versions.read(connection) == before
        with db.session() as session, session.begin():  # a listed table, committed (even touching no row)
            session.execute(text("UPDATE org_unit SET name = name WHERE 1 = 0"))
        with db.connect() as connection:
            assert versions.read(connection) == before + 1
    finally:
        db.dispose()


def stable(page: dict) -> tuple:
    """What a write changes in the case-source list (the countdowns move with the clock)."""
    return page["total"], [(i["id"], i["status"], i["signal_count"], i["last_signal_at"]) for i in page["items"]]


@pytest.mark.commits
def test_a_cached_list_shows_a_committed_write_at_once(client, db, login):
    command = login("command")
    clock.set_now(clock.now())  # the page's grain is the second: both reads within the same one
    every = {"sort": "-created", "page_size": 200}  # the whole demo on one page: a merge shows as well as a new source
    first = client.get("/api/v1/case-sources", headers=command, params=every).json()
    again = client.get("/api/v1/case-sources", headers=command, params=every).json()
    assert stable(first) == stable(again)
    assert readcache.cache_of(db).hits >= 1
    posted = client.post("/api/v1/signals", headers=command, json=signal(120.3265, 36.0646, channel="complaint"))
    assert posted.status_code == 201, posted.text
    after = client.get("/api/v1/case-sources", headers=command, params=every).json()
    fresh = client.get("/api/v1/case-sources", headers=command, params={**every, "page": 1}).json()  # a new key
    assert stable(after) == stable(fresh) != stable(first)


def test_metrics_are_refused_to_unknown_addresses_and_carry_templates(app, settings, admin, client):
    client.get("/api/v1/cases", headers=admin)
    assert client.get("/metrics").status_code == 404  # TestClient calls from "testclient", no allowed address
    local = TestClient(app, client=("127.0.0.1", 50000))
    body = local.get("/metrics").text
    assert 'route="/api/v1/cases",status="200"' in body
    item = client.get("/api/v1/cases", headers=admin).json()["items"][0]["id"]
    client.get(f"/api/v1/cases/{item}", headers=admin)
    body = local.get("/metrics").text
    assert item not in body and 'route="/api/v1/cases/{case_id}"' in body
    assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404  # via a proxy
    settings.metrics_token = "s3cret-" + uuid.uuid4().hex
    try:
        bearer = {"Authorization": f"Bearer {settings.metrics_token}"}
        assert client.get("/metrics", headers=bearer).status_code == 200
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    finally:
        settings.metrics_token = ""


def test_json_log_lines_carry_the_request_context():
    record = logging.LogRecord("chengguan.access", logging.INFO, __file__, 1, "GET %s %d", ("/x", 200), None)
    token = REQUEST.set({"request_id": "r1", "route": "/api/v1/cases", "status": 200, "duration_ms": 1.5,
                         "user_id": "u1"})  # fmt: skip
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST.reset(token)
    assert line["message"] == "GET /x 200" and line["level"] == "INFO" and line["logger"] == "chengguan.access"
    assert {k: line[k] for k in ("request_id", "route", "status", "duration_ms", "user_id")} == {
        "request_id": "r1", "route": "/api/v1/cases", "status": 200, "duration_ms": 1.5, "user_id": "u1"}  # fmt: skip


def test_a_request_id_is_returned(client, admin):
    assert len(client.get("/api/v1/auth/me", headers=admin).headers["x-request-id"]) == 32
    given = client.get("/api/v1/auth/me", headers=admin | {"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"


def test_routers_refuse_paths_by_literal_prefix(client, admin):
    assert literal_prefix("/cases/{case_id}/actions") == "/cases/"
    assert client.get("/api/v1/dispatch/tasks", headers=admin).status_code == 200  # a router included late
    assert client.get("/api/v1/no-such-thing", headers=admin).status_code == 404
    assert client.put("/api/v1/auth/me", headers=admin).status_code == 405  # method mismatch still found
