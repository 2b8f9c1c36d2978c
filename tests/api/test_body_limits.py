"""Request bodies are limited per route and refused from their headers: 401 before a body is read without a live
token, 413 (``request.too_large``) over the route's limit — declared up front or counted while streaming."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pytest

from cases.conftest import setup  # noqa: F401  (a fixture, used by name)
from cases.helpers import new_case

KB, MB = 1024, 1024 * 1024
CASES = "/api/v1/cases"


@dataclass
class Exchange:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks_read: int = 0

    def json(self) -> dict:
        return json.loads(self.body)


def call(app, method: str, path: str, headers: dict[str, str], chunks: Iterable[bytes]) -> Exchange:
    """One request straight through the ASGI app, its body handed out chunk by chunk, counting what was pulled."""
    out = Exchange()
    pending = iter(chunks)
    ahead = [next(pending, None)]  # one chunk ahead, to tell the last one (more_body=False)

    async def receive():
        if ahead[0] is None:
            return {"type": "http.disconnect"}
        out.chunks_read += 1
        chunk, ahead[0] = ahead[0], next(pending, None)
        return {"type": "http.request", "body": chunk, "more_body": ahead[0] is not None}

    async def send(message):
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            out.body += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.9", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return out


def flood(size: int, chunk: int = 64 * KB) -> list[bytes]:
    return [b"[" + b"1," * (chunk // 2 - 1) + b"1"] * (size // chunk)


def _problem(exchange: Exchange, status: int, code: str) -> dict:
    assert exchange.status == status, exchange.body[:500]
    assert exchange.headers["content-type"].startswith("application/problem+json")
    body = exchange.json()
    assert body["status"] == status and body["code"] == code
    return body


def test_anonymous_body_to_a_login_route_is_401_unread(app):
    declared = {"content-type": "application/json", "content-length": str(60 * MB)}
    out = call(app, "POST", CASES, declared, flood(60 * MB))
    _problem(out, 401, "auth.unauthenticated")
    assert out.chunks_read == 0
    assert out.headers["connection"] == "close" and out.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [("Bearer forged-token-value", "auth.token_invalid"), ("Basic YWRtaW46eA==", "auth.unauthenticated"),
     ("Bearer ", "auth.unauthenticated")],
)  # fmt: skip
def test_body_with_a_dead_token_is_401_unread(app, authorization, code):
    headers = {"content-type": "application/json", "transfer-encoding": "chunked", "authorization": authorization}
    out = call(app, "POST", CASES, headers, flood(4 * MB))
    assert "登录" in _problem(out, 401, code)["detail"]
    assert out.chunks_read == 0


def test_revoked_token_is_401_before_the_body(app, client, login):
    headers = login("bdg_officer")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    sent = {
        "content-type": "application/json",
        "content-length": str(512 * KB),
        "authorization": headers["Authorization"],
    }
    out = call(app, "POST", CASES, sent, flood(512 * KB))
    _problem(out, 401, "auth.token_invalid")
    assert out.chunks_read == 0


def test_declared_length_over_the_limit_is_413_before_reading(app, login):
    headers = {"content-type": "application/json", "content-length": str(2 * MB)} | login("bdg_officer")
    out = call(app, "POST", CASES, headers, flood(2 * MB))
    body = _problem(out, 413, "request.too_large")
    assert body["detail"] == "请求体过大：该接口最多接受 1 MB" and body["max_bytes"] == MB
    assert out.chunks_read == 0 and out.headers["connection"] == "close"


def test_chunked_body_is_counted_and_cut_at_the_limit(app, login):
    headers = {"content-type": "application/json", "transfer-encoding": "chunked"} | login("bdg_officer")
    out = call(app, "POST", CASES, headers, flood(8 * MB))
    _problem(out, 413, "request.too_large")
    assert out.chunks_read == MB // (64 * KB) + 1  # the chunk that crossed 1 MB, not one more


def test_body_within_the_limit_still_reaches_the_route(app, login):
    headers = {"content-type": "application/json", "transfer-encoding": "chunked"} | login("bdg_officer")
    out = call(app, "POST", CASES, headers, [b'{"procedure": ', b'"nonsense"}'])
    _problem(out, 422, "request.validation")  # parsed and validated: the route saw it


def test_public_login_has_a_small_limit_and_still_works(app, client):
    out = call(app, "POST", "/api/v1/auth/login", {"content-type": "application/json",
                                                   "content-length": str(100 * KB)}, flood(100 * KB))  # fmt: skip
    body = _problem(out, 413, "request.too_large")
    assert "64 KB" in body["detail"] and out.chunks_read == 0
    assert (
        client.post("/api/v1/auth/login", json={"username": "command", "password": "Command@2026"}).status_code == 200
    )


def test_open311_keeps_its_own_limit_and_error_format(client):
    response = client.post("/open311/v2/requests.json", content=b"a=" + b"x" * (2 * MB),
                           headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json")  # GeoReport errors, not problem+json
    assert response.json()[0]["code"] == 413


def test_batch_of_a_thousand_signals_over_one_megabyte_is_accepted(client, login):
    headers = login("command")
    signals = [
        {
            "idempotency_key": f"limit-{uuid.uuid4().hex}",
            "channel": "ai_video",
            "category_code": "09006",
            "lng": 120.3826 + i * 1e-5,
            "lat": 36.0671,
            "occurred_at": "2026-01-01T08:00:00+08:00",
            "description": "占道经营" * 300,
        }
        for i in range(1000)
    ]
    payload = json.dumps({"signals": signals}, ensure_ascii=False).encode()
    assert len(payload) > 2 * MB
    response = client.post(
        "/api/v1/signals:batch", content=payload, headers=headers | {"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text[:300]
    assert len(response.json()["results"]) == 1000


def test_a_large_upload_streams_to_disk(app, client, login, setup):  # noqa: F811
    """A 24 MB evidence video goes through with a few MB of Python memory: nothing holds the body whole."""
    officer = login("bdg_officer")
    case = new_case(client, officer, setup)
    boundary = "chengguan-upload-boundary"
    block = b"\x00\x00\x00\x18ftypmp42" + bytes(64 * KB - 12)

    def multipart() -> Iterator[bytes]:
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n'
               "Content-Type: video/mp4\r\n\r\n").encode()  # fmt: skip
        for _ in range(24 * MB // len(block)):
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {"content-type": f"multipart/form-data; boundary={boundary}", "transfer-encoding": "chunked"} | officer
    tracemalloc.start()
    try:
        out = call(app, "POST", f"/api/v1/cases/{case['id']}/evidence", headers, multipart())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.status == 201, out.body[:300]
    assert out.json()["size"] == 24 * MB // len(block) * len(block)
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB of Python memory for a 24 MB upload"
