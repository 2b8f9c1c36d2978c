"""Every response carries the security headers (CSP, framing, nosniff, referrer policy); API responses are not
stored by caches; /api/docs loads nothing from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.responses import Response
from fastapi.testclient import TestClient

from chengguan.app import create_app

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-src 'self' blob:; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _assert_hardened(response, *, referrer: str = "strict-origin-when-cross-origin") -> None:
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == referrer


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/auth/me", 401),
        ("GET", "/api/v1/no-such-thing", 404),
        ("POST", "/api/v1/auth/login", 422),
        ("GET", "/api/health", 200),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/login", 200),
        ("GET", "/console/cases", 200),
    ],
)
def test_every_kind_of_response_is_hardened(client, method, path, status):
    response = client.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == status
    _assert_hardened(response)


def test_api_responses_are_not_stored(client, login):
    headers = login("bdg_officer")
    for response in (
        client.get("/api/v1/auth/me", headers=headers),
        client.get("/api/v1/auth/me"),
        client.post("/api/v1/auth/login", json={"username": "command", "password": "Command@2026"}),
        client.get("/api/v1/case-sources", headers=headers),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url
    assert "no-store" not in client.get("/api/health").headers.get("cache-control", "")


def test_the_web_app_keeps_its_caching(client):
    index = client.get("/login")
    assert index.headers["cache-control"] == "no-cache"
    asset = re.search(r'src="(/assets/[^"]+\.js)"', index.text)
    assert asset, "web app not built"
    response = client.get(asset.group(1))
    assert response.status_code == 200 and "no-store" not in response.headers.get("cache-control", "")
    _assert_hardened(response)


@pytest.mark.parametrize("path", ["/s/AbCdEf123", "/verify/AbCdEf123", "/api/v1/public/documents/AbCdEf123"])
def test_pages_with_a_token_in_the_url_send_no_referrer(client, path):
    _assert_hardened(client.get(path), referrer="no-referrer")


def test_only_the_delivery_pdf_may_be_framed_and_only_by_us(client):
    response = client.get("/api/v1/public/deliveries/no-such-token.pdf")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["content-security-policy"].endswith("frame-ancestors 'self'")
    assert response.headers["referrer-policy"] == "no-referrer"


def test_refusals_before_routing_are_hardened(client):
    response = client.post("/api/v1/cases", content=b"[1]", headers={"content-type": "application/json"})
    assert response.status_code == 401
    _assert_hardened(response)
    assert response.headers["cache-control"] == "no-store"


def test_a_server_error_is_hardened_too(settings, db):
    app = create_app(settings, db)

    @app.post("/api/v1/test-boom")  # GET would meet the web app's catch-all first
    def boom() -> None:
        raise RuntimeError("boom")

    response = TestClient(app, raise_server_exceptions=False).post("/api/v1/test-boom")
    assert response.status_code == 500 and response.json()["code"] == "internal"
    _assert_hardened(response)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        self._in_script = tag == "script" and not values.get("src")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        self._in_script = False


def test_api_docs_load_nothing_from_another_host(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    _assert_hardened(page)
    links = _Links()
    links.feed(page.text)
    assert "//" not in page.text.replace("</", "")  # no scheme-relative or absolute URL anywhere in the page
    assert links.inline_scripts == 0  # the CSP allows none
    assert len(links.urls) == 4
    for url in links.urls:
        assert url.startswith("/api/docs/"), url
        assert client.get(url).status_code == 200, url
    assert "SwaggerUIBundle" in client.get("/api/docs/static/swagger-ui-bundle.js").text
    assert client.get("/api/docs/init.js").text.count("http") == 0


def test_a_routes_own_stricter_policy_stands_but_not_its_caching(settings, db):
    app = create_app(settings, db)

    @app.post("/api/v1/test-upload-view")
    def view() -> Response:
        return Response(b"x", headers={"Content-Security-Policy": "sandbox", "Cache-Control": "max-age=86400"})

    response = TestClient(app).post("/api/v1/test-upload-view")
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
