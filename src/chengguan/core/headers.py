"""Security headers on every response: CSP, framing, MIME sniffing, referrer and caching of personal data.

The Content-Security-Policy allows what the built web app (web/dist) loads and nothing else — it runs offline on
government intranets, so everything is same-origin:

* scripts, stylesheets, fonts, API calls: ``'self'`` (Vite emits no inline script; nothing calls eval);
* inline ``style`` attributes only (``style-src-attr``): the command map's Leaflet markers are HTML strings
  carrying ``style="--c:…"``, and Vue inserts large static template parts as HTML strings; no ``<style>`` element
  is ever injected, so ``style-src`` stays ``'self'``;
* images ``data:`` and ``blob:`` (handwritten signatures are PNG data URLs, chosen photos are previewed from
  blobs), audio and video ``blob:`` (evidence played from the downloaded file), frames ``blob:`` (a document's PDF
  previewed from the downloaded file) and ``'self'`` (the party's delivery page frames its PDF);
* no plugins, no ``<base>``, forms post only here, and no one frames us (``frame-ancestors 'none'``).

The maps load no tiles by default (the offline base is drawn from GeoJSON); a deployment that configures an online
base map (天地图, a GCJ-02 provider, an intranet tile server: mapping.tiles) adds those tile hosts to ``img-src``
and nothing else.

``Referrer-Policy`` is ``no-referrer`` on the pages and API paths whose URL carries a secret token (the party's
delivery link ``/s/<token>``, the QR verification page ``/verify/<token>``, ``/api/v1/public/…``). API responses
carry tokens and personal data: ``Cache-Control: no-store`` on all of them but the health check and the docs'
static files (the web app's hashed assets keep their own caching) and the label dictionaries, which carry no
personal data and are revalidated by their ETag.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self' blob:",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The one response our own page frames: the delivery page (/s/<token>) shows the served document's PDF.
FRAMED_BY_US = re.compile(r"^/api/v1/public/deliveries/[^/]+\.pdf$")
CSP_FRAMED_BY_US = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
TOKEN_IN_URL = ("/s/", "/verify/", "/api/v1/public/")
CACHEABLE_API = ("/api/health", "/api/docs/static/")
# API responses without personal data whose route sets its own caching (an ETag to revalidate by); their errors, which
# set none, still get no-store.
OWN_CACHING_API = frozenset({"/api/v1/meta/labels"})


def with_image_hosts(policy: str, hosts: tuple[str, ...]) -> str:
    """``policy`` with ``hosts`` (origins such as ``https://*.tianditu.gov.cn``) also allowed as image sources."""
    if not hosts:
        return policy
    return policy.replace("img-src 'self' data: blob:", "img-src 'self' data: blob: " + " ".join(hosts))


def security_headers(path: str, image_hosts: tuple[str, ...] = ()) -> dict[str, str]:
    """The headers every response to ``path`` carries (a route may set a stricter one itself); ``image_hosts``:
    the configured tile servers."""
    framed = FRAMED_BY_US.match(path) is not None
    headers = {
        "Content-Security-Policy": with_image_hosts(CSP_FRAMED_BY_US if framed else CSP, image_hosts),
        "X-Frame-Options": "SAMEORIGIN" if framed else "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer" if path.startswith(TOKEN_IN_URL) else "strict-origin-when-cross-origin",
    }
    if path.startswith("/api/") and not path.startswith(CACHEABLE_API):
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeadersMiddleware:
    """Adds ``security_headers`` to the start of every HTTP response (errors and 500s included)."""

    def __init__(self, app: ASGIApp, image_hosts: tuple[str, ...] = ()) -> None:
        self.app = app
        self.image_hosts = image_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].removeprefix(scope.get("root_path", "")) or "/"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(path, self.image_hosts).items():
                    # A route's own choice stands (the evidence file's stricter ``sandbox`` CSP), except caching:
                    # no API response with personal data may be kept, whatever the route hoped to save.
                    if name not in headers or (name == "Cache-Control" and path not in OWN_CACHING_API):
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app, image_hosts: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Wrap the whole middleware stack, outside Starlette's ServerErrorMiddleware, so that a 500 has them too."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeadersMiddleware(build(), image_hosts)
