"""The body policy of every route: which take a body without a token, and the explicit limits of uploads."""

from __future__ import annotations

from fastapi.routing import APIRoute, iter_route_contexts

from chengguan.core.limits import KB, MB, RouteTable, explicit_limits, size_text
from chengguan.documents.public_api import MAX_UPLOAD as VERIFY_MAX_UPLOAD
from chengguan.identity.gate import gate
from chengguan.intake import media


def test_upload_routes_have_explicit_larger_limits(app, settings):
    table = RouteTable(app, settings, gate)
    assert table.policy("POST", "/api/v1/cases/x/evidence").limit >= settings.evidence_max_upload_mb * MB
    assert table.policy("POST", "/api/v1/media").limit >= media.MAX_BYTES
    assert table.policy("POST", "/api/v1/law/matters:import").limit >= 10 * MB
    assert table.policy("POST", "/api/v1/signals/import").limit >= 10 * MB
    assert table.policy("POST", "/api/v1/public/verify/tok").limit >= VERIFY_MAX_UPLOAD
    assert table.policy("POST", "/api/v1/documents/x/signatures").limit > 2_000_000
    assert table.policy("POST", "/api/v1/cases").limit == MB
    assert table.policy("POST", "/api/v1/auth/login").limit == 64 * KB
    assert table.policy("POST", "/api/v1/portal/shops/SH1/notices/x/rectification").limit >= 9 * 10 * MB
    assert table.policy("POST", "/api/v1/portal/shops/SH1/claim").limit == 64 * KB


def test_every_explicit_limit_names_a_real_route(app, settings):
    routes = {(m, c.path) for c in iter_route_contexts(app.routes) for m in (c.methods or ())}
    assert set(explicit_limits(settings)) <= routes


def test_only_the_intended_routes_take_bodies_without_a_token(app):
    public = sorted(
        (sorted(c.methods)[0], c.path)
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIRoute)
        and c.original_route.body_field is not None
        and not gate.guards(c.original_route)
    )
    assert public == [
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/portal/login"),
        ("POST", "/api/v1/portal/login-code"),
        ("POST", "/api/v1/portal/shops/{code}/claim"),  # claiming a shop: the SMS code, then the licence
        ("POST", "/api/v1/portal/shops/{code}/claim-agent"),
        ("POST", "/api/v1/portal/shops/{code}/claim-code"),
        ("POST", "/api/v1/public/deliveries/{token}/receipt"),
        ("POST", "/api/v1/public/media"),  # 公众随手拍 (public)
        ("POST", "/api/v1/public/reports"),
        ("POST", "/api/v1/public/verify/{token}"),
        ("POST", "/api/v1/sim-gateway/orders/{order_no}/pay"),  # the simulated gateway's page (not in production)
    ]  # Open311 POST reads its body itself (api_key inside it); see test_open311_keeps_its_own_limit…
    # (so does the payment callback, whose signature covers the raw bytes: payments.api.notify)


def test_size_text_names_the_limit():
    assert [size_text(n) for n in (MB, 16 * MB, 64 * KB, 31 * MB + MB // 2, 1000)] == [
        "1 MB", "16 MB", "64 KB", "31.5 MB", "1000 字节"
    ]  # fmt: skip
