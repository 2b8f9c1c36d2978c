"""The base layers the command map offers: the offline base always, then whatever the settings configure.

天地图 serves WGS-84/CGCS2000 tiles; its ``_w`` sets are on Web Mercator (EPSG:3857), Leaflet's default, so they
sit under the stored WGS-84 overlays as they are. GCJ-02 providers (AMap, Tencent) draw China shifted by the GCJ-02
offset (legal-facts §7): the web shifts every overlay WGS→GCJ while one shows and a clicked point GCJ→WGS. An
intranet server is an XYZ template or a WMTS KVP endpoint (GoogleMapsCompatible / EPSG:3857 tile matrix set)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from chengguan.core.config import Settings
from chengguan.mapping.enums import BASE_LAYER_LABELS, BaseLayerKind
from chengguan.mapping.schemas import BaseLayer, MapConfig

TIANDITU = "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%s"
WMTS_KVP = "{base}{sep}SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET={matrix}&FORMAT=image/png&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}"  # noqa: E501
WMTS_MATRIX_SET = "GoogleMapsCompatible"


def config(settings: Settings) -> MapConfig:
    """The base layers of this deployment, offline first (the default: it needs no network)."""
    layers = [BaseLayer(key="offline", kind=BaseLayerKind.offline, name=BASE_LAYER_LABELS[BaseLayerKind.offline])]
    if settings.tianditu_key:
        key = quote(settings.tianditu_key, safe="")
        # (layer key, name, picture layer, its annotation layer): 矢量 vec + cva, 影像 img + cia
        for suffix, name, picture, notes in (("", "矢量", "vec", "cva"), ("-img", "影像", "img", "cia")):
            layers.append(
                BaseLayer(
                    key=f"tianditu{suffix}",
                    kind=BaseLayerKind.tianditu,
                    name=f"天地图（{name}）",
                    url=TIANDITU % (picture, picture, key),
                    labels_url=TIANDITU % (notes, notes, key),
                    subdomains="01234567",
                    max_zoom=18,
                    attribution="天地图",
                )
            )
    if settings.gcj02_tile_url:
        layers.append(
            BaseLayer(
                key="gcj02",
                kind=BaseLayerKind.gcj02,
                name=settings.gcj02_tile_name,
                url=settings.gcj02_tile_url,
                subdomains=_subdomains(settings.gcj02_tile_url),
                crs="gcj02",
            )
        )
    if settings.intranet_tile_url:
        url = settings.intranet_tile_url
        if settings.intranet_wmts_layer:
            sep = "&" if "?" in url else "?"
            url = WMTS_KVP.format(base=url, sep=sep, layer=quote(settings.intranet_wmts_layer), matrix=WMTS_MATRIX_SET)
        layers.append(
            BaseLayer(
                key="intranet",
                kind=BaseLayerKind.intranet,
                name=settings.intranet_tile_name,
                url=url,
                subdomains=_subdomains(url),
            )
        )
    return MapConfig(layers=layers)


def _subdomains(url: str) -> str:
    # AMap's webrd0{s} hosts are 1–4; a template without {s} needs none.
    return "1234" if "{s}" in url else ""


def image_origins(settings: Settings) -> tuple[str, ...]:
    """The origins the configured tile templates load from, for the Content-Security-Policy's ``img-src``: a host
    with a ``{s}`` subdomain placeholder becomes a wildcard (``https://t{s}.tianditu.gov.cn`` →
    ``https://*.tianditu.gov.cn``)."""
    origins: list[str] = []
    for layer in config(settings).layers:
        for url in (layer.url, layer.labels_url):
            if not url:
                continue
            parts = urlsplit(url)
            host = parts.netloc
            if "{s}" in host:
                host = "*." + host.split(".", 1)[1] if "." in host else "*"
            origin = f"{parts.scheme}://{host}"
            if parts.scheme in ("http", "https") and origin not in origins:
                origins.append(origin)
    return tuple(origins)
