"""The browser's GCJ-02 transform (web/src/components/map/gcj02.js) agrees with core.geo's, both ways, and its
inverse round-trips: overlays drawn on a GCJ-02 base map sit where the server would put them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from chengguan.core.geo import gcj02_to_wgs84, wgs84_to_gcj02

MODULE = Path(__file__).resolve().parents[2] / "web/src/components/map/gcj02.js"
# Qingdao's districts, Beijing, Shanghai, Urumqi, Sanya, Harbin, and two points outside China (no offset)
POINTS = [(120.33, 36.06), (120.42, 36.16), (116.397, 39.909), (121.4737, 31.2304), (87.6168, 43.8256),
          (109.5119, 18.2528), (126.535, 45.8038), (139.69, 35.69), (2.35, 48.85)]  # fmt: skip

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _js(points: list[tuple[float, float]]) -> dict[str, list[list[float]]]:
    script = (
        f"import {{ wgs84ToGcj02, gcj02ToWgs84 }} from {json.dumps(MODULE.as_uri())};"
        f"const pts = {json.dumps(points)};"
        "console.log(JSON.stringify({forward: pts.map(([x, y]) => wgs84ToGcj02(x, y)),"
        " inverse: pts.map(([x, y]) => gcj02ToWgs84(x, y))}))"
    )
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_js_and_python_agree_both_ways():
    js = _js(POINTS)
    for (lng, lat), forward, inverse in zip(POINTS, js["forward"], js["inverse"], strict=True):
        assert forward == pytest.approx(list(wgs84_to_gcj02(lng, lat)), abs=1e-12)
        assert inverse == pytest.approx(list(gcj02_to_wgs84(lng, lat)), abs=1e-9)


def test_the_js_inverse_round_trips_and_the_offset_is_hundreds_of_metres_in_china():
    shifted = [tuple(p) for p in _js(POINTS)["forward"]]
    back = _js(shifted)["inverse"]
    for (lng, lat), (blng, blat) in zip(POINTS, back, strict=True):
        assert (blng, blat) == pytest.approx((lng, lat), abs=1e-7)
    qingdao = shifted[0]
    assert 0.002 < abs(qingdao[0] - POINTS[0][0]) + abs(qingdao[1] - POINTS[0][1]) < 0.02
    assert shifted[-1] == POINTS[-1]  # Paris: no offset outside China
