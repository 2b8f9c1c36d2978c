"""Bad input gets problem+json with a stable code and a zh-CN message naming the field — never a 500."""

from __future__ import annotations

import pytest


def _is_problem(response) -> dict:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == response.status_code
    return body


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["database"] in ("sqlite", "postgresql") and body["version"]


def test_malformed_json(client, admin):
    response = client.post("/api/v1/officers", headers=admin | {"content-type": "application/json"}, content=b"{bad")
    body = _is_problem(response)
    assert response.status_code == 422 and body["code"] == "request.validation"
    assert body["errors"][0]["field"] == "body"


def test_missing_and_unknown_fields_are_named(client, admin):
    response = client.post("/api/v1/officers", headers=admin, json={"name": "张", "colour": "red"})
    body = _is_problem(response)
    fields = {e["field"] for e in body["errors"]}
    assert {"gender", "rank", "kind", "unit_id", "colour"} <= fields
    assert "必填" in {e["message"] for e in body["errors"] if e["field"] == "gender"}.pop()


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/officers/not-a-uuid", 422, "request.validation"),
        ("GET", "/api/v1/officers/00000000-0000-0000-0000-000000000000", 404, "not_found"),
        ("GET", "/api/v1/no-such-thing", 404, "not_found"),
        ("PUT", "/api/v1/officers", 405, "method_not_allowed"),
        ("GET", "/api/v1/officers?page=0", 422, "request.validation"),
        ("GET", "/api/v1/officers?page_size=1000", 422, "request.validation"),
        ("GET", "/api/v1/grids/locate?lng=abc&lat=1", 422, "request.validation"),
        ("GET", "/api/v1/audit?since=2026-01-01T00:00:00", 422, "request.validation"),
    ],
)
def test_error_shapes(client, admin, login, method, path, status, code):
    # 三员分立: the audit log is the audit administrator's, the rest the system administrator's
    response = client.request(method, path, headers=login("auditor") if "/audit" in path else admin)
    assert response.status_code == status
    assert _is_problem(response)["code"] == code


def test_spa_fallback_and_api_not_swallowed(client):
    assert client.get("/console/org-units").status_code == 200
    assert client.get("/m/tasks").headers["content-type"].startswith("text/html")
    assert client.get("/api/v1/openapi.json").json()["info"]["title"]
