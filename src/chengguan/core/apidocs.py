"""The interactive API docs (/api/docs) from local files: Swagger UI as vendored by the ``fastapi-offline``
package, no CDN (the platform runs on offline intranets) and no inline script (the CSP allows none)."""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/api/docs"
STATIC = Path(fastapi_offline.__file__).resolve().parent / "static"

# Reads the document's URL from the page (data-openapi-url) so that this file stays static.
INIT_JS = """\
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    persistAuthorization: false,
    validatorUrl: null
  });
});
"""


def docs_html(title: str, openapi_url: str) -> str:
    static = f"{DOCS_URL}/static"
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)} - 接口文档</title>
<link rel="icon" type="image/png" href="{static}/favicon.png">
<link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{DOCS_URL}/init.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve the docs page, its initialiser and Swagger UI's files (create the app with ``docs_url=None``)."""
    assert app.openapi_url is not None
    page = docs_html(app.title, app.openapi_url)
    app.mount(f"{DOCS_URL}/static", StaticFiles(directory=STATIC), name="api-docs-static")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(f"{DOCS_URL}/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(INIT_JS, media_type="text/javascript")
