"""Open311 test helpers: the app with the Open311 router, fresh spots per district, our own JSON Schemas, an
XML → dict reading that mirrors the JSON, and a live server (uvicorn subprocess) for the georeport client."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import aliased

from chengguan.core.db import Database
from chengguan.org.models import Grid, OrgUnit
from support import demo_server

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).parent / "schemas"
BASE = "/open311/v2"
KEY = "demo-open311-key"
DISTRICTS = ("370202", "370203", "370213")

# XML → the JSON shape: list containers, and the fields whose text is not a string.
LISTS = {"services", "service_requests", "errors", "attributes", "values", "endpoints", "formats"}
BOOLEANS = {"metadata", "variable", "required"}
INTEGERS = {"order", "code"}
NUMBERS = {"lat", "long"}


@cache
def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def validate(name: str, document: Any) -> Any:
    """Validate ``document`` against tests/open311/schemas/<name>.json; returns it."""
    jsonschema.Draft202012Validator.check_schema(schema(name))
    jsonschema.Draft202012Validator(schema(name)).validate(document)
    return document


def _convert(element: ET.Element) -> Any:
    children = list(element)
    if element.tag in LISTS:
        return [_convert(child) for child in children]
    if children:
        return {child.tag: _convert(child) for child in children}
    text = element.text
    if text is None or text == "":
        return None
    if element.tag in BOOLEANS:
        assert text in ("true", "false"), (element.tag, text)
        return text == "true"
    if element.tag in INTEGERS and text.lstrip("-").isdigit():
        return int(text)
    if element.tag in NUMBERS:
        return float(text)
    return text


def xml_document(response: httpx.Response, root: str) -> Any:
    """Parse an XML response (declaration, UTF-8, content type checked) into the equivalent JSON value."""
    assert response.headers["content-type"] == "text/xml; charset=utf-8", response.headers["content-type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), response.content[:60]
    element = ET.fromstring(response.content)
    assert element.tag == root, (element.tag, response.text[:300])
    return _convert(element)


def normalised(value: Any) -> Any:
    """JSON and XML agree up to "" vs null (an empty XML element)."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return None if value == "" else value


def json_document(response: httpx.Response) -> Any:
    assert response.headers["content-type"] == "application/json", response.headers["content-type"]
    return response.json()


@pytest.fixture
def o311(client: TestClient) -> TestClient:
    """The session's client; app.py mounts the Open311 router before the SPA fallback."""
    mounted = client.get(f"{BASE}/discovery.json")
    assert mounted.status_code == 200 and mounted.headers["content-type"] == "application/json", mounted.text[:200]
    return client


@pytest.fixture(scope="session")
def district_points(shared_db: Database) -> dict[str, list[tuple[float, float, Any]]]:
    """division code → an inner point of every demo grid of that district, with the grid's shape."""
    squad, district = aliased(OrgUnit), aliased(OrgUnit)
    with shared_db.session(write=False) as session:
        rows = session.execute(
            select(district.division_code, Grid.geometry)
            .join(squad, squad.id == Grid.squad_id)
            .join(district, district.id == squad.parent_id)
            .order_by(Grid.grid_code)
        ).all()
    points: dict[str, list[tuple[float, float, Any]]] = {}
    for code, geometry in rows:
        grid = shape(geometry)
        p = grid.representative_point()
        points.setdefault(code, []).append((p.x, p.y, grid))
    return points


_counter = itertools.count()


@pytest.fixture
def spot(district_points: dict[str, list[tuple[float, float, Any]]]) -> Callable[..., tuple[float, float]]:
    """``spot("370202")`` → (lng, lat): a point inside one of the district's grids not handed out before (so nothing
    merges by chance). The session database is shared with other test packages: their spots may sit near, so
    categories differ. A shifted point that would leave its grid (and maybe the district) is passed over."""

    def _spot(district: str = "370202") -> tuple[float, float]:
        candidates = district_points[district]
        while True:
            n = next(_counter)
            lng, lat, grid = candidates[n % len(candidates)]
            ring = n // len(candidates)
            moved = lng + 0.0009 * (ring % 3 - 1), lat + 0.0008 * (ring // 3 % 3 - 1)
            if grid.contains(Point(*moved)):
                return moved

    return _spot


def form(lng: float, lat: float, **fields: Any) -> dict[str, Any]:
    """A minimal valid POST requests form at (lng, lat); ``fields`` override or add (a fresh spot is the caller's)."""
    base = {"api_key": KEY, "service_code": "06012", "lat": f"{lat:.6f}", "long": f"{lng:.6f}"}
    return base | {"description": "测试：道路不洁"} | fields


# ---------------------------------------------------------------------------------------------------------------
# A real server process for the georeport client (no web build, no browser needed).


@pytest.fixture(scope="session")
def live_open311(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of ``python -m chengguan serve`` on a fresh migrated demo database."""
    with demo_server(tmp_path_factory.mktemp("open311-live"), CHENGGUAN_OPEN311_API_KEYS=f"other-key,{KEY}") as base:
        yield base
