"""FastAPI application factory: routers, problem+json handlers, the built web app with SPA fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text

from chengguan import __version__
from chengguan.analytics.api import router as analytics_router
from chengguan.audit.api import router as audit_router
from chengguan.calendar.api import router as calendar_router
from chengguan.cases.api import chains_router as approval_chains_router
from chengguan.cases.api import public_router as disclosure_router
from chengguan.cases.api import router as cases_router
from chengguan.core import apidocs, headers, limits, observe, problems, routes
from chengguan.core.config import Environment, Settings, get_settings
from chengguan.core.db import Database
from chengguan.core.errors import NotFound
from chengguan.core.fieldkeys import load_keyring
from chengguan.core.fieldtypes import bind_keyring
from chengguan.demo.guard import ProductionRefused, refuse_demo_logins
from chengguan.dispatching.api import router as dispatching_router
from chengguan.documents.api import router as documents_router
from chengguan.documents.delivery_api import router as delivery_router
from chengguan.documents.public_api import router as documents_public_router
from chengguan.evidence.api import router as evidence_router
from chengguan.identity.api import router as identity_router
from chengguan.identity.dependencies import authenticate_staff, remembered_staff
from chengguan.identity.gate import gate as token_gate
from chengguan.intake.api import router as intake_router
from chengguan.iot.api import portal_router as iot_portal_router
from chengguan.iot.api import router as iot_router
from chengguan.jobs import Scheduler
from chengguan.kit import readcache
from chengguan.law.api import router as law_router
from chengguan.mapping import tiles
from chengguan.mapping.api import router as mapping_router
from chengguan.merchants.api import router as merchants_router
from chengguan.meta.api import router as meta_router
from chengguan.notify.api import router as sms_router
from chengguan.open311.api import router as open311_router
from chengguan.ops.keys import key_problems
from chengguan.org.api import router as org_router
from chengguan.payments.api import public_router as receipts_public_router
from chengguan.payments.api import router as payments_router
from chengguan.payments.portal_api import router as portal_payments_router
from chengguan.payments.simulated.api import router as sim_gateway_router
from chengguan.portal.api import router as portal_router
from chengguan.public.api import router as public_router
from chengguan.rectification.api import router as rectification_router
from chengguan.shopfront.api import router as shopfront_router
from chengguan.shopfront.staff_api import router as shopfront_staff_router
from chengguan.video.api import router as video_router

API_PREFIX = "/api/v1"


class Health(BaseModel):
    status: str
    database: str
    version: str


def default_web_dist() -> Path:
    """web/dist of the source checkout (the package is installed editable from it)."""
    return Path(__file__).resolve().parents[2] / "web" / "dist"


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    db = database or Database(settings.database_url)
    if settings.env is Environment.production:
        refuse_demo_logins(db)  # before serving anything: the demo passwords are public
        missing = key_problems(settings)  # the keys are never made up in production: a lost key must be noticed
        if missing:
            raise ProductionRefused(missing[0])
    # Personal data is sealed with the keyring of these settings (created outside production, required in it).
    bind_keyring(db.engine, load_keyring(settings, create=True), reload=lambda: load_keyring(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = Scheduler(db, settings) if settings.run_jobs else None
        if scheduler:
            scheduler.start()
        yield
        if scheduler:
            scheduler.stop()
        observe.process_exited()
        if database is None:
            db.dispose()

    app = FastAPI(
        title="城管综合执法平台 Chengguan API",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # core.apidocs serves it from local files
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.authenticate_staff = authenticate_staff  # core.access asks identity who the caller is
    problems.install(app)

    @app.get("/api/health", tags=["系统"], summary="健康检查")
    def health(request: Request) -> Health:
        with request.app.state.db.session(write=False) as session:
            session.execute(text("SELECT 1"))
        return Health(status="ok", database=db.dialect, version=__version__)

    for router in (
        identity_router,
        org_router,
        audit_router,
        calendar_router,
        law_router,
        intake_router,
        dispatching_router,
        cases_router,
        disclosure_router,
        approval_chains_router,
        merchants_router,
        documents_router,
        delivery_router,
        documents_public_router,
        sms_router,
        evidence_router,
        portal_router,
        portal_payments_router,
        payments_router,
        receipts_public_router,
        sim_gateway_router,
        rectification_router,
        shopfront_router,
        shopfront_staff_router,
        public_router,
        iot_router,
        iot_portal_router,
        video_router,
        meta_router,
        analytics_router,
        mapping_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
        routes.prefilter(router, API_PREFIX)
    app.include_router(open311_router)
    routes.prefilter(open311_router, "")

    apidocs.install(app)
    # Innermost: a kept list page is answered inside the metrics, log, body limit and headers layers.
    app.add_middleware(readcache.FrontDoor, fastapi_app=app, remembered=remembered_staff)
    observe.install(app, settings)  # before the web app's catch-all route
    _mount_web(app, settings.web_dist or default_web_dist())
    limits.install(app, settings, token_gate)
    headers.install(app, tiles.image_origins(settings))  # the configured base maps' tile hosts
    return app


def _mount_web(app: FastAPI, dist: Path) -> None:
    """Serve the built SPA; any non-API path falls back to index.html so client-side routes survive a reload."""
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            raise NotFound("接口不存在", code="not_found")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and dist.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(
            "<h1>城管综合执法平台</h1><p>前端尚未构建：请运行 <code>make web</code>。</p>"
            "<p>接口文档：<a href='/api/docs'>/api/docs</a></p>",
            status_code=200,
        )
